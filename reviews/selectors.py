"""Reads of the reviews app: review lists (due, overdue, completed), worklists, a person's reviews and measures."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from phb.constants import Role
from phb.models import Membership, Organisation, Person
from support_plans.constants import PlanStatus
from support_plans.models import SupportPlan

from .chart import attainment_chart, outcome_chart
from .constants import INSTRUMENT_RANGES, Attainment, Instrument, ReviewStatus
from .models import GoalAttainment, OutcomeMeasure, Review
from .services import review_policy_get

LIST_STATUSES = ("due", "overdue", "completed", "scheduled", "cancelled")
DUE_THIS_WEEK_DAYS = 7


def _base(organisation: Organisation) -> QuerySet[Review]:
    return Review.objects.for_org(organisation).select_related(
        "person", "plan", "plan__care_coordinator", "budget"
    )


def review_list(
    *,
    organisation: Organisation,
    status: str | None = None,
    today: date | None = None,
    coordinator=None,
) -> QuerySet[Review]:
    """Reviews of the organisation. `due`: scheduled and not yet overdue; `overdue`: scheduled and
    past its due date; `completed`. A closed budget's reviews are no longer due or overdue."""
    today = today or timezone.localdate()
    reviews = _base(organisation)
    if status in ("due", "overdue"):
        reviews = reviews.filter(status=ReviewStatus.SCHEDULED, budget__closed_on__isnull=True)
        reviews = reviews.filter(due_on__gte=today) if status == "due" else reviews.filter(due_on__lt=today)
    elif status == "completed":
        reviews = reviews.filter(status=ReviewStatus.COMPLETED).order_by("-completed_on", "-id")
    elif status in ("scheduled", "cancelled"):
        reviews = reviews.filter(status=status)
    if coordinator is not None:
        reviews = reviews.filter(plan__care_coordinator=coordinator)
    return reviews


def _with_days_overdue(reviews, today: date) -> list[Review]:
    rows = list(reviews)
    for review in rows:
        review.days_overdue = max(0, (today - review.due_on).days)
    return rows


def _worklist(reviews: QuerySet[Review], today: date) -> dict:
    open_reviews = reviews.filter(status=ReviewStatus.SCHEDULED, budget__closed_on__isnull=True)
    return {
        "overdue": _with_days_overdue(open_reviews.filter(due_on__lt=today).order_by("due_on", "id"), today),
        "due_this_week": _with_days_overdue(
            open_reviews.filter(due_on__gte=today, due_on__lte=today + timedelta(days=DUE_THIS_WEEK_DAYS)),
            today,
        ),
    }


def team_coordinators(*, organisation: Organisation, user) -> list:
    """The care coordinators a team lead oversees: those in the lead's team (the whole organisation's
    when the lead has no team)."""
    members = Membership.objects.for_org(organisation).filter(
        is_active=True, roles__role=Role.CARE_COORDINATOR
    )
    team_id = (
        Membership.objects.for_org(organisation).filter(user=user).values_list("team_id", flat=True).first()
    )
    if team_id:
        members = members.filter(team_id=team_id)
    return [m.user for m in members.select_related("user").distinct()]


def review_worklists(*, organisation: Organisation, user, org_context, today: date | None = None) -> dict:
    """The reviews page: my overdue and due-this-week reviews, and my team's for a team lead."""
    today = today or timezone.localdate()
    reviews = _base(organisation)
    context = {"today": today, "mine": _worklist(reviews.filter(plan__care_coordinator=user), today)}
    if org_context.has_role(Role.TEAM_LEAD):
        coordinators = team_coordinators(organisation=organisation, user=user)
        context["team"] = _worklist(reviews.filter(plan__care_coordinator__in=coordinators), today)
    elif org_context.has_role(Role.PHB_LEAD):
        context["team"] = _worklist(reviews, today)
    return context


def person_reviews(person: Person) -> list[dict]:
    """The person API's `reviews` section."""
    reviews = (
        Review.objects.for_org(person.organisation)
        .filter(person=person)
        .prefetch_related("measures", "goal_attainments")
        .order_by("due_on", "id")
    )
    return [
        {
            "id": review.pk,
            "plan": review.plan_id,
            "kind": review.kind,
            "status": review.status,
            "due_on": review.due_on.isoformat(),
            "held_on": review.held_on.isoformat() if review.held_on else None,
            "completed_on": review.completed_on.isoformat() if review.completed_on else None,
            "decision": review.decision or None,
            "measures": [
                {
                    "instrument": m.instrument,
                    "score": f"{m.score:.2f}",
                    "recorded_on": m.recorded_on.isoformat(),
                }
                for m in review.measures.all()
            ],
            "goals": [
                {"goal": g.goal_id, "attainment": int(g.attainment)} for g in review.goal_attainments.all()
            ],
        }
        for review in reviews
    ]


def person_measures(person: Person) -> QuerySet[OutcomeMeasure]:
    return (
        OutcomeMeasure.objects.for_org(person.organisation)
        .filter(person=person)
        .order_by("recorded_on", "instrument", "id")
    )


