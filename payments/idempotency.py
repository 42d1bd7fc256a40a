"""Idempotency of money writes: the same Idempotency-Key and body give the first answer again.

How a write uses it (see `services.payment_record`):
1. the API or page builds an `IdempotentRequest` (key, scope, the canonical body);
2. the service, inside its transaction and after locking the account row, calls `replay()`:
   a stored record with the same hash is returned (nothing is written), another hash is a 409;
3. after writing, the service calls `remember()` in the same transaction;
4. `guarded()` runs the write and, if two identical first requests raced past step 2 (the unique
   constraint on organisation+user+key trips on the second), rolls the loser back and replays the winner.
"""

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import IntegrityError

from phb.exceptions import IdempotencyConflict, InvalidInput

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200

T = TypeVar("T")


def request_hash(scope: str, body: Mapping[str, Any]) -> str:
    """sha256 of the scope and the canonical JSON of the body (sorted keys, no spaces)."""
    canonical = json.dumps({"scope": scope, "body": body}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class IdempotentRequest:
    """One write made with a key. Keys are the user's own: the same key from someone else (finance
    re-using a broker's) is a separate key space and never replays another person's payment."""

    organisation: Any
    key: str | None
    scope: str
    body: dict = field(default_factory=dict)
    user: Any = None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if getattr(self.user, "is_authenticated", False) else None

    @property
    def digest(self) -> str:
        return request_hash(self.scope, self.body)


def key_from_request(request, *, required: bool) -> str | None:
    """The Idempotency-Key header; a 400 naming it when it is required and missing, or too long."""
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        if required:
            raise InvalidInput(
                **{
                    HEADER: [
                        "Send an Idempotency-Key header (a new random value, such as a UUID, per payment)."
                    ]
                }
            )
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(**{HEADER: [f"Use at most {MAX_KEY_LENGTH} characters."]})
    return key


def replay(request: IdempotentRequest) -> IdempotencyRecord | None:
    """The stored first answer for this key, if the body matches; a 409 if the key was used otherwise."""
    if not request.key:
        return None
    record = IdempotencyRecord.objects.filter(
        organisation=request.organisation, user_id=request.user_id, key=request.key
    ).first()
    if record is None:
        return None
    if record.request_hash != request.digest:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used with a different request; use a new key for a new payment."
        )
    return record


def remember(request: IdempotentRequest, *, status: int, response: dict) -> None:
    """Store the first answer; call it in the write's transaction."""
    if not request.key:
        return
    IdempotencyRecord.objects.create(
        organisation=request.organisation,
        user_id=request.user_id,
        key=request.key,
        scope=request.scope[:100],
        request_hash=request.digest,
        response_status=status,
        response_body=response,
    )


def guarded(
    request: IdempotentRequest,
    write: Callable[[], T],
    from_record: Callable[[IdempotencyRecord], T],
) -> T:
    """Run a write (its own transaction); if a racing twin committed the same key first, replay it."""
    try:
        return write()
    except IntegrityError:
        record = replay(request)
        if record is None:
            raise
        return from_record(record)
