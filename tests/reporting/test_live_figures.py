"""The live figures (reporting/live.py) against the recount, after random pathway actions.

Every action goes through the services (so through their audit records and the DataChanged
reaction), never through factories that would bypass them; after each step today's dashboard and
return from the summaries must equal the same counted afresh, figure for figure.
"""

import os
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from approvals import services as approvals
from approvals.models import ApprovalRequest
from payments import services as payments
from payments.models import LedgerEntry
from phb import services as kernel
from phb.constants import Role
from phb.models import AuditEvent
from referrals import services as referrals
from reporting import live
from reporting import services as reporting
from reporting.dashboard import _organisation_dashboard, live_dashboard, organisation_dashboard
from reporting.models import FigureDelta, FigureStamp, FigureTotal, FigureValue, PersonFigures
from reviews import services as reviews
from reviews.models import Review
from support_plans import services as plans
from support_plans.models import SupportPlan
from tests.factories import (
    OrganisationFactory,
    approved_plan,
    funded_account,
    member,
    open_account,
    valid_nhs_number,
)

pytestmark = pytest.mark.django_db

ONE_SIGNOFF = [
    {
        "up_to": None,
        "basis": "total",
        "signoffs": [{"role": "care_coordinator", "count": 1}],
        "submitter_may_sign": True,
    }
]
numbers = count(1)
# LIVE_NO_SHRINK=1 while working on it: the first failure, unshrunk, at once.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate] + (
    [] if os.environ.get("LIVE_NO_SHRINK") else [Phase.shrink]
)
ITEMS = [
    [
        {
            "description": "Swimming pass",
            "category": "fitness_exercise",
            "amount": Decimal("200.00"),
            "frequency": "one_off",
        }
    ],
    [
        {
            "description": "Pass",
            "category": "fitness_exercise",
            "amount": Decimal("120.00"),
            "frequency": "one_off",
        },
        {
            "description": "Assistant",
            "category": "personal_assistant",
            "amount": Decimal("60.00"),
            "frequency": "weekly",
        },
    ],
    [
        {
            "description": "Wheelchair",
            "category": "equipment_furniture",
            "amount": Decimal("999.99"),
            "frequency": "one_off",
        }
    ],
]
FUNDING = [
    {},
    {"funded_nhs": True, "funded_social_care": True},
    {"funded_nhs": True, "funded_social_care": True, "funding_nhs": "split", "funding_social_care": "rest"},
]


def today() -> date:
    return live.today_local()


