"""What the payments stage does when earlier stages act (listed in phb/flow.py)."""

from phb import events
from support_plans.models import Budget, SupportPlan

from .services import account_close, account_open_or_resize


def on_plan_approved(event: events.PlanApproved) -> None:
    """The last sign-off landed: the budget account opens, or is re-sized for a revision."""
    account_open_or_resize(actor=events.actor_of(event), plan=SupportPlan.objects.get(pk=event.plan_id))


def on_plan_closed(event: events.PlanClosed) -> None:
    """The budget closed: its due instalments are cancelled and no payment is taken after this."""
    budget = Budget.objects.get(pk=event.budget_id)
    account_close(actor=events.actor_of(event), budget=budget, closed_on=event.closed_on)
