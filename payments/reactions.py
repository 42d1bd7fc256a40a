"""What the payments stage does when earlier stages act (listed in phb/flow.py)."""

from phb import events
from support_plans.models import Budget, SupportPlan

from .fund_services import fund_release_at_approval
from .services import account_close, account_open_or_resize


def on_plan_approved(event: events.PlanApproved) -> None:
    """The last sign-off landed: the budget account opens, or is re-sized for a revision."""
    account_open_or_resize(actor=events.actor_of(event), plan=SupportPlan.objects.get(pk=event.plan_id))


def on_plan_approved_release_from_fund(event: events.PlanApproved) -> None:
    """The account is open: a fund agreed in advance with room releases the year's money at once.

    A revision of a budget in use carries on with what was released for it; any more is by hand.
    """
    if event.continues_active:
        return
    fund_release_at_approval(
        actor=events.actor_of(event), plan=SupportPlan.objects.get(pk=event.plan_id), at=event.at
    )


def on_plan_closed(event: events.PlanClosed) -> None:
    """The budget closed: its due instalments are cancelled and no payment is taken after this."""
    budget = Budget.objects.get(pk=event.budget_id)
    account_close(actor=events.actor_of(event), budget=budget, closed_on=event.closed_on)