class Pathway(RuleBasedStateMachine):
    """One organisation, built empty, then people taken along the pathway at random."""

    def __init__(self) -> None:
        super().__init__()
        n = next(numbers)
        self.org = OrganisationFactory(code=f"L{n:02d}", name=f"Live {n}")
        approvals.policy_publish(
            actor=None,
            organisation=self.org,
            tiers=ONE_SIGNOFF,
            effective_from=timezone.now() - timedelta(days=30),
        )
        self.coordinator = member(self.org, Role.CARE_COORDINATOR, Role.FINANCE, username=f"cc{n}")
        live.rebuild(self.org)
        self.people: list = []
        self.referrals: list = []

    # --- People and referrals

    @rule(
        years=st.sampled_from([5, 17, 30, 70]),
        gender=st.sampled_from(["1", "2", "9"]),
        ethnicity=st.sampled_from(["A", "H", "Z"]),
        cohorts=st.sampled_from([[], ["chc"], ["chc", "s117"], ["mental_health"]]),
    )
    def add_person(self, years, gender, ethnicity, cohorts):
        person = kernel.person_create(
            actor=self.coordinator,
            organisation=self.org,
            cohorts=cohorts,
            nhs_number=valid_nhs_number(next(numbers) + 5000),
            given_name="Sam",
            family_name=f"Person{len(self.people)}",
            date_of_birth=today() - timedelta(days=365 * years + 40),
            gender=gender,
            ethnicity=ethnicity,
        )
        self.people.append(person)

    @precondition(lambda self: self.people)
    @rule(data=st.data())
    def change_person(self, data):
        person = data.draw(st.sampled_from(self.people))
        kernel.person_update(
            actor=self.coordinator,
            person=person,
            cohorts=data.draw(st.sampled_from([["chc"], [], ["s117"]])),
            gender=data.draw(st.sampled_from(["1", "2"])),
        )

    @precondition(lambda self: self.people)
    @rule(data=st.data(), days_ago=st.integers(0, 40))
    def refer(self, data, days_ago):
        person = data.draw(st.sampled_from(self.people))
        referral = referrals.referral_create(
            actor=self.coordinator,
            organisation=self.org,
            person=person,
            source="gp",
            cohort="chc",
            received_on=today() - timedelta(days=days_ago),
        )
        referrals.referral_accept(
            actor=self.coordinator, referral=referral, care_coordinator=self.coordinator
        )
        self.referrals.append(referral)

    @precondition(lambda self: self.referrals)
    @rule(data=st.data())
    def converse(self, data):
        referral = data.draw(st.sampled_from(self.referrals))
        referrals.conversation_record(
            actor=self.coordinator, referral=referral, held_on=today(), mode="phone"
        )

    # --- Plans

    @precondition(lambda self: self.referrals)
    @rule(data=st.data(), items=st.sampled_from(ITEMS), funding=st.sampled_from(FUNDING))
    def plan(self, data, items, funding):
        referral = data.draw(st.sampled_from(self.referrals))
        self._new_plan(
            referral,
            items,
            funding,
            data.draw(st.sampled_from(["direct_payment", "notional", "third_party"])),
        )

    def _new_plan(self, referral, items, funding, management):
        plan = plans.plan_create(
            actor=self.coordinator,
            organisation=self.org,
            person=referral.person,
            referral=referral,
            start_date=today() - timedelta(days=10),
            end_date=today() + timedelta(days=300),
            management=management,
            care_coordinator=self.coordinator,
            goals=[{"description": "Swim twice a week", "how_budget_helps": "Pays the pass"}],
            items=items,
        )
        fields = {k: v for k, v in funding.items() if not k.startswith("funding_")}
        if funding.get("funding_nhs") == "split":
            half = (plan.cost_total / 2).quantize(Decimal("0.01"))
            fields.update(funding_nhs=half, funding_social_care=plan.cost_total - half)
        if fields:
            plan = plans.plan_update(actor=self.coordinator, plan=plan, **fields)
        return plan

    @rule(
        stage=st.integers(1, 6),
        items=st.sampled_from(ITEMS),
        funding=st.sampled_from(FUNDING),
        cohorts=st.sampled_from([[], ["chc"], ["chc", "s117"]]),
        years=st.sampled_from([10, 40, 80]),
    )
    def journey(self, stage, items, funding, cohorts, years):
        """A new person taken along the pathway in one step, as far as `stage`: plan, submitted,
        approved, funds released, paid, a revision approved (superseding the first version)."""
        self.add_person(years=years, gender="2", ethnicity="A", cohorts=cohorts)
        person = self.people[-1]
        referral = referrals.referral_create(
            actor=self.coordinator,
            organisation=self.org,
            person=person,
            source="gp",
            cohort="chc",
            received_on=today() - timedelta(days=years),
        )
        referrals.referral_accept(
            actor=self.coordinator, referral=referral, care_coordinator=self.coordinator
        )
        self.referrals.append(referral)
        plan = self._new_plan(referral, items, funding, "direct_payment")
        if stage >= 2:
            plans.plan_submit(actor=self.coordinator, plan=plan)
        if stage >= 3:
            self._approve(plan)
        if stage >= 4:
            payments.release_record(
                actor=self.coordinator, plan=plan, amount=Decimal("100.00"), released_on=today()
            )
        if stage >= 5:
            self._pay(plan, "7.50")
        if stage >= 6:
            revision = plans.plan_revise(actor=self.coordinator, plan=plan)
            plans.plan_submit(actor=self.coordinator, plan=revision)
            self._approve(revision)

    def _approve(self, plan):
        request = ApprovalRequest.objects.get(plan=plan, status="pending")
        approvals.decision_record(
            actor=self.coordinator, request=request, decision="approve", role="care_coordinator"
        )

    def _pay(self, plan, amount):
        payments.payment_record(
            actor=self.coordinator,
            plan=plan,
            amount=Decimal(amount),
            paid_on=today(),
            method="paid_to_provider",
            payee="Swim England",
            reference="INV",
            idempotency_key=f"pay-{next(numbers)}",
        )

    def _plans(self, *statuses):
        # Of budgets still open: a closed budget's draft revision can no longer be submitted.
        return list(
            SupportPlan.objects.filter(
                organisation=self.org, status__in=statuses, budget__closed_on__isnull=True
            ).order_by("pk")
        )

    @precondition(lambda self: self._plans("draft"))
    @rule(data=st.data())
    def submit(self, data):
        plans.plan_submit(actor=self.coordinator, plan=data.draw(st.sampled_from(self._plans("draft"))))

    def _pending(self):
        return list(ApprovalRequest.objects.filter(organisation=self.org, status="pending").order_by("pk"))

    @precondition(lambda self: self._pending())
    @rule(data=st.data(), decision=st.sampled_from(["approve", "approve", "decline"]))
    def decide(self, data, decision):
        request = data.draw(st.sampled_from(self._pending()))
        approvals.decision_record(
            actor=self.coordinator,
            request=request,
            decision=decision,
            role="care_coordinator",
            comment="" if decision == "approve" else "Not this time",
        )

    @precondition(lambda self: self._plans("approved"))
    @rule(data=st.data())
    def release(self, data):
        plan = data.draw(st.sampled_from(self._plans("approved")))
        payments.release_record(
            actor=self.coordinator, plan=plan, amount=Decimal("100.00"), released_on=today()
        )

    @precondition(lambda self: self._plans("active"))
    @rule(data=st.data(), amount=st.sampled_from(["5.00", "12.34"]))
    def pay(self, data, amount):
        self._pay(data.draw(st.sampled_from(self._plans("active"))), amount)

    @precondition(lambda self: LedgerEntry.objects.filter(organisation=self.org, kind="payment").exists())
    @rule()
    def refund(self):
        # A refund of more than is still paid is refused (rightly): refund from an account with £1 left.
        entry = (
            LedgerEntry.objects.filter(
                organisation=self.org, kind="payment", account__paid__gte=Decimal("1.00")
            )
            .order_by("pk")
            .last()
        )
        if entry is None:
            return
        payments.refund_record(
            actor=self.coordinator,
            plan=entry.plan,
            amount=Decimal("1.00"),
            refunded_on=today(),
            reason="Refund",
        )

    @precondition(lambda self: self._plans("active"))
    @rule(data=st.data())
    def revise(self, data):
        plan = data.draw(st.sampled_from(self._plans("active")))
        latest = SupportPlan.objects.filter(budget=plan.budget).order_by("-version").first()
        if latest.status in ("draft", "submitted"):
            return
        plans.plan_revise(actor=self.coordinator, plan=plan)

    @precondition(lambda self: self._plans("active", "approved"))
    @rule(data=st.data())
    def close(self, data):
        plan = data.draw(st.sampled_from(self._plans("active", "approved")))
        plans.plan_close(actor=self.coordinator, plan=plan, reason="goals_achieved", closed_on=today())

    def _reviews(self):
        return list(
            Review.objects.filter(
                organisation=self.org, status="scheduled", plan__budget__closed_on__isnull=True
            ).order_by("pk")
        )

    @precondition(lambda self: self._reviews())
    @rule(data=st.data())
    def complete_review(self, data):
        review = data.draw(st.sampled_from(self._reviews()))
        reviews.review_complete(
            actor=self.coordinator,
            review=review,
            held_on=today(),
            measures=[{"instrument": "SWEMWBS", "score": 21.5}],
            goals=[{"goal": goal.pk, "attainment": 1} for goal in review.plan.goals.all()],
            decision="continue",
        )

    @rule()
    def fold(self):
        live.fold(self.org.pk)

    def teardown(self):
        if os.environ.get("LIVE_COVERAGE"):  # how far along the pathway the examples went
            rows = SupportPlan.objects.filter(organisation=self.org).values_list("status", flat=True)
            entries = LedgerEntry.objects.filter(organisation=self.org).values_list("kind", flat=True)
            done = Review.objects.filter(organisation=self.org).values_list("status", flat=True)
            print(sorted(rows), sorted(entries), sorted(done))

    # --- The figures

    @invariant()
    def summaries_equal_the_recount(self):
        assert reporting.live_figures_compare(self.org) == []

    @invariant()
    def every_person_is_stored_as_counted_whole(self):
        """Changes that recount only a part of a person (a payment: the money) leave the rest of
        their row as a whole count would find it."""
        assert stored_rows(self.org, self.people) == counted_whole(self.org, self.people)

    @invariant()
    def every_figure_written_is_one_the_reads_know(self):
        """A figure `read` and its helpers do not know would be counted and never shown."""
        for model in (FigureTotal, FigureDelta):
            written = set(model.objects.filter(organisation=self.org).values_list("figure", flat=True))
            assert written <= live.ALL_FIGURES


