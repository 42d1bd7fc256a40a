"""Django's error pages, in JSON for the API (a generated client expects JSON for every answer)."""

from django.http import JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    """What Django itself refuses (a suspicious request, a disallowed host)."""
    if _is_api(request):
        return JsonResponse({"detail": "The request cannot be used."}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": "Something went wrong on our side. It has been logged."}, status=500)
    return defaults.server_error(request)
