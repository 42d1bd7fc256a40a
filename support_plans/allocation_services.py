"""Writes and reads of the indicative budget: publishing the allocation questionnaire, estimating from
answers, and storing a plan's answers and its indicative budget (the rule: support_plans/allocation.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from phb import versions
from phb.audit import record_event, snapshot
from phb.exceptions import InvalidInput
from phb.models import Organisation
from phb.money import gbp

from . import allocation as rules
from .models import AllocationQuestionnaire, SupportPlan

BASIS_WORDS = {rules.ANNUAL: "a year", rules.WEEKLY: "a week"}


def parsed(questionnaire: AllocationQuestionnaire) -> rules.Questionnaire:
    """A stored version as the rule reads it (stored versions were checked when published)."""
    return rules.validate_questionnaire(
        questionnaire.questions, f"{questionnaire.pounds_per_point:.2f}", questionnaire.basis
    )


def _invalid(error: rules.AllocationError, message: str) -> InvalidInput:
    return InvalidInput(message, **error.errors)


@transaction.atomic
def questionnaire_publish(
    *,
    actor,
    organisation: Organisation,
    questions: Any,
    pounds_per_point: Any,
    basis: Any,
    effective_on: date | None = None,
) -> AllocationQuestionnaire:
    """A new version of the organisation's allocation questionnaire, in force from now or from the start
    of a later day. Plans answered under an earlier version keep it (and their indicative budget)."""
    effective_from: datetime = versions.starts_on(effective_on) if effective_on else timezone.now()
    try:
        questionnaire = rules.validate_questionnaire(questions, pounds_per_point, basis)
    except rules.AllocationError as error:
        raise _invalid(error, "The allocation questionnaire is not valid.") from error
    # Lock the organisation row so two publishers cannot take the same version number.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    latest = AllocationQuestionnaire.objects.for_org(organisation).order_by("-version").first()
    version = AllocationQuestionnaire(
        organisation=organisation,
        version=(latest.version + 1) if latest else 1,
        effective_from=effective_from,
        questions=rules.questionnaire_as_json(questionnaire),
        pounds_per_point=questionnaire.pounds_per_point,
        basis=questionnaire.basis,
    )
    version.stamp(actor)
    version.full_clean()
    version.save()
    low, high = rules.points_range(questionnaire)
    record_event(
        actor=actor,
        organisation=organisation,
        obj=version,
        action="allocation_questionnaire_published",
        after=snapshot(version),
        summary=(
            f"Allocation questionnaire version {version.version} published: "
            f"{len(questionnaire.questions)} questions, {gbp(questionnaire.pounds_per_point)} a point "
            f"({BASIS_WORDS[questionnaire.basis]}), {low} to {high} points"
            + (
                f", in force from {timezone.localtime(version.effective_from):%-d %B %Y}"
                if version.effective_from > timezone.now()
                else ""
            )
        ),
    )
    return version


def questionnaire_in_force(
    organisation: Organisation | int, at: datetime | None = None
) -> AllocationQuestionnaire | None:
    return versions.in_force(AllocationQuestionnaire.objects.for_org(organisation), at)


def questionnaires_scheduled(organisation: Organisation | int) -> list[AllocationQuestionnaire]:
    return versions.scheduled(AllocationQuestionnaire.objects.for_org(organisation))


@transaction.atomic
def questionnaire_withdraw(*, actor, questionnaire: AllocationQuestionnaire) -> AllocationQuestionnaire:
    """Withdraw a version scheduled for a later date before it starts, as an approval policy's is;
    one already in force cannot be (publish another)."""
    locked = versions.withdraw(
        actor=actor,
        version=questionnaire,
        action="allocation_questionnaire_withdrawn",
        what="Allocation questionnaire",
    )
    questionnaire.withdrawn_at, questionnaire.withdrawn_by = locked.withdrawn_at, locked.withdrawn_by
    return locked


def questionnaire_versions(organisation: Organisation) -> list[AllocationQuestionnaire]:
    return list(
        AllocationQuestionnaire.objects.for_org(organisation)
        .select_related("created_by")
        .order_by("-version")[:50]
    )


def estimate(questionnaire: AllocationQuestionnaire, answers: Any) -> dict:
    """The points and the indicative budget (on the questionnaire's basis) of a complete set of answers;
    400 naming an unknown question or answer, or those left unanswered."""
    rule = parsed(questionnaire)
    try:
        points = rules.score(rule, answers)
    except rules.AllocationError as error:
        raise _invalid(error, "The answers do not fit the questionnaire.") from error
    return {
        "points": points,
        "indicative_budget": rules.indicative_budget(points, rule.pounds_per_point),
        "basis": rule.basis,
        "version": questionnaire.version,
    }


def answers_attach(plan: SupportPlan, answers: dict | None) -> None:
    """Put a plan's answers on it (unsaved; `indicative_store` works out the budget when the costs are
    stored). None or {} skips the questionnaire. The version in force now is the one answered."""
    if not answers:
        plan.allocation_questionnaire, plan.allocation_answers = None, None
        return
    questionnaire = questionnaire_in_force(plan.organisation_id)
    if questionnaire is None:
        raise InvalidInput(
            allocation_answers=[
                "This organisation has no allocation questionnaire yet: leave the answers out."
            ]
        )
    try:
        rules.score(parsed(questionnaire), answers)
    except rules.AllocationError as error:
        raise InvalidInput(
            "The answers do not fit the questionnaire.",
            **{key.replace("answers", "allocation_answers", 1): value for key, value in error.errors.items()},
        ) from error
    plan.allocation_questionnaire, plan.allocation_answers = questionnaire, dict(answers)


def indicative_store(plan: SupportPlan) -> None:
    """The points and the indicative budget over the plan's period, from its answers (empty when
    skipped). Called whenever the costs are stored, so the period and the budget never disagree."""
    points = amount = None
    if plan.allocation_answers and plan.allocation_questionnaire_id:
        rule = parsed(plan.allocation_questionnaire)
        points = rules.score(rule, plan.allocation_answers)
        amount = rules.for_period(
            rules.indicative_budget(points, rule.pounds_per_point), rule.basis, plan.start_date, plan.end_date
        )
    plan.allocation_points, plan.indicative_budget = points, amount
    plan.save(
        update_fields=[
            "allocation_questionnaire",
            "allocation_answers",
            "allocation_points",
            "indicative_budget",
            "modified_at",
        ]
    )


def plan_indicative(plan: SupportPlan, margin: Decimal | None = None) -> dict | None:
    """What a plan shows beside its costs: the indicative budget on its basis and over the plan period,
    the difference and whether the plan is over it by more than the organisation's margin."""
    if plan.indicative_budget is None or plan.allocation_questionnaire_id is None:
        return None
    questionnaire = plan.allocation_questionnaire
    margin = plan.organisation.indicative_margin_percent if margin is None else margin
    comparison = rules.compare(plan.cost_total, plan.indicative_budget, margin)
    return indicative_summary(
        points=plan.allocation_points or 0,
        on_basis=rules.indicative_budget(plan.allocation_points or 0, questionnaire.pounds_per_point),
        basis=questionnaire.basis,
        comparison=comparison,
        margin=margin,
        version=questionnaire.version,
    )


