"""What the payments stage does when earlier stages act (listed in phb/flow.py)."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from phb import events
from phb.constants import Role
from phb.money import gbp
from phb.notifications import notify
from support_plans.models import Budget, SupportPlan

from .bulk import accounts_open_bulk, fund_release_at_import, notify_plans_approved_bulk
from .fund_services import fund_release_at_approval
from .models import LedgerEntry
from .selectors import budget_money_people
from .services import account_close, account_open_or_resize


def on_plan_approved(event: events.PlanApproved) -> None:
    """The last sign-off landed: the budget account opens, or is re-sized for a revision."""
    account_open_or_resize(
        actor=events.actor_of(event),
        plan=SupportPlan.objects.get(pk=event.plan_id),
        schedule_from=event.schedule_from,
    )


def on_plan_approved_release_from_fund(event: events.PlanApproved) -> None:
    """The account is open: a fund agreed in advance with room releases the year's money at once.

    A revision of a budget in use carries on with what was released for it; any more is by hand.
    """
    if event.continues_active:
        return
    fund_release_at_approval(
        actor=events.actor_of(event), plan=SupportPlan.objects.get(pk=event.plan_id), at=event.at
    )


def on_budgets_imported(event: events.BudgetsImported) -> None:
    """Budgets imported as approved: their accounts open (the bulk `on_plan_approved`)."""
    accounts_open_bulk(
        actor=events.actor_of(event), plan_ids=event.plan_ids, schedule_from=event.schedule_from
    )


def on_budgets_imported_release_from_fund(event: events.BudgetsImported) -> None:
    """Budgets imported as approved: a fund with room releases, or each account says why not (the
    bulk `on_plan_approved_release_from_fund`)."""
    fund_release_at_import(actor=events.actor_of(event), plan_ids=event.plan_ids)


def on_plan_closed(event: events.PlanClosed) -> None:
    """The budget closed: its due instalments are cancelled and no payment is taken after this."""
    budget = Budget.objects.get(pk=event.budget_id)
    account_close(actor=events.actor_of(event), budget=budget, closed_on=event.closed_on)


# --- Who is told: the people who act next on the money (notifications, once each)


def _plan(plan_id: int) -> SupportPlan:
    return SupportPlan.objects.select_related("organisation", "person", "care_coordinator").get(pk=plan_id)


def _account_path(plan: SupportPlan) -> str:
    return reverse("payments:account", kwargs={"org": plan.organisation.code, "pk": plan.pk})


def notify_plan_approved(event: events.PlanApproved) -> int:
    """Approved: finance releases the funds, the broker will pay from them.

    In the in-app list only: finance is e-mailed when an approval cannot be funded from a fund, or is
    left unfunded too long (fund_services, the unfunded job), not at every approval.
    """
    plan = _plan(event.plan_id)
    return notify(
        email=False,
        organisation=plan.organisation,
        key=f"plan:{plan.pk}:approved",
        users=budget_money_people(plan, Role.FINANCE),
        subject=f"Support plan approved: {plan.person.full_name}, {gbp(plan.cost_total)}",
        body=(
            f"Support plan version {plan.version} for {plan.person.full_name} is approved "
            f"({gbp(plan.cost_total)}). Finance: release the funds. Broker: payments can start once they are."
        ),
        path=_account_path(plan),
    )


def notify_budgets_imported(event: events.BudgetsImported) -> int:
    """Budgets imported as approved: finance and brokers see each in their list (as `notify_plan_approved`)."""
    return notify_plans_approved_bulk(organisation_id=event.organisation_id, plan_ids=event.plan_ids)


def notify_funds_released(event: events.FundsReleased) -> int:
    """Funds released: the broker can pay; the care coordinator knows support can start."""
    plan = _plan(event.plan_id)
    entry = LedgerEntry.objects.get(pk=event.entry_id) if event.entry_id else None
    amount = f" {gbp(entry.amount)}" if entry else ""
    return notify(
        organisation=plan.organisation,
        key=f"release:{event.entry_id or event.account_id}",
        users=[*budget_money_people(plan), plan.care_coordinator],
        subject=f"Funds released{amount}: {plan.person.full_name}",
        body=f"Funds{amount} were released to the budget of {plan.person.full_name} on {event.on:%d %B %Y}.",
        path=_account_path(plan),
    )


def notify_payment_recorded(event: events.PaymentRecorded) -> int:
    """A payment recorded: the care coordinator holding the plan is told what was paid."""
    plan = _plan(event.plan_id)
    what = f"{gbp(event.amount)} to {event.payee}"
    return notify(
        organisation=plan.organisation,
        key=f"payment:{event.entry_id or event.account_id}",
        users=[user for user in [plan.care_coordinator] if user is not None and user.pk != event.actor_id],
        subject=f"Payment recorded: {plan.person.full_name}",
        body=f"{what} was paid from the budget of {plan.person.full_name} on {event.on:%d %B %Y}.",
        path=_account_path(plan),
    )


def notify_broker_assigned(event: events.BrokerAssigned) -> int:
    """A budget names its broker: they are told it is theirs to pay from (in the app and by e-mail)."""
    if event.broker_id is None:
        return 0
    plan = _plan(event.plan_id)
    broker = get_user_model().objects.get(pk=event.broker_id)
    return notify(
        organisation=plan.organisation,
        key=f"account:{event.account_id}:broker:{event.assignment_id}",
        users=[broker],
        subject=f"Budget assigned to you: {plan.person.full_name}",
        body=(
            f"You are now the broker of the personal health budget of {plan.person.full_name} "
            f"({gbp(plan.cost_total)}). Its payments and instalments are on your work list."
        ),
        path=_account_path(plan),
    )


def notify_plan_closed(event: events.PlanClosed) -> int:
    """The budget closed: finance and the broker stop paying."""
    plan = _plan(event.plan_id)
    return notify(
        organisation=plan.organisation,
        key=f"budget:{event.budget_id}:closed",
        users=budget_money_people(plan, Role.FINANCE),
        subject=f"Budget closed: {plan.person.full_name}",
        body=(
            f"The personal health budget of {plan.person.full_name} closed on {event.closed_on:%d %B %Y}. "
            "Its due instalments are cancelled: make no more payments from it."
        ),
        path=_account_path(plan),
    )
