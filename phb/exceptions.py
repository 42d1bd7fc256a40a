"""Domain errors raised by services, and the one place they become HTTP answers."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .plain_errors import plain_detail


class DomainError(Exception):
    """Base of the errors a service raises; each says which HTTP status it means."""

    status_code = status.HTTP_409_CONFLICT
    default_message = "That cannot be done now."

    def __init__(self, message: str | None = None, **details):
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class TransitionNotAllowed(DomainError):
    default_message = "That change of status is not allowed now."


class Conflict(DomainError):
    default_message = "That conflicts with the current state."


class Overspend(DomainError):
    default_message = "That payment would exceed the approved budget."


class IdempotencyConflict(DomainError):
    default_message = "This Idempotency-Key was already used with a different request."


class NotPermitted(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    default_message = "You do not have permission to do that."


class SlotNotAllowed(NotPermitted):
    default_message = "You cannot fill that sign-off."


class InvalidInput(DomainError):
    """Bad input found by a service; `details` maps field -> message."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_message = "Check the details entered."


def validation_error_body(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"detail": " ".join(str(m) for m in error.messages)}


def api_exception_handler(exc, context):
    """DRF exception handler: domain errors and model validation become 4xx with a clear body.

    Errors are always JSON, even when the answer asked for was a CSV, an XLSX or a PDF.
    """
    _answer_in_json(context.get("request"))
    return _handle(exc, context)


def _answer_in_json(request) -> None:
    if request is not None and getattr(request, "accepted_renderer", None) is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


def _handle(exc, context):
    if isinstance(exc, DomainError):
        if isinstance(exc, InvalidInput) and exc.details:
            body = {k: v if isinstance(v, list) else [str(v)] for k, v in exc.details.items()}
        else:
            body = {
                "detail": exc.message,
                **{k: v for k, v in exc.details.items() if isinstance(v, str | int)},
            }
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        body = validation_error_body(exc)
        if "__all__" in body:
            body["non_field_errors"] = body.pop("__all__")
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, drf_exceptions.ValidationError):
        exc.detail = plain_detail(exc.detail)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    return exception_handler(exc, context)
