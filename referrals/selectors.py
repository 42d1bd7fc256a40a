"""Reads of the referrals app: lists, a care coordinator's caseload, the team's, a person's referrals."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from phb.constants import Role
from phb.models import Membership, Organisation, Person, Team

from .constants import ReferralStatus
from .models import Conversation, Referral

User = get_user_model()


def referral_list(
    *,
    organisation: Organisation,
    status: str | None = None,
    care_coordinator=None,
    person_id: int | None = None,
) -> QuerySet[Referral]:
    """The organisation's referrals, ready to show (names and origins joined in, conversations counted)."""
    referrals = (
        Referral.objects.for_org(organisation)
        .select_related(
            "person",
            "care_coordinator",
            "team",
            "transferred_to",
            "transferred_from__organisation",
            "transferred_as",
        )
        .annotate(conversation_count=_conversation_count_subquery())
    )
    if status:
        referrals = referrals.filter(status=status)
    if care_coordinator is not None:
        referrals = referrals.filter(care_coordinator=care_coordinator)
    if person_id is not None:
        referrals = referrals.filter(person_id=person_id)
    return referrals.order_by("-received_on", "-id")


def referral_detail_queryset(*, organisation: Organisation) -> QuerySet[Referral]:
    return Referral.objects.for_org(organisation).select_related(
        "person",
        "care_coordinator",
        "team",
        "transferred_to",
        "transferred_from__organisation",
        "transferred_as",
    )


def conversation_list(*, referral: Referral) -> QuerySet[Conversation]:
    return (
        Conversation.objects.for_org(referral.organisation_id)
        .filter(referral=referral)
        .select_related("created_by")
        .order_by("-held_on", "-id")
    )


def care_coordinators(*, organisation: Organisation) -> QuerySet:
    """Active staff of the organisation who hold the care coordinator role, by name."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__is_active=True,
            memberships__roles__role=Role.CARE_COORDINATOR,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def care_coordinator_lookup(*, organisation: Organisation, value) -> object | None:
    """A care coordinator of the organisation named by user id or username; None if there is none."""
    if value in (None, ""):
        return None
    coordinators = care_coordinators(organisation=organisation)
    text = str(value).strip()
    if text.isdecimal():
        found = coordinators.filter(pk=int(text)).first()
        if found is not None:
            return found
    return coordinators.filter(username=text).first()


# A transfer "stands" (the person is the receiver's to plan for) while the receiver has not declined it.
TRANSFER_STANDS = (ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED)


def standing_transfer(*, organisation: Organisation, person: Person) -> Referral | None:
    """This organisation's transfer of the person that still stands (the receiver has not declined it)."""
    return (
        Referral.objects.for_org(organisation)
        .filter(
            person=person,
            status=ReferralStatus.TRANSFERRED,
            transferred_as__status__in=TRANSFER_STANDS,
        )
        .select_related("transferred_to", "transferred_as")
        .order_by("-closed_at", "-id")
        .first()
    )


def transfer_outcome(referral: Referral) -> dict | None:
    """What became of a transfer this organisation sent: pending, accepted or declined by the receiver."""
    if referral.status != ReferralStatus.TRANSFERRED:
        return None
    received = getattr(referral, "transferred_as", None)
    if received is None:
        return None
    if received.status == ReferralStatus.RECEIVED:
        return {"outcome": "pending", "on": None, "reason": ""}
    if received.status == ReferralStatus.DECLINED:
        return {"outcome": "declined", "on": received.closed_at, "reason": received.status_reason}
    # Accepted (and anything the receiver did after accepting): the person is theirs.
    return {"outcome": "accepted", "on": received.accepted_at, "reason": ""}


def transfer_destinations(*, organisation: Organisation) -> QuerySet[Organisation]:
    """Every other organisation: superusers set organisations up, so their names are not secret."""
    return Organisation.objects.exclude(pk=organisation.pk).order_by("name")


# --- The caseload


@dataclass
class NextStep:
    label: str
    url: str


@dataclass
class CaseloadRow:
    referral: Referral
    next_step: NextStep


