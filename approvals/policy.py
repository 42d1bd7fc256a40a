"""The tiered approval rule: validating a policy, choosing the tier for a plan, and who may fill a slot.

Pure functions over plain values (no Django), so that the one place the rule lives can be read,
type-checked (mypy --strict) and tested with hypothesis on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from phb.money import PENNY, gbp

BASES = ("total", "weekly", "annual")
APPROVE, DECLINE, RETURN = "approve", "decline", "return"
DECISIONS = (APPROVE, DECLINE, RETURN)

# Every role of phb.constants.Role but the region viewer, who sees aggregates only and so can
# never read the plan it would be signing (a test keeps this in step with Role).
SIGNING_ROLES = frozenset(
    {
        "care_coordinator",
        "team_lead",
        "phb_lead",
        "lived_experience_reviewer",
        "commissioner",
        "broker",
        "finance",
        "org_admin",
    }
)
ALL_ROLES = SIGNING_ROLES | {"region_viewer"}

MAX_BOUND = Decimal("1000000.00")
MAX_COUNT = 20


class PolicyError(ValueError):
    """A policy that cannot be used; `errors` maps a field path ("tiers[1].up_to") to messages."""

    def __init__(self, errors: Mapping[str, list[str]]):
        self.errors: dict[str, list[str]] = {key: list(value) for key, value in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


@dataclass(frozen=True)
class Signoff:
    role: str
    count: int


@dataclass(frozen=True)
class Tier:
    up_to: Decimal | None
    basis: str
    signoffs: tuple[Signoff, ...]
    submitter_may_sign: bool = False

    def as_json(self) -> dict[str, Any]:
        """The stored and API form: money as a string with two decimals."""
        return {
            "up_to": None if self.up_to is None else f"{self.up_to:.2f}",
            "basis": self.basis,
            "signoffs": [{"role": s.role, "count": s.count} for s in self.signoffs],
            "submitter_may_sign": self.submitter_may_sign,
        }


@dataclass(frozen=True)
class DecisionFact:
    """What the rule needs to know of a decision already recorded on a request."""

    user_id: int
    role: str
    decision: str


# --- Validation


def _parse_bound(value: Any) -> Decimal | str:
    """The bound as a Decimal, or the message saying what is wrong with it."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return "Enter an amount in pounds, like 250.00."
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return "Enter an amount in pounds, like 250.00."
    if not amount.is_finite():
        return "Enter an amount in pounds, like 250.00."
    if amount <= 0:
        return "The upper bound must be more than £0."
    if amount > MAX_BOUND:
        return "The upper bound cannot be more than £1,000,000.00."
    if amount != amount.quantize(PENNY):
        return "Use at most two decimal places (pounds and pence)."
    return amount.quantize(PENNY)


def _parse_signoffs(
    value: Any, path: str, known_roles: frozenset[str], errors: dict[str, list[str]]
) -> tuple[Signoff, ...]:
    if not isinstance(value, list | tuple) or not value:
        errors[path] = ["Add at least one sign-off (a role and how many)."]
        return ()
    signoffs: list[Signoff] = []
    seen: set[str] = set()
    for position, entry in enumerate(value):
        here = f"{path}[{position}]"
        if not isinstance(entry, Mapping):
            errors[here] = ['Each sign-off is {"role": ..., "count": ...}.']
            continue
        role = entry.get("role")
        count = entry.get("count", 1)
        if not isinstance(role, str) or role not in known_roles:
            errors[f"{here}.role"] = [f"{role!r} is not a role that can sign off plans."]
        elif role in seen:
            errors[f"{here}.role"] = [f"{_default_label(role)} is listed twice; raise its count instead."]
        if isinstance(count, bool) or not isinstance(count, int):
            if isinstance(count, str) and count.strip().isdecimal():
                count = int(count)
            else:
                errors[f"{here}.count"] = ["Enter a whole number of sign-offs, 1 or more."]
                continue
        if count < 1:
            errors[f"{here}.count"] = ["Enter a whole number of sign-offs, 1 or more."]
        elif count > MAX_COUNT:
            errors[f"{here}.count"] = [f"A tier cannot need more than {MAX_COUNT} sign-offs of one role."]
        if isinstance(role, str) and role in known_roles and role not in seen and 1 <= count <= MAX_COUNT:
            signoffs.append(Signoff(role=role, count=count))
        if isinstance(role, str):
            seen.add(role)
    return tuple(signoffs)


