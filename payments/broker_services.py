"""Naming a budget's broker: the django-guardian grant moves to them, audited, and they are told.

Issue 15: "budgets do not name their broker". A commissioner, finance, a PHB lead or a team lead names
one of the organisation's brokers on the account; from then on only that broker (of the brokers)
reaches the budget (payments/broker_selectors.py, phb/visibility.py `managed`).
"""

from collections.abc import Iterable

from django.db import transaction
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from phb import events
from phb.audit import record_event
from phb.exceptions import Conflict, InvalidInput
from support_plans.models import SupportPlan

from .broker_selectors import (
    BROKER_ASSIGNERS,
    MANAGE_CODENAME,
    MANAGE_PERMISSION,
    broker_candidates,
    broker_data,
)
from .models import BudgetAccount
from .services import _lock_account, _require_role, _save_account

NOT_A_BROKER = "Choose a member of this organisation who holds the broker role."


def account_broker_assign(
    *, actor, plan: SupportPlan, broker, actor_roles: Iterable[str] | None = None
) -> BudgetAccount:
    """Name `broker` (a user, or None for nobody) as the broker of the plan's budget.

    Under the account's row lock: whoever held the grant loses it, the new broker gets it, the
    account names them, the audit trail keeps before and after, and `BrokerAssigned` tells them
    (phb/flow.py). Naming the broker it already names changes nothing and tells nobody.
    """
    _require_role(actor, plan.organisation_id, BROKER_ASSIGNERS, "name a budget's broker", actor_roles)
    if (
        broker is not None
        and not broker_candidates(organisation=plan.organisation).filter(pk=broker.pk).exists()
    ):
        raise InvalidInput(broker=[NOT_A_BROKER])
    with transaction.atomic():
        account = _lock_account(plan)
        if account.closed_on is not None:
            raise Conflict(f"This budget was closed on {account.closed_on:%d %B %Y}: it needs no broker now.")
        if account.broker_id == (broker.pk if broker is not None else None):
            return account
        before = {"broker": broker_data(account.broker)}
        holders = get_users_with_perms(
            account, only_with_perms_in=[MANAGE_CODENAME], with_superusers=False, with_group_users=False
        )
        for holder in holders:
            remove_perm(MANAGE_PERMISSION, holder, account)
        if broker is not None:
            assign_perm(MANAGE_PERMISSION, broker, account)
        account.broker = broker
        _save_account(actor, account)
        named = broker_data(broker)
        audit = record_event(
            actor=actor,
            organisation=account.organisation,
            obj=account,
            action="account_broker_assigned",
            before=before,
            after={"broker": named},
            person=account.person,
            summary=(f"Broker of the budget: {named['name']}" if named else "The budget names no broker now"),
        )
        events.publish(
            events.BrokerAssigned(
                organisation_id=account.organisation_id,
                actor_id=events.actor_id_of(actor),
                plan_id=account.plan_id,
                account_id=account.pk,
                broker_id=broker.pk if broker is not None else None,
                assignment_id=audit.pk,
            )
        )
    return account