def _reverse_or_none(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _latest_plan(field: str) -> Subquery:
    """A field of the referral's newest support plan, read through the `plans` relation that
    support_plans (a later stage) declares on Referral, so that referrals need not import it."""
    return Subquery(
        Referral.objects.filter(pk=OuterRef("pk"), plans__isnull=False)
        .order_by("-plans__id")
        .values(f"plans__{field}")[:1]
    )


def _plan_status_subquery():
    return _latest_plan("status")


def _plan_id_subquery():
    return _latest_plan("id")


def _conversation_count_subquery():
    """The referral's conversations counted in a correlated subquery: unlike Count() over a join, it
    needs no GROUP BY over every joined column of the caseload's rows."""
    return Coalesce(
        Subquery(
            Conversation.objects.filter(referral=OuterRef("pk"))
            .order_by()
            .values("referral")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def _caseload_queryset(organisation: Organisation) -> QuerySet[Referral]:
    return (
        Referral.objects.for_org(organisation)
        .filter(status=ReferralStatus.ACCEPTED)
        .select_related("person", "care_coordinator", "team")
        .annotate(
            conversation_count=_conversation_count_subquery(),
            plan_status=_plan_status_subquery(),
            plan_id=_plan_id_subquery(),
        )
        .order_by("person__family_name", "person__given_name", "id")
    )


def next_step_for(referral: Referral, code: str) -> NextStep:
    """What the care coordinator should do next for an accepted referral (annotated by the caseload)."""
    if not referral.conversation_count:
        return NextStep(
            "Record a conversation",
            reverse("referrals:conversation-create", kwargs={"org": code, "pk": referral.pk}),
        )
    if not referral.plan_status:
        create = _reverse_or_none("support_plans:plan-create", org=code)
        if create:
            create += f"?person={referral.person_id}&referral={referral.pk}"
        return NextStep(
            "Write a support plan",
            create or reverse("referrals:detail", kwargs={"org": code, "pk": referral.pk}),
        )
    detail = _reverse_or_none("support_plans:plan-detail", org=code, pk=referral.plan_id)
    return NextStep(
        f"Support plan {referral.plan_status.replace('_', ' ')}: follow it up",
        detail or reverse("referrals:detail", kwargs={"org": code, "pk": referral.pk}),
    )


def _rows(referrals, code: str) -> list[CaseloadRow]:
    return [CaseloadRow(referral, next_step_for(referral, code)) for referral in referrals]


def caseload_for(*, organisation: Organisation, user) -> list[CaseloadRow]:
    """The accepted referrals a care coordinator holds, each with its next step."""
    return _rows(_caseload_queryset(organisation).filter(care_coordinator=user), organisation.code)


def team_caseload(*, organisation: Organisation, team: Team) -> list[CaseloadRow]:
    """Accepted referrals held by anyone in the team (by their membership now), by care coordinator."""
    in_team = Membership.objects.for_org(organisation).filter(team=team, is_active=True).values("user_id")
    referrals = (
        _caseload_queryset(organisation)
        .filter(care_coordinator_id__in=in_team)
        .order_by(
            "care_coordinator__first_name",
            "care_coordinator__last_name",
            "care_coordinator__username",
            "person__family_name",
            "person__given_name",
            "id",
        )
    )
    return _rows(referrals, organisation.code)


@dataclass
class WaitingRow:
    referral: Referral
    days_waiting: int


def waiting_referrals(
    *, organisation: Organisation, today: date | None = None, limit: int | None = None
) -> list[WaitingRow]:
    """Received referrals nobody has accepted yet, oldest first, with the days each has waited."""
    today = today or timezone.localdate()
    referrals = (
        Referral.objects.for_org(organisation)
        .filter(status=ReferralStatus.RECEIVED, care_coordinator__isnull=True)
        .select_related("person", "transferred_from__organisation")
        .order_by("received_on", "id")
    )
    if limit is not None:
        referrals = referrals[:limit]
    return [WaitingRow(referral, (today - referral.received_on).days) for referral in referrals]


def waiting_count(*, organisation: Organisation) -> int:
    return (
        Referral.objects.for_org(organisation)
        .filter(status=ReferralStatus.RECEIVED, care_coordinator__isnull=True)
        .count()
    )


# --- The person's page


def person_referrals(*, person: Person) -> QuerySet[Referral]:
    return referral_list(organisation=person.organisation_id, person_id=person.pk)


def person_section(person: Person, org_context) -> dict:
    """The referrals part of a person's page."""
    referrals = list(person_referrals(person=person))
    may_refer = org_context.has_role(Role.CARE_COORDINATOR, Role.TEAM_LEAD, Role.PHB_LEAD, Role.COMMISSIONER)
    return {
        "referrals": referrals,
        "may_refer": may_refer,
        # From the rows already loaded (transferred_as is joined in), not another query.
        "standing_transfer": next(
            (
                r
                for r in referrals
                if r.status == ReferralStatus.TRANSFERRED
                and getattr(r, "transferred_as", None) is not None
                and r.transferred_as.status in TRANSFER_STANDS
            ),
            None,
        ),
        "has_open": any(r.status in (ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED) for r in referrals),
    }


def referral_counts(*, organisation: Organisation) -> dict[str, int]:
    """How many referrals of each status, for the list's filter."""
    rows = Referral.objects.for_org(organisation).values("status").annotate(n=Count("id")).order_by()
    counts = {row["status"]: row["n"] for row in rows}
    return {status: counts.get(status, 0) for status in ReferralStatus.values}


def referral_for_page(*, organisation: Organisation) -> QuerySet[Referral]:
    """One referral for its page: joined and annotated so that next_step_for needs no more queries."""
    return referral_detail_queryset(organisation=organisation).annotate(
        conversation_count=Count("conversations"),
        plan_status=_plan_status_subquery(),
        plan_id=_plan_id_subquery(),
    )


def home_panel(org_context) -> dict | None:
    """The home page card: my caseload, and referrals nobody has accepted yet."""
    if not org_context.has_role(Role.CARE_COORDINATOR, Role.TEAM_LEAD, Role.PHB_LEAD, Role.COMMISSIONER):
        return None
    organisation, code = org_context.organisation, org_context.code
    referrals = Referral.objects.for_org(organisation)
    caseload = reverse("referrals:caseload", kwargs={"org": code})
    return {
        "title": "Referrals",
        "items": [
            {
                "label": "in my caseload",
                "url": caseload,
                "count": referrals.filter(
                    status=ReferralStatus.ACCEPTED, care_coordinator=org_context.user
                ).count(),
            },
            {
                "label": "waiting to be accepted",
                "url": caseload,
                "urgent": True,
                "count": referrals.filter(
                    status=ReferralStatus.RECEIVED, care_coordinator__isnull=True
                ).count(),
            },
        ],
    }