def validate_tiers(tiers: Any, known_roles: Iterable[str] = SIGNING_ROLES) -> list[Tier]:
    """Parse and check a policy's tiers; raise PolicyError naming every field that is wrong.

    Rules: at least one tier; each bounded tier's `up_to` is an amount over £0 with at most two
    decimals, strictly increasing down the list among tiers measured on the same basis (a £300
    total tier may be followed by a £100 a week tier); the last tier, and only the last, has no bound
    (so every plan finds a tier); the basis is total, weekly or annual; each tier needs at least
    one sign-off, of a known role, counted 1 or more; `submitter_may_sign` is true or false.
    """
    roles = frozenset(known_roles)
    if not isinstance(tiers, list | tuple) or not tiers:
        raise PolicyError({"tiers": ["Add at least one tier."]})
    errors: dict[str, list[str]] = {}
    parsed: list[Tier] = []
    previous: dict[str, Decimal] = {}  # the last bound seen on each basis
    last = len(tiers) - 1
    for index, raw in enumerate(tiers):
        path = f"tiers[{index}]"
        if not isinstance(raw, Mapping):
            errors[path] = ["Each tier is an object with up_to, basis, signoffs and submitter_may_sign."]
            continue
        up_to: Decimal | None = None
        raw_bound = raw.get("up_to")
        if index == last:
            if raw_bound not in (None, ""):
                errors[f"{path}.up_to"] = [
                    "The last tier has no upper bound (null): every plan must find a tier."
                ]
        elif raw_bound in (None, ""):
            errors[f"{path}.up_to"] = ["Only the last tier can have no upper bound."]
        else:
            bound = _parse_bound(raw_bound)
            if isinstance(bound, str):
                errors[f"{path}.up_to"] = [bound]
            else:
                before = previous.get(str(raw.get("basis")))
                if before is not None and bound <= before:
                    errors[f"{path}.up_to"] = [
                        f"Each upper bound must be more than the one before it on the same basis (£{before:,.2f})."
                    ]
                previous[str(raw.get("basis"))] = bound
                up_to = bound
        basis = raw.get("basis")
        if basis not in BASES:
            errors[f"{path}.basis"] = [f"Choose a basis: {', '.join(BASES)}."]
        signoffs = _parse_signoffs(raw.get("signoffs"), f"{path}.signoffs", roles, errors)
        may_sign = raw.get("submitter_may_sign", False)
        if not isinstance(may_sign, bool):
            errors[f"{path}.submitter_may_sign"] = ["Must be true or false."]
            may_sign = False
        parsed.append(Tier(up_to=up_to, basis=str(basis), signoffs=signoffs, submitter_may_sign=may_sign))
    if errors:
        raise PolicyError(errors)
    return parsed


def tiers_as_json(tiers: Sequence[Tier]) -> list[dict[str, Any]]:
    return [tier.as_json() for tier in tiers]


# --- Choosing the tier


def measure(costs: Any, basis: str) -> Decimal:
    """The plan's cost on one basis; `costs` is a mapping or an object with total/weekly/annual."""
    value = costs[basis] if isinstance(costs, Mapping) else getattr(costs, basis)
    return Decimal(value)


def choose_tier(tiers: Sequence[Tier], costs: Any) -> tuple[int, Tier, Decimal]:
    """(0-based index, tier, amount measured): the first tier whose bound the plan does not exceed.

    Each tier is measured on its own basis (a policy may bound tier 1 by total and tier 2 by
    weekly cost); bounds are inclusive, so a plan of exactly £250 total is within "up to £250".
    """
    for index, tier in enumerate(tiers):
        amount = measure(costs, tier.basis)
        if tier.up_to is None or amount <= tier.up_to:
            return index, tier, amount
    raise PolicyError({"tiers": ["No tier applies: the last tier must have no upper bound."]})


# --- Who may fill a slot


def _signoffs(required: Iterable[Signoff | Mapping[str, Any]]) -> list[Signoff]:
    return [
        s if isinstance(s, Signoff) else Signoff(role=str(s["role"]), count=int(s["count"])) for s in required
    ]


def slots_open(
    required: Iterable[Signoff | Mapping[str, Any]], decisions: Iterable[DecisionFact]
) -> dict[str, int]:
    """Role -> how many of its sign-offs are still to be given (roles with none left are omitted)."""
    filled: dict[str, int] = {}
    for decision in decisions:
        if decision.decision == APPROVE:
            filled[decision.role] = filled.get(decision.role, 0) + 1
    remaining = {s.role: s.count - filled.get(s.role, 0) for s in _signoffs(required)}
    return {role: count for role, count in remaining.items() if count > 0}


def slots_count(
    required: Iterable[Signoff | Mapping[str, Any]], decisions: Iterable[DecisionFact]
) -> tuple[int, int]:
    """(sign-offs given, sign-offs needed)."""
    signoffs = _signoffs(required)
    needed = sum(s.count for s in signoffs)
    still_open = sum(slots_open(signoffs, decisions).values())
    return needed - still_open, needed


