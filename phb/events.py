"""Domain events: how an earlier stage of the pathway causes work in a later one without importing it.

A service publishes a small frozen dataclass inside its own transaction; every reaction listed for
that event in `phb/flow.py` runs at once, in the same transaction, in the order listed there. So a
plan approved and its budget account opened commit together or not at all, and the earlier stage
never names the later one. Reactions that must wait for the commit (e-mails, Celery tasks) use
`transaction.on_commit` themselves.

The events are plain data, named for what happened, with ids rather than model instances, so a
reaction loads (and locks) what it needs:

    publish(PlanApproved(plan_id=plan.pk, organisation_id=plan.organisation_id, actor_id=actor.pk, at=at))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Event:
    """Every event names the organisation it happened in and who made it happen (None: the system)."""

    organisation_id: int
    actor_id: int | None


# --- The pathway's events, in pathway order. `phb/flow.py` says who reacts to each.


@dataclass(frozen=True)
class ReferralAccepted(Event):
    referral_id: int


@dataclass(frozen=True)
class ReferralTransferred(Event):
    # referral_id: the sending organisation's referral (now its trace); received_id: the receiver's.
    referral_id: int
    to_organisation_id: int
    received_id: int | None = None


@dataclass(frozen=True)
class ReferralDeclined(Event):
    referral_id: int


@dataclass(frozen=True)
class PlanSubmitted(Event):
    plan_id: int


@dataclass(frozen=True)
class PlanApproved(Event):
    plan_id: int
    at: datetime
    # True when the approved version replaces one already in use (a revision): the budget carries on.
    continues_active: bool = False
    # A budget brought in by an import was paid outside this system until the import: its
    # instalments are scheduled from this day (the import's), not from the plan's start.
    schedule_from: date | None = None


@dataclass(frozen=True)
class PlanActivated(Event):
    plan_id: int
    at: datetime


@dataclass(frozen=True)
class BudgetsImported(Event):
    """Many budgets brought in at once by an import (imports/services.py), each plan version 1 and
    already approved (before this system), or already in use if money was paid under it before the
    import (then `PlansActivated` follows for it): the bulk form of PlanApproved, so that reactions do
    their work for all of them in a few queries. `plan_ids` are this organisation's, in the sheet's
    order."""

    plan_ids: tuple[int, ...]
    # The import's day: instalments before it were paid outside this system (paid to date).
    schedule_from: date | None = None


@dataclass(frozen=True)
class PlansActivated(Event):
    """Many approved plans became active at once (an import's budgets paid under before it): the bulk
    form of PlanActivated."""

    plan_ids: tuple[int, ...]
    at: datetime


@dataclass(frozen=True)
class PlanClosed(Event):
    plan_id: int
    budget_id: int
    closed_on: date


@dataclass(frozen=True)
class FundsReleased(Event):
    plan_id: int
    account_id: int
    on: date
    entry_id: int | None = None


@dataclass(frozen=True)
class PaymentRecorded(Event):
    plan_id: int
    account_id: int
    on: date
    # What was paid and to whom, as the entry says, so that telling people needs no read of it.
    amount: Decimal
    payee: str
    entry_id: int | None = None


@dataclass(frozen=True)
class BrokerAssigned(Event):
    # The budget names a new broker (broker_id None: none); assignment_id is its audit event, so that
    # each assignment is told once, and a broker assigned again later is told again.
    plan_id: int
    account_id: int
    broker_id: int | None
    assignment_id: int


@dataclass(frozen=True)
class ReviewCompleted(Event):
    review_id: int
    plan_id: int
    decision: str


@dataclass(frozen=True)
class DataChanged(Event):
    """Something a report counts changed about these people (published by every audited change,
    phb/audit.py record_event, and once for a bulk write's batch, record_events): the live figures
    recount them in the same transaction."""

    person_ids: tuple[int, ...]
    # The audit actions of the changes ("ledger_payment"), so that the live figures recount only what
    # such changes can move (reporting/live.py `MOVES`); None: not said, everything is recounted.
    actions: tuple[str, ...] | None = None


Reaction = Callable[[Any], Any]


def actor_id_of(actor) -> int | None:
    """The id to put on an event for whoever acted (None for the system, e.g. a scheduled job)."""
    return getattr(actor, "pk", None)


def actor_of(event: Event):
    """The user who made the event happen, for the reaction's own audit rows (None: the system)."""
    if event.actor_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=event.actor_id)


@cache
def _reactions(event_type: type[Event]) -> tuple[Reaction, ...]:
    from phb.flow import REACTIONS  # the flow names later apps by dotted path, resolved on first use

    return tuple(import_string(path) for path in REACTIONS.get(event_type.__name__, ()))


def reactions_for(event_type: type[Event]) -> tuple[Reaction, ...]:
    return _reactions(event_type)


def publish(event: Event) -> list[Any]:
    """Run every reaction to `event` now, inside the caller's transaction; return what each returned.

    Must be called inside a transaction (services are `@transaction.atomic`), so that a reaction that
    fails undoes the change that published the event.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{type(event).__name__} published outside a transaction")
    return [reaction(event) for reaction in _reactions(type(event))]
