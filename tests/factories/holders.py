"""Budget holders, made the way a real one is: a care coordinator's invitation, accepted."""

from phb import invitations
from phb.models import HolderRelation

__all__ = ["HOLDER_PASSWORD", "budget_holder_for"]

HOLDER_PASSWORD = "correct-horse-battery-9"


def budget_holder_for(person, *, username: str, actor=None, acting_as=HolderRelation.PERSON):
    """The account of someone invited to see `person`'s budget online (invited and accepted)."""
    _invitation, token = invitations.holder_invitation_create(
        actor=actor, person=person, email=f"{username}@example.org", acting_as=acting_as
    )
    return invitations.holder_invitation_accept(token=token, username=username, password=HOLDER_PASSWORD)