def goal_attainment_over_time(person: Person) -> dict:
    """Each goal's attainment at each completed review: the rows of the data table and the chart.

    A goal keeps its line across plan revisions (a revision copies the goals), so the lines are
    keyed by the goal's words rather than by the row of one plan version.
    """
    attainments = (
        GoalAttainment.objects.for_org(person.organisation)
        .filter(review__person=person, review__held_on__isnull=False)
        .select_related("goal", "review")
        .order_by("review__held_on", "goal__description", "id")
    )
    labels = dict(Attainment.choices)
    rows, series = [], {}
    for attainment in attainments:
        score = int(attainment.attainment)
        goal = attainment.goal.description
        rows.append(
            {
                "held_on": attainment.review.held_on,
                "goal": goal,
                "score": f"{score:+d}" if score else "0",
                "label": labels.get(attainment.attainment, attainment.attainment),
            }
        )
        series.setdefault(goal, []).append((attainment.review.held_on, Decimal(score)))
    return {"attainments": rows, "attainment_chart": attainment_chart(series)}


def person_section(person: Person, org_context) -> dict:
    """The reviews part of a person's page: upcoming and past reviews, outcome measures over time."""
    today = timezone.localdate()
    reviews = list(
        _base(person.organisation)
        .filter(person=person)
        .prefetch_related("goal_attainments__goal")
        .order_by("due_on", "id")
    )
    for review in reviews:
        review.days_overdue = (
            max(0, (today - review.due_on).days) if review.status == ReviewStatus.SCHEDULED else 0
        )
    measures = list(person_measures(person))
    series: dict[str, list] = {}
    for measure in measures:
        series.setdefault(measure.instrument, []).append((measure.recorded_on, measure.score))
    ceilings = {str(instrument): high for instrument, (_low, high) in INSTRUMENT_RANGES.items()}
    return {
        "upcoming": [r for r in reviews if r.status == ReviewStatus.SCHEDULED],
        "past": sorted(
            (r for r in reviews if r.status != ReviewStatus.SCHEDULED),
            key=lambda r: r.held_on or r.due_on,
            reverse=True,
        ),
        "measures": measures,
        "chart": outcome_chart(series, ceilings),
        **goal_attainment_over_time(person),
        "instrument_labels": dict(Instrument.choices),
        "ranges": {str(i): r for i, r in INSTRUMENT_RANGES.items()},
        "plans_in_place": SupportPlan.objects.for_org(person.organisation)
        .filter(person=person, status__in=(PlanStatus.APPROVED, PlanStatus.ACTIVE))
        .order_by("-version"),
        "can_request": org_context.has_role(Role.CARE_COORDINATOR, Role.TEAM_LEAD, Role.PHB_LEAD),
        "today": today,
    }


def team_reviews_overdue(org_context, today: date) -> QuerySet[Review]:
    """Overdue reviews of plans held by the team lead's team (the whole organisation's with no team)."""
    overdue = _base(org_context.organisation).filter(
        status=ReviewStatus.SCHEDULED, budget__closed_on__isnull=True, due_on__lt=today
    )
    membership = org_context.membership
    if membership is None or membership.team_id is None:
        return overdue
    team = Membership.objects.for_org(org_context.organisation).filter(team_id=membership.team_id)
    return overdue.filter(plan__care_coordinator__in=team.values("user_id"))


def home_panel(org_context) -> dict | None:
    """The home page card: my team's overdue reviews (team leads), my reviews overdue and due this week."""
    from django.urls import reverse

    if not org_context.has_role(Role.CARE_COORDINATOR, Role.TEAM_LEAD):
        return None
    today = timezone.localdate()
    mine = _base(org_context.organisation).filter(
        plan__care_coordinator=org_context.user, status=ReviewStatus.SCHEDULED, budget__closed_on__isnull=True
    )
    reviews = reverse("reviews:list", kwargs={"org": org_context.code})
    team_items = []
    if org_context.has_role(Role.TEAM_LEAD):
        team_items.append(
            {
                "label": "of my team's reviews overdue",
                "url": reviews,
                "urgent": True,
                "count": team_reviews_overdue(org_context, today).count(),
            }
        )
    return {
        "title": "Reviews",
        "items": [
            *team_items,
            {
                "label": "of my reviews overdue",
                "url": reviews,
                "urgent": True,
                "count": mine.filter(due_on__lt=today).count(),
            },
            {
                "label": "of my reviews due this week",
                "url": reviews,
                "count": mine.filter(
                    due_on__gte=today, due_on__lte=today + timedelta(days=DUE_THIS_WEEK_DAYS)
                ).count(),
            },
        ],
    }


def plan_first_review(plan: SupportPlan) -> str:
    """The support plan's part (AppConfig.plan_parts): when it will be reviewed, in plain English for
    the person's copy."""
    review = plan.reviews.filter(status=ReviewStatus.SCHEDULED).order_by("due_on").first()
    if review is not None:
        return f"Your first review is planned for {review.due_on:%-d %B %Y}."
    weeks = review_policy_get(plan.organisation).first_review_weeks
    # Direct payments must be reviewed within three months of starting.
    when = (
        "within 3 months of your plan starting"
        if weeks == 12
        else f"within {weeks} weeks of your plan starting"
    )
    by = plan.start_date + timedelta(weeks=weeks)
    return f"We will review your plan with you {when} (by {by:%-d %B %Y})."
