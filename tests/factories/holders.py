"""Budget holders, made the way a real one is: a care coordinator's invitation, accepted."""

from decimal import Decimal

from django.utils import timezone

from payments import services as payment_services
from phb import invitations
from phb.models import HolderRelation

from .payments import approved_plan, open_account

__all__ = ["HOLDER_PASSWORD", "budget_holder_for", "budget_in_place"]

HOLDER_PASSWORD = "correct-horse-battery-9"


def budget_holder_for(person, *, username: str, actor=None, acting_as=HolderRelation.PERSON):
    """The account of someone invited to see `person`'s budget online (invited and accepted)."""
    _invitation, token = invitations.holder_invitation_create(
        actor=actor, person=person, email=f"{username}@example.org", acting_as=acting_as
    )
    return invitations.holder_invitation_accept(token=token, username=username, password=HOLDER_PASSWORD)


def budget_in_place(organisation, person, *, coordinator, finance, management="direct_payment", paid="35.00"):
    """An active plan of `person` with one goal, its account open, funds released and one payment."""
    plan = approved_plan(
        organisation,
        person=person,
        total="300.00",
        items=[
            {"description": "Swimming pass", "amount": "300.00", "supplier_name": "Better Leisure"},
        ],
    )
    plan.management = management
    plan.care_coordinator = coordinator
    plan.save(update_fields=["management", "care_coordinator"])
    plan.goals.create(organisation=organisation, description="I want to swim twice a week", position=0)
    open_account(plan)
    payment_services.release_record(
        actor=finance, plan=plan, amount=Decimal("300.00"), released_on=timezone.localdate()
    )
    if paid:
        payment_services.payment_record(
            actor=finance,
            plan=plan,
            amount=Decimal(paid),
            paid_on=timezone.localdate(),
            method="bank_transfer",
            payee="Better Leisure",
            reference="SWIM-1",
            idempotency_key=None,
        )
    plan.refresh_from_db()
    return plan
