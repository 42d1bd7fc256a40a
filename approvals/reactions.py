"""What the approvals stage does when earlier stages act (listed in phb/flow.py)."""

from phb import events
from support_plans.models import SupportPlan

from .models import ApprovalRequest
from .services import approval_request_open


def on_plan_submitted(event: events.PlanSubmitted) -> ApprovalRequest:
    """A plan was submitted: open its approval request under the policy in force."""
    plan = SupportPlan.objects.select_related("organisation", "person").get(pk=event.plan_id)
    return approval_request_open(actor=events.actor_of(event), plan=plan)
