"""What the reviews stage does when earlier stages act (listed in phb/flow.py)."""

from phb import events
from support_plans.models import SupportPlan

from .bulk import reviews_schedule_bulk
from .services import reviews_schedule_for_plan


def on_plan_activated(event: events.PlanActivated) -> None:
    """The budget is in use: its reviews are scheduled ("first review within three months")."""
    reviews_schedule_for_plan(actor=events.actor_of(event), plan=SupportPlan.objects.get(pk=event.plan_id))


def on_plan_approved(event: events.PlanApproved) -> None:
    """A revision of a budget in use was approved: the budget's open reviews move to the new version."""
    if event.continues_active:
        reviews_schedule_for_plan(
            actor=events.actor_of(event), plan=SupportPlan.objects.get(pk=event.plan_id)
        )


def on_plans_activated(event: events.PlansActivated) -> None:
    """Many budgets in use at once (an import's opening payments): their reviews are scheduled."""
    reviews_schedule_bulk(actor=events.actor_of(event), plan_ids=event.plan_ids)
