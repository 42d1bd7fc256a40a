"""Demo data of the budget holder's view: one person of City and Hackney can sign in to /my/."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from phb import invitations
from phb.demo import DEMO_PASSWORD
from phb.models import HolderRelation
from reviews.constants import ReviewStatus
from reviews.models import Review
from support_plans.constants import IN_PLACE_STATUSES, Management
from support_plans.models import SupportPlan

USERNAME = "ch_budget_holder"


def seed(context) -> None:
    if get_user_model().objects.filter(username=USERNAME).exists():
        return
    organisation = next((o for o in context.organisations if o.code == "07T"), None)
    if organisation is None:
        return
    reviewed = Review.objects.filter(budget=OuterRef("budget"), status=ReviewStatus.COMPLETED)
    plans = (
        SupportPlan.objects.for_org(organisation)
        .filter(status__in=IN_PLACE_STATUSES)
        .annotate(reviewed=Exists(reviewed))
        .select_related("person")
    )
    # The person with reviews to chart, on a direct payment if one is (so receipts show too).
    plan = (
        plans.filter(reviewed=True, management=Management.DIRECT_PAYMENT).first()
        or plans.filter(reviewed=True).first()
        or plans.order_by("pk").first()
    )
    if plan is None:
        context.lines.append("holders: no plan in place in 07T; no budget holder login")
        return
    coordinator = plan.care_coordinator or context.staff["07T"]["care_coordinator"]
    _invitation, token = invitations.holder_invitation_create(
        actor=coordinator,
        person=plan.person,
        email="budget.holder@example.org",
        acting_as=HolderRelation.PERSON,
    )
    invitations.holder_invitation_accept(token=token, username=USERNAME, password=DEMO_PASSWORD)
    context.lines.append(f"holders: {USERNAME} sees the budget of {plan.person.full_name} at /my/")