def stored_rows(org, people) -> dict:
    rows = PersonFigures.objects.filter(organisation=org, person_id__in=[p.pk for p in people])
    return {row.person_id: (row.figures, row.values) for row in rows}


def counted_whole(org, people) -> dict:
    counted = live.contributions(org.pk, [p.pk for p in people], today())
    return {pk: part.stored() for pk, part in counted.items()}


def test_live_figures_equal_the_recount_after_random_pathway_actions():
    run_state_machine_as_test(
        Pathway,
        settings=settings(
            max_examples=int(os.environ.get("LIVE_EXAMPLES", "8")),
            stateful_step_count=30,
            phases=PHASES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


def test_a_built_organisation_reads_today_from_the_summaries_and_other_dates_by_recount(
    org, django_assert_max_num_queries
):
    live.rebuild(org)
    with django_assert_max_num_queries(16):  # the first read works out each statistic (live.memo)
        figures = organisation_dashboard(org, today())
    # The next, while nothing moved: the small figures and the unfunded list only.
    with django_assert_max_num_queries(7):
        assert organisation_dashboard(org, today()) == figures
    assert figures["in_place"] == 0
    assert figures == live_dashboard(org, today())
    earlier = organisation_dashboard(org, today() - timedelta(days=400))
    assert earlier["as_of"] == (today() - timedelta(days=400)).isoformat()


def test_fold_moves_the_deltas_into_one_total_per_figure_and_keeps_the_figures(org, coordinator):
    live.rebuild(org)
    # A build leaves its value rows compact: the first fold after it starts after them.
    newest = FigureValue.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert FigureStamp.objects.get(organisation=org).values_folded_to == newest
    _new_people(org, coordinator, 9000)
    before = live_dashboard(org, today())
    assert before["pipeline"]["referrals"] == 3
    assert FigureDelta.objects.filter(organisation=org, figure="referrals").count() == 3
    live.fold(org.pk)
    assert not FigureDelta.objects.filter(organisation=org).exists()
    assert FigureTotal.objects.get(organisation=org, figure="referrals").count == 3
    assert live_dashboard(org, today()) == before


def test_the_nightly_check_reports_a_difference_and_repairs_it(org, coordinator):
    live.rebuild(org)
    person = kernel.person_create(
        actor=coordinator,
        organisation=org,
        nhs_number=valid_nhs_number(9100),
        given_name="Sam",
        family_name="Drift",
        date_of_birth=date(1980, 5, 1),
        gender="1",
    )
    referral = referrals.referral_create(
        actor=coordinator, organisation=org, person=person, source="gp", cohort="chc", received_on=today()
    )
    assert reporting.live_figures_compare(org) == []
    # A change that bypasses the services (no audit record, so no DataChanged): the summaries drift.
    type(referral).objects.filter(pk=referral.pk).update(received_on=today() + timedelta(days=5))
    assert reporting.live_figures_compare(org) == ["dashboard.pipeline.referrals: 1 != 0"]

    report = reporting.live_figures_check_all()

    assert report == {org.code: ["dashboard.pipeline.referrals: 1 != 0"]}
    assert reporting.live_figures_compare(org) == []
    assert reporting.live_figures_check_all() == {}


def test_the_nightly_check_builds_an_organisation_not_built_yet(org):
    assert not live.is_built(org)
    assert reporting.live_figures_check_all() == {}
    assert live.is_built(org)


def _new_people(org, coordinator, first, n=3):
    people = []
    for k in range(n):
        person = kernel.person_create(
            actor=coordinator,
            organisation=org,
            nhs_number=valid_nhs_number(first + k),
            given_name="Sam",
            family_name="Batch",
            date_of_birth=date(1980, 5, 1),
            gender="1",
        )
        referrals.referral_create(
            actor=coordinator, organisation=org, person=person, source="gp", cohort="chc", received_on=today()
        )
        people.append(person)
    return people


def test_a_batch_of_people_recounted_at_once_adds_one_delta_row_per_figure(org, coordinator):
    """An import recounts a thousand people in one go: their differences are summed, one row for
    each figure and key, not one per person; their first counts are written without a read back."""
    people = _new_people(org, coordinator, 9200)  # before the figures are built: nobody counted
    FigureStamp.objects.create(organisation=org, dated_on=today(), built_at=timezone.now())

    live.refresh_people(org.pk, [p.pk for p in people])

    referrals_deltas = FigureDelta.objects.filter(organisation=org, figure="referrals")
    assert list(referrals_deltas.values_list("count", flat=True)) == [3]
    assert PersonFigures.objects.filter(person_id__in=[p.pk for p in people]).count() == 3
    assert reporting.live_figures_compare(org) == []


def test_people_another_writer_counted_first_are_counted_again_under_its_lock(org, coordinator, monkeypatch):
    """The first count of new people is written with no read back; if another writer's row is
    there first, they are counted again from that row, so nothing is counted twice."""
    live.rebuild(org)
    people = _new_people(org, coordinator, 9300)
    ids = [p.pk for p in people]
    real = live._first_counts

    def beaten(organisation_id, rows):
        PersonFigures.objects.filter(person_id__in=ids).delete()
        assert real(organisation_id, rows)  # the other writer's count, the same figures
        return False

    monkeypatch.setattr(live, "_first_counts", beaten)
    PersonFigures.objects.filter(person_id__in=ids).delete()
    FigureDelta.objects.filter(organisation=org).delete()
    FigureTotal.objects.filter(organisation=org).delete()
    live.refresh_people(org.pk, ids)
    # The other writer's rows stand; this writer found them equal to its own count: no delta.
    assert not FigureDelta.objects.filter(organisation=org).exists()
    assert PersonFigures.objects.filter(person_id__in=ids).count() == 3


def test_a_statistic_is_worked_out_again_only_when_its_figures_move():
    """The spend per person's median and mode are memoised on the version of their value table: a
    referral (most writes move other figures) leaves it; a new PHB approved moves it; a fold too."""
    machine = Pathway()
    machine.journey(stage=4, items=ITEMS[1], funding={}, cohorts=["chc"], years=40)
    first = live.read(machine.org.pk, today())
    assert (
        live_dashboard(machine.org, today())["spend"] == organisation_dashboard_recount(machine.org)["spend"]
    )

    referrals.referral_create(
        actor=machine.coordinator,
        organisation=machine.org,
        person=machine.people[0],
        source="gp",
        cohort="chc",
        received_on=today(),
    )
    after_referral = live.read(machine.org.pk, today())
    assert after_referral.version("spend_person") == first.version("spend_person")
    assert after_referral.version("referrals") != first.version("referrals")

    machine.journey(stage=3, items=ITEMS[2], funding={}, cohorts=[], years=70)
    after_approval = live.read(machine.org.pk, today())
    assert after_approval.version("spend_person") != first.version("spend_person")
    assert (
        live_dashboard(machine.org, today())["spend"] == organisation_dashboard_recount(machine.org)["spend"]
    )

    live.fold(machine.org.pk)
    folded = live.read(machine.org.pk, today())
    assert folded.version("spend_person") != after_approval.version("spend_person")
    assert (
        live_dashboard(machine.org, today())["spend"] == organisation_dashboard_recount(machine.org)["spend"]
    )


def organisation_dashboard_recount(org):
    return _organisation_dashboard(org, today())


def test_a_duration_moving_within_its_day_still_changes_its_version(org):
    """Its value rows move but its day's bucket count does not: a zero delta of the bucket figure
    is written, so the memoised median is worked out again."""
    live.rebuild(org)
    differences = live._Differences()
    bucket = {"b:to_release|0": [1, "0.00"]}
    differences.add(bucket, bucket, {"to_release|100": 1}, {"to_release|200": 1})
    before = live.read(org.pk, today()).version("b:to_release")
    differences.write(org.pk)
    assert live.read(org.pk, today()).version("b:to_release") != before
    assert list(FigureDelta.objects.filter(organisation=org).values_list("figure", "count")) == [
        ("b:to_release", 0)
    ]


def through_the_orm(query, sql, params, organisation_id):
    """live._rows as on SQLite: the ORM's query, never the written-out SQL."""
    return [tuple(row) for row in query()]


def test_the_written_out_queries_find_what_the_orm_queries_find(monkeypatch):
    """On PostgreSQL each person's recount reads with hand-written SQL (live._rows): for people at
    every stage of the pathway it counts exactly what the ORM's queries count."""
    machine = Pathway()
    for stage in range(1, 7):
        machine.journey(
            stage=stage, items=ITEMS[stage % 3], funding=FUNDING[stage % 3], cohorts=["chc"], years=40
        )
    ids = [person.pk for person in machine.people]
    written_out = live.contributions(machine.org.pk, ids, today())
    monkeypatch.setattr(live, "_rows", through_the_orm)
    through_orm = live.contributions(machine.org.pk, ids, today())
    assert {pk: part.stored() for pk, part in written_out.items()} == {
        pk: part.stored() for pk, part in through_orm.items()
    }
    assert any(part.stored()[1] for part in through_orm.values())  # durations were counted too


def test_a_recount_counts_nothing_of_another_organisations_rows(monkeypatch):
    """The written-out queries find rows by the people's ids and check the organisation on each row
    (live._rows): asked for another organisation's people, both paths count nothing of theirs."""
    ours, theirs = Pathway(), Pathway()
    for machine in (ours, theirs):
        for stage in (3, 6):
            machine.journey(stage=stage, items=ITEMS[0], funding=FUNDING[0], cohorts=["chc"], years=40)
    ids = [person.pk for person in theirs.people]
    counted = live.contributions(theirs.org.pk, ids, today())
    assert all(part.stored()[0] for part in counted.values())  # they add to their own figures
    for path in ("written out", "orm"):
        if path == "orm":
            monkeypatch.setattr(live, "_rows", through_the_orm)
        wrong = live.contributions(ours.org.pk, ids, today())
        assert {pk: part.stored() for pk, part in wrong.items()} == dict.fromkeys(ids, ({}, {})), path


def test_a_sign_off_that_approves_recounts_its_person_once(monkeypatch):
    """The decision, the plan approved, its account opened and the fund's answer are four audit
    records about one person: the live figures recount them once, at the end of the decision."""
    machine = Pathway()
    recounts = []
    real = live.refresh_people

    def counting(organisation_id, person_ids, today=None, **options):
        recounts.append(tuple(person_ids))
        return real(organisation_id, person_ids, today, **options)

    machine.journey(stage=2, items=ITEMS[0], funding={}, cohorts=["chc"], years=40)
    person = machine.people[-1]
    request = ApprovalRequest.objects.get(person=person)
    monkeypatch.setattr(live, "refresh_people", counting)
    approvals.decision_record(
        actor=machine.coordinator, request=request, decision="approve", role="care_coordinator"
    )
    assert SupportPlan.objects.get(person=person).status == "approved"
    assert AuditEvent.objects.filter(person=person, action="account_opened").exists()
    assert recounts == [(person.pk,)]
    assert reporting.live_figures_compare(machine.org) == []


def test_changes_together_left_by_an_exception_recounts_nothing(org, monkeypatch):
    from phb.audit import changes_together, data_changed

    published = []
    monkeypatch.setattr(live, "refresh_people", lambda *args, **kwargs: published.append(args))
    with pytest.raises(RuntimeError), changes_together():
        data_changed(org.pk, (1, 2))
        raise RuntimeError("the transaction rolls back")
    assert published == []
    with changes_together():
        with changes_together():
            data_changed(org.pk, (3,))
        data_changed(org.pk, (2, 3))
        assert published == []
    assert published == [(org.pk, (2, 3))]


def test_the_unfunded_list_is_worked_out_again_when_it_changes_and_not_on_a_payment(
    org, coordinator, django_assert_max_num_queries
):
    """The dashboard's person-level list of PHBs waiting for funds is memoised on the "unfunded"
    figure, a key a waiting plan with a digest of what the list shows: a payment elsewhere leaves it;
    the person's name changing, or the funds released, moves it, and the list shows the change."""
    finance = member(org, Role.FINANCE, username="finance")
    broker = member(org, Role.BROKER, username="broker")
    waiting = approved_plan(org, approved_days_ago=40)
    open_account(waiting)
    paid_plan, _account = funded_account(org, total="300.00", finance=finance)
    live.rebuild(org)
    listed = live_dashboard(org, today())["unfunded_approved"]
    assert [(row["plan"], row["days_waiting"]) for row in listed] == [(waiting.pk, 40)]
    version = live.read(org.pk, today()).version("unfunded")

    payments.payment_record(
        actor=broker,
        plan=paid_plan,
        amount=Decimal("10.00"),
        paid_on=today(),
        method="bank_transfer",
        payee="Swim England",
        reference="P1",
        idempotency_key=None,
    )
    assert live.read(org.pk, today()).version("unfunded") == version
    with django_assert_max_num_queries(5):  # the small figures; the list from the memo
        assert live_dashboard(org, today())["unfunded_approved"] == listed

    kernel.person_update(actor=coordinator, person=waiting.person, given_name="Renamed")
    assert live.read(org.pk, today()).version("unfunded") != version
    assert live_dashboard(org, today())["unfunded_approved"][0]["name"].startswith("Renamed ")

    payments.release_record(actor=finance, plan=waiting, amount=Decimal("200.00"), released_on=today())
    assert live_dashboard(org, today())["unfunded_approved"] == []
    assert reporting.live_figures_compare(org) == []


def test_figures_built_under_an_older_definition_list_from_the_records_until_counted_again(org):
    waiting = approved_plan(org, approved_days_ago=40)
    open_account(waiting)
    live.rebuild(org)
    FigureTotal.objects.filter(organisation=org, figure="unfunded").delete()
    FigureStamp.objects.filter(organisation=org).update(definition=live.DEFINITION - 1)
    assert not live.is_current(org)
    # Without the figure the memo could not tell a change: the list is read from the records.
    assert [row["plan"] for row in live_dashboard(org, today())["unfunded_approved"]] == [waiting.pk]

    assert reporting.live_figures_check_all() == {}  # counted again under today's definition

    assert live.is_current(org)
    assert FigureTotal.objects.filter(organisation=org, figure="unfunded").count() == 1


# --- A change recounts only the parts of its person it can move


def test_the_parts_of_a_persons_contribution_hold_every_figure_once():
    named = [figure for figures in live.PARTS.values() for figure in figures]
    assert len(named) == len(set(named))
    timings = {timing for timing in live.TIMINGS}  # a timing's value rows, beside its "b:" buckets
    assert set(named) == live.ALL_FIGURES | timings


def test_counting_part_by_part_finds_what_counting_whole_finds():
    """For people at every stage of the pathway, each part counts only its own figures, and the
    parts together are the whole count, key for key."""
    machine = Pathway()
    for stage in range(1, 7):
        machine.journey(
            stage=stage, items=ITEMS[stage % 3], funding=FUNDING[stage % 3], cohorts=["chc"], years=40
        )
    entry = LedgerEntry.objects.filter(organisation=machine.org, kind="payment").first()
    payments.refund_record(
        actor=machine.coordinator, plan=entry.plan, amount=Decimal("1.00"), refunded_on=today(), reason="Back"
    )
    ids = [person.pk for person in machine.people]
    whole = {pk: part.stored() for pk, part in live.contributions(machine.org.pk, ids, today()).items()}
    merged: dict = {pk: ({}, {}) for pk in ids}
    for name, figures in live.PARTS.items():
        for pk, part in live.contributions(machine.org.pk, ids, today(), frozenset((name,))).items():
            counted, values = part.stored()
            assert {key.split("|")[0] for key in [*counted, *values]} <= figures, name
            merged[pk][0].update(counted)
            merged[pk][1].update(values)
    assert merged == whole
    assert all(whole[pk][0] for pk in ids)


def test_payments_and_their_reversals_recount_only_the_money_and_keep_the_figures_exact(monkeypatch):
    """A payment moves what was paid and, the first time, the first payment and its timing; a
    refund and a correction of a payment move what was paid: each recounts its person's money
    alone, and the figures equal the recount, each person's row a whole count."""
    machine = Pathway()
    machine.journey(stage=4, items=ITEMS[1], funding={}, cohorts=["chc"], years=40)  # released, unpaid
    machine.journey(stage=5, items=ITEMS[0], funding={}, cohorts=[], years=70)  # someone else, paid
    person = machine.people[0]
    plan = SupportPlan.objects.get(person=person)
    assert plan.status == "active"
    recounted = []
    real = live.contributions

    def counting(organisation_id, person_ids, today, parts=live.ALL_PARTS):
        recounted.append((tuple(person_ids), parts))
        return real(organisation_id, person_ids, today, parts)

    monkeypatch.setattr(live, "contributions", counting)
    live.fold(machine.org.pk)
    money = frozenset(("money",))

    machine._pay(plan, "7.50")  # the first payment

    assert recounted == [((person.pk,), money)]
    moved = set(FigureDelta.objects.filter(organisation=machine.org).values_list("figure", flat=True))
    assert moved == {"paid", "first_paid", "b:to_payment"}
    assert reporting.live_figures_compare(machine.org) == []
    assert stored_rows(machine.org, machine.people) == counted_whole(machine.org, machine.people)
    recounted.clear()  # the whole count just made to compare with

    machine._pay(plan, "2.50")
    entry = LedgerEntry.objects.filter(plan=plan, kind="payment").order_by("pk").first()
    payments.refund_record(
        actor=machine.coordinator, plan=plan, amount=Decimal("1.00"), refunded_on=today(), reason="Back"
    )
    payments.correction_record(
        actor=machine.coordinator, entry=entry, amount=Decimal("0.50"), reason="Keyed in wrong"
    )

    assert [parts for _ids, parts in recounted] == [money] * 3  # the payment, refund, correction
    assert live.read(machine.org.pk, today()).amount("paid") == Decimal("16.00")  # 7.50 + 7.50 + 2.50 - 1.50
    assert reporting.live_figures_compare(machine.org) == []
    assert stored_rows(machine.org, machine.people) == counted_whole(machine.org, machine.people)


def test_a_payment_recount_leaving_out_what_the_first_payment_moves_is_caught(monkeypatch):
    """The comparisons above can fail: were the money part's figures to leave out the first
    payment and its timing, the first payment would leave them as before, and both the summaries
    and the person's row would differ from the recount."""
    machine = Pathway()
    machine.journey(stage=4, items=ITEMS[1], funding={}, cohorts=["chc"], years=40)
    plan = SupportPlan.objects.get(person=machine.people[0])
    short = live.PARTS["money"] - {"first_paid", *live._durations("to_payment")}
    monkeypatch.setitem(live.PARTS, "money", short)

    machine._pay(plan, "7.50")

    differences = reporting.live_figures_compare(machine.org)
    assert "dashboard.pipeline.first_payment: 0 != 1" in differences
    assert "dashboard.timings.approval_to_first_payment.count: 0 != 1" in differences
    assert stored_rows(machine.org, machine.people) != counted_whole(machine.org, machine.people)


def test_a_block_of_changes_recounts_what_any_of_them_can_move(org, monkeypatch):
    """Inside `changes_together` the recount is of every part any change of the block can move: a
    payment alone, its money; with a change not listed in MOVES (the plan made active), the whole."""
    from phb.audit import changes_together, data_changed

    recounts = []
    monkeypatch.setattr(
        live,
        "refresh_people",
        lambda organisation_id, ids, **options: recounts.append((ids, options["parts"])),
    )
    with transaction.atomic():
        with changes_together():
            data_changed(org.pk, (1,), actions=("ledger_payment",))
            data_changed(org.pk, (1,), actions=("ledger_refund",))
        with changes_together():
            data_changed(org.pk, (1,), actions=("ledger_payment",))
            data_changed(org.pk, (1,), actions=("plan_activated",))
        with changes_together():
            data_changed(org.pk, (2,))
            data_changed(org.pk, (1,), actions=("ledger_payment",))
    assert recounts == [((1,), frozenset(("money",))), ((1,), live.ALL_PARTS), ((1, 2), live.ALL_PARTS)]


def test_a_person_not_counted_yet_is_counted_whole_even_for_a_payment(org, coordinator):
    live.rebuild(org)
    person = _new_people(org, coordinator, 9400, n=1)[0]
    PersonFigures.objects.filter(person_id=person.pk).delete()
    FigureDelta.objects.filter(organisation=org).delete()

    live.refresh_people(org.pk, [person.pk], parts=frozenset(("money",)))

    assert stored_rows(org, [person]) == counted_whole(org, [person])
    assert FigureDelta.objects.filter(organisation=org, figure="referrals").exists()