def indicative_summary(
    *, points: int, on_basis: Decimal, basis: str, comparison: rules.Comparison, margin: Decimal, version
) -> dict:
    return {
        "points": points,
        "amount": on_basis,
        "basis": basis,
        "basis_words": BASIS_WORDS[basis],
        "for_plan_period": comparison.indicative,
        "cost_total": comparison.cost,
        "difference": comparison.difference,
        "limit": comparison.limit,
        "margin_percent": margin,
        "over": comparison.over,
        "questionnaire_version": version,
    }


def indicative_json(summary: dict | None) -> dict | None:
    """The API's form of `plan_indicative`: money as "1234.56" strings."""
    if summary is None:
        return None
    money = ("amount", "for_plan_period", "cost_total", "difference", "limit", "margin_percent")
    return {
        "points": summary["points"],
        "basis": summary["basis"],
        "over": summary["over"],
        "questionnaire_version": summary["questionnaire_version"],
        **{key: f"{summary[key]:.2f}" for key in money},
    }


def preview_indicative(
    organisation: Organisation, answers: dict, start: date | None, end: date | None, cost_total
) -> dict:
    """For the plan editor's live panel: the indicative budget of the answers typed so far, beside the
    plan's live cost. `state` says what can be shown: none (no questionnaire), skipped, incomplete, or ok."""
    questionnaire = questionnaire_in_force(organisation)
    if questionnaire is None:
        return {"state": "none"}
    rule = parsed(questionnaire)
    given = {code: answer for code, answer in answers.items() if answer}
    if not given:
        return {"state": "skipped"}
    try:
        points = rules.score(rule, given)
    except rules.AllocationError:
        unanswered = [q.text for q in rule.questions if q.code not in given]
        return {"state": "incomplete", "unanswered": len(unanswered)}
    on_basis = rules.indicative_budget(points, rule.pounds_per_point)
    result: dict = {
        "state": "ok",
        "points": points,
        "amount": on_basis,
        "basis": rule.basis,
        "basis_words": BASIS_WORDS[rule.basis],
    }
    if start and end and end >= start and cost_total is not None:
        margin = organisation.indicative_margin_percent
        comparison = rules.compare(cost_total, rules.for_period(on_basis, rule.basis, start, end), margin)
        result.update(
            indicative_summary(
                points=points,
                on_basis=on_basis,
                basis=rule.basis,
                comparison=comparison,
                margin=margin,
                version=questionnaire.version,
            ),
            state="ok",
        )
    return result
