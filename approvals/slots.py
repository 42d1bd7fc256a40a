"""Who could still fill a request's open sign-offs, and whether it is stuck: the reads the rule needs.

Apart from the selectors so that the services (which tell admins of a stuck request) and the
selectors (which show it) share them without importing each other.
"""

from dataclasses import dataclass

from phb.models import MembershipRole

from . import policy as rules
from .constants import RequestStatus
from .models import ApprovalRequest


def author_of(request: ApprovalRequest) -> int | None:
    """The plan version's author, who counts as its submitter for the sign-off rules."""
    return request.plan.created_by_id


def role_holders(*, organisation) -> dict[str, frozenset[int]]:
    """Role -> the ids of the organisation's active members holding it (one query)."""
    holders: dict[str, set[int]] = {}
    grants = MembershipRole.objects.filter(
        organisation=organisation, membership__is_active=True, membership__user__is_active=True
    ).values_list("role", "membership__user_id")
    for role, user_id in grants:
        holders.setdefault(role, set()).add(user_id)
    return {role: frozenset(ids) for role, ids in holders.items()}


@dataclass(frozen=True)
class SlotState:
    open_slots: list[rules.OpenSlot]
    stuck: bool


def slot_state(request: ApprovalRequest, holders: dict[str, frozenset[int]] | None = None) -> SlotState:
    """The request's open sign-offs with how many could still give each, and whether it is stuck.

    Only a pending request can be stuck; `holders` (role_holders) may be passed in for a list.
    """
    if request.status != RequestStatus.PENDING:
        return SlotState(open_slots=[], stuck=False)
    holders = role_holders(organisation=request.organisation_id) if holders is None else holders
    facts = [
        rules.DecisionFact(user_id=d.user_id, role=d.role, decision=d.decision)
        for d in request.decisions.all()
    ]
    arguments = {
        "required": request.required,
        "decisions": facts,
        "holders": holders,
        "submitter_id": request.submitted_by_id,
        "submitter_may_sign": request.submitter_may_sign,
        "author_id": author_of(request),
    }
    return SlotState(open_slots=rules.open_slots(**arguments), stuck=rules.is_stuck(**arguments))