def refusal(
    *,
    decision: str,
    role: str,
    user_id: int,
    user_roles: Iterable[str],
    submitter_id: int,
    submitter_may_sign: bool,
    required: Iterable[Signoff | Mapping[str, Any]],
    decisions: Sequence[DecisionFact],
    author_id: int | None = None,
) -> str | None:
    """Why this user may not make this decision as this role on the request, or None if they may.

    Every sign-off comes from a distinct user holding the role; a user fills at most one slot (and
    so makes at most one decision on a request); the submitter signs only where the tier allows, and
    so does the plan version's author (segregation of duties: whoever wrote the plan counts as its
    submitter). Approving needs an open slot of the role; declining or returning needs only a place
    on the panel.
    """
    signoffs = _signoffs(required)
    if role not in set(user_roles):
        return f"You do not hold the role {_default_label(role)} in this organisation."
    if role not in {s.role for s in signoffs}:
        return f"This request needs no sign-off from a {_default_label(role)}."
    if any(d.user_id == user_id for d in decisions):
        return "You have already decided on this request: each person fills at most one sign-off."
    if user_id == submitter_id and not submitter_may_sign:
        return "At this tier the person who submitted the plan cannot sign it off."
    if user_id == author_id and not submitter_may_sign:
        return "At this tier the person who wrote the plan cannot sign it off."
    if decision == APPROVE and slots_open(signoffs, decisions).get(role, 0) < 1:
        return f"The {_default_label(role)} sign-off is already given."
    return None


def may_fill(
    *,
    role: str,
    user_id: int,
    user_roles: Iterable[str],
    submitter_id: int,
    submitter_may_sign: bool,
    required: Iterable[Signoff | Mapping[str, Any]],
    decisions: Sequence[DecisionFact],
    author_id: int | None = None,
) -> bool:
    """True if the user may fill an open sign-off of this role on the request."""
    return (
        refusal(
            decision=APPROVE,
            role=role,
            user_id=user_id,
            user_roles=user_roles,
            submitter_id=submitter_id,
            submitter_may_sign=submitter_may_sign,
            required=required,
            decisions=decisions,
            author_id=author_id,
        )
        is None
    )


def fillable_roles(
    *,
    user_id: int,
    user_roles: Iterable[str],
    submitter_id: int,
    submitter_may_sign: bool,
    required: Iterable[Signoff | Mapping[str, Any]],
    decisions: Sequence[DecisionFact],
    author_id: int | None = None,
) -> list[str]:
    """The roles, in the policy's order, whose open sign-off this user may fill."""
    signoffs = _signoffs(required)
    roles = set(user_roles)
    return [
        s.role
        for s in signoffs
        if may_fill(
            role=s.role,
            user_id=user_id,
            user_roles=roles,
            submitter_id=submitter_id,
            submitter_may_sign=submitter_may_sign,
            required=signoffs,
            decisions=decisions,
            author_id=author_id,
        )
    ]


# --- Sign-offs that cannot happen


@dataclass(frozen=True)
class OpenSlot:
    """A sign-off still to be given: how many more, and how many distinct people could still give it."""

    role: str
    remaining: int
    eligible: int

    def as_json(self) -> dict[str, Any]:
        return {"role": self.role, "remaining": self.remaining, "eligible": self.eligible}


def _can_fill_all(needs: Mapping[str, int], candidates: Mapping[str, frozenset[int]]) -> bool:
    """Can every needed sign-off go to a different person? (bipartite matching, augmenting paths)

    A person holding two roles counts towards both slots' `eligible`, but can fill only one of them:
    a care coordinator + team lead tier with one person holding both roles can never be approved.
    """
    slots = [role for role, count in needs.items() for _ in range(count)]
    holder_of: dict[int, int] = {}  # person -> the slot they fill

    def place(slot: int, seen: set[int]) -> bool:
        for person in sorted(candidates.get(slots[slot], frozenset())):
            if person in seen:
                continue
            seen.add(person)
            if person not in holder_of or place(holder_of[person], seen):
                holder_of[person] = slot
                return True
        return False

    return all(place(slot, set()) for slot in range(len(slots)))


def eligible_people(
    *,
    required: Iterable[Signoff | Mapping[str, Any]],
    decisions: Sequence[DecisionFact],
    holders: Mapping[str, Iterable[int]],
    submitter_id: int,
    submitter_may_sign: bool,
    author_id: int | None = None,
) -> dict[str, frozenset[int]]:
    """Role -> the people who could still fill its open sign-off: holding the role, not decided on
    the request yet, and neither the submitter nor the plan's author unless the tier lets them sign."""
    decided = {d.user_id for d in decisions}
    excluded = set() if submitter_may_sign else {submitter_id, author_id}
    return {
        role: frozenset(set(holders.get(role, ())) - decided - excluded)
        for role in slots_open(required, decisions)
    }


def open_slots(
    *,
    required: Iterable[Signoff | Mapping[str, Any]],
    decisions: Sequence[DecisionFact],
    holders: Mapping[str, Iterable[int]],
    submitter_id: int,
    submitter_may_sign: bool,
    author_id: int | None = None,
) -> list[OpenSlot]:
    """The open sign-offs of a request, in the policy's order, each with how many could still give it.

    `holders` maps each role to the ids of the organisation's active members holding it.
    """
    signoffs = _signoffs(required)
    still_open = slots_open(signoffs, decisions)
    candidates = eligible_people(
        required=signoffs,
        decisions=decisions,
        holders=holders,
        submitter_id=submitter_id,
        submitter_may_sign=submitter_may_sign,
        author_id=author_id,
    )
    return [
        OpenSlot(role=s.role, remaining=still_open[s.role], eligible=len(candidates[s.role]))
        for s in signoffs
        if s.role in still_open
    ]


def is_stuck(
    *,
    required: Iterable[Signoff | Mapping[str, Any]],
    decisions: Sequence[DecisionFact],
    holders: Mapping[str, Iterable[int]],
    submitter_id: int,
    submitter_may_sign: bool,
    author_id: int | None = None,
) -> bool:
    """True when the request can never be approved by the people the organisation has now.

    Stuck when some open slot has fewer eligible people than sign-offs remaining, or when the slots
    together need more different people than can fill them (one person holding two needed roles).
    """
    signoffs = _signoffs(required)
    still_open = slots_open(signoffs, decisions)
    candidates = eligible_people(
        required=signoffs,
        decisions=decisions,
        holders=holders,
        submitter_id=submitter_id,
        submitter_may_sign=submitter_may_sign,
        author_id=author_id,
    )
    if any(len(candidates[role]) < count for role, count in still_open.items()):
        return True
    return not _can_fill_all(still_open, candidates)


def tier_shortfalls(
    tiers: Sequence[Tier], holders: Mapping[str, Iterable[int]], label: Callable[[str], str] | None = None
) -> list[str]:
    """Warnings for the policy editor: tiers needing more distinct holders of a role than there are.

    A tier that cannot be filled by the organisation's members as they stand would leave every plan
    it applies to stuck; the policy may still be saved (staff may be about to join).
    """
    name = label or _default_label
    people = {role: frozenset(ids) for role, ids in holders.items()}
    warnings = []
    for index, tier in enumerate(tiers):
        short = [s for s in tier.signoffs if s.count > len(people.get(s.role, frozenset()))]
        for signoff in short:
            have = len(people.get(signoff.role, frozenset()))
            warnings.append(
                f"Tier {index + 1} needs {signoff.count} different {name(signoff.role)}"
                f"{'s' if signoff.count != 1 else ''}, but the organisation has {have}."
            )
        needs = {s.role: s.count for s in tier.signoffs}
        if not short and not _can_fill_all(needs, people):
            total = sum(needs.values())
            warnings.append(
                f"Tier {index + 1} needs {total} sign-offs from different people, but not enough different "
                "people hold those roles (one person can fill only one sign-off)."
            )
    return warnings


# --- Plain-English descriptions


def _default_label(role: str) -> str:
    """'care coordinator', 'PHB lead': a role code as words, for a sentence."""
    return role.replace("_", " ").replace("phb", "PHB")


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def describe_signoffs(
    required: Iterable[Signoff | Mapping[str, Any]], label: Callable[[str], str] = _default_label
) -> str:
    """'a care coordinator and a team lead', '2 commissioners and a PHB lead clinician'."""
    parts = []
    for signoff in _signoffs(required):
        name = label(signoff.role)
        parts.append(f"{_article(name)} {name}" if signoff.count == 1 else f"{signoff.count} {name}s")
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def describe_measure(amount: Decimal, basis: str) -> str:
    return {"total": f"{gbp(amount)} total", "weekly": f"{gbp(amount)} a week"}.get(
        basis, f"{gbp(amount)} a year"
    )


def explain_tier(
    tiers: Sequence[Tier], index: int, amount: Decimal, label: Callable[[str], str] = _default_label
) -> str:
    """Why a tier applies: '£600.00 total is over £250.00 and at most £750.00: needs a care
    coordinator and a team lead'."""
    tier = tiers[index]
    lower = next(
        (t.up_to for t in reversed(tiers[:index]) if t.basis == tier.basis and t.up_to is not None), None
    )
    conditions = []
    if lower is not None:
        conditions.append(f"over {gbp(lower)}")
    if tier.up_to is not None:
        conditions.append(f"at most {gbp(tier.up_to)}")
    where = " and ".join(conditions) if conditions else "within the only tier"
    needs = describe_signoffs(tier.signoffs, label)
    submitter = "" if not tier.submitter_may_sign else " (the submitter may sign)"
    return f"{describe_measure(amount, tier.basis)} is {where}: tier {index + 1} needs {needs}{submitter}"
