"""The indicative budget rule (resource allocation): pure functions over plain values, its only home.

A resource allocation system ("RAS", as East Sussex built on Manchester's approach) asks a fixed set
of questions about a person's needs; each answer carries points, the points add up, and the
organisation's pounds per point turn them into an indicative budget: a fair starting figure for the
plan, on an annual or a weekly basis. It is a guide, not a limit: a plan may cost more, and the
organisation's margin (a percent) says when it is far enough above to be flagged.

The rules, as decided here:
- Every question of the questionnaire is answered, or the questionnaire is skipped: a budget from
  half the questions would read as a fair figure and not be one.
- Points are whole numbers, 0 or more; pounds per point is more than £0, in pennies at most.
- The indicative budget on its basis is points x pounds per point. Over a plan's period it is the
  weekly equivalent (annual / 52, the year of DESIGN.md's costs) times the period in weeks
  (days, both ends included, / 7), the same weeks the plan's own weekly cost is worked over.
- A plan is over its indicative budget when its total cost is more than the budget over its period
  plus the margin: cost > budget x (1 + margin / 100). Exactly at the margin is within.
Everything is `Decimal`, rounded half-up to pennies once, at the end, by `to_pennies`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from phb.money import to_pennies

ANNUAL = "annual"
WEEKLY = "weekly"
BASES = (ANNUAL, WEEKLY)
BASIS_CHOICES = [(ANNUAL, "a year"), (WEEKLY, "a week")]
WEEKS_PER_YEAR = Decimal(52)
DAYS_PER_WEEK = Decimal(7)

# What a questionnaire may hold: published RAS questionnaires ask ten to thirty questions of four to
# six answers each; these bounds are far beyond them and bound the work of a page or a request.
MAX_QUESTIONS = 60
MAX_ANSWERS = 20
MAX_POINTS = 10_000
MAX_POUNDS_PER_POINT = Decimal("100000.00")
MAX_MARGIN = Decimal(1000)
CODE = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")
TEXT_MAX = 300


class AllocationError(ValueError):
    """A questionnaire or a set of answers that does not hold; `errors` names each field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Answer:
    code: str
    text: str
    points: int


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Questionnaire:
    questions: tuple[Question, ...]
    pounds_per_point: Decimal
    basis: str


@dataclass(frozen=True)
class Comparison:
    """A plan's cost beside its indicative budget over the same period."""

    indicative: Decimal  # over the plan period
    cost: Decimal  # the plan's total
    difference: Decimal  # cost - indicative: more than 0 is above the budget
    limit: Decimal  # the most the plan may cost before it is over (budget plus margin)
    over: bool


def _text(value: Any, where: str, errors: dict[str, list[str]]) -> str:
    if not isinstance(value, str) or not value.strip():
        errors.setdefault(where, []).append("Give the text.")
        return ""
    if len(value) > TEXT_MAX:
        errors.setdefault(where, []).append(f"At most {TEXT_MAX} characters.")
    return value.strip()


def _code(value: Any, where: str, errors: dict[str, list[str]]) -> str:
    if not isinstance(value, str) or not CODE.match(value):
        errors.setdefault(where, []).append(
            "A code is 1 to 40 lower-case letters, digits or underscores, starting with a letter or digit."
        )
        return ""
    return value


def _points(value: Any, where: str, errors: dict[str, list[str]]) -> int:
    # True is an int to Python; a points value of true is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors.setdefault(where, []).append("Points are a whole number, 0 or more.")
        return 0
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        errors.setdefault(where, []).append("Points are a whole number, 0 or more.")
        return 0
    points = int(text)
    if points > MAX_POINTS:
        errors.setdefault(where, []).append(f"At most {MAX_POINTS:,} points.")
    return points


def parse_pounds_per_point(value: Any) -> Decimal:
    """Pounds per point: more than £0, pennies at most, no more than MAX_POUNDS_PER_POINT."""
    problem = "Pounds per point is an amount of more than £0, like 25.00."
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise AllocationError({"pounds_per_point": [problem]})
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise AllocationError({"pounds_per_point": [problem]}) from None
    if not amount.is_finite() or amount <= 0:
        raise AllocationError({"pounds_per_point": [problem]})
    if amount != amount.quantize(Decimal("0.01")):
        raise AllocationError({"pounds_per_point": ["Pounds per point is in pennies at most, like 25.50."]})
    if amount > MAX_POUNDS_PER_POINT:
        raise AllocationError({"pounds_per_point": [f"At most £{MAX_POUNDS_PER_POINT:,.2f} a point."]})
    return amount


def validate_questionnaire(questions: Any, pounds_per_point: Any, basis: Any) -> Questionnaire:
    """The questionnaire as typed, checked; AllocationError names every problem by its place
    (`questions[2].answers[0].points`)."""
    errors: dict[str, list[str]] = {}
    parsed: list[Question] = []
    try:
        rate = parse_pounds_per_point(pounds_per_point)
    except AllocationError as error:
        errors.update(error.errors)
        rate = Decimal(1)
    if basis not in BASES:
        errors["basis"] = ["The basis is annual or weekly."]
    if not isinstance(questions, list) or not questions:
        errors["questions"] = ["Give at least one question."]
        raise AllocationError(errors)
    if len(questions) > MAX_QUESTIONS:
        errors["questions"] = [f"At most {MAX_QUESTIONS} questions."]
        raise AllocationError(errors)
    seen_questions: set[str] = set()
    for q_index, question in enumerate(questions):
        where = f"questions[{q_index}]"
        if not isinstance(question, dict):
            errors[where] = ["Each question has a code, a text and answers."]
            continue
        code = _code(question.get("code"), f"{where}.code", errors)
        if code and code in seen_questions:
            errors.setdefault(f"{where}.code", []).append(f"Two questions have the code {code}.")
        seen_questions.add(code)
        text = _text(question.get("text"), f"{where}.text", errors)
        answers = question.get("answers")
        if not isinstance(answers, list) or len(answers) < 2:
            errors.setdefault(f"{where}.answers", []).append("Give each question at least two answers.")
            answers = answers if isinstance(answers, list) else []
        if len(answers) > MAX_ANSWERS:
            errors.setdefault(f"{where}.answers", []).append(f"At most {MAX_ANSWERS} answers a question.")
            answers = answers[:MAX_ANSWERS]
        parsed_answers: list[Answer] = []
        seen_answers: set[str] = set()
        for a_index, answer in enumerate(answers):
            a_where = f"{where}.answers[{a_index}]"
            if not isinstance(answer, dict):
                errors[a_where] = ["Each answer has a code, a text and points."]
                continue
            a_code = _code(answer.get("code"), f"{a_where}.code", errors)
            if a_code and a_code in seen_answers:
                errors.setdefault(f"{a_where}.code", []).append(
                    f"Two answers of this question have the code {a_code}."
                )
            seen_answers.add(a_code)
            parsed_answers.append(
                Answer(
                    code=a_code,
                    text=_text(answer.get("text"), f"{a_where}.text", errors),
                    points=_points(answer.get("points"), f"{a_where}.points", errors),
                )
            )
        parsed.append(Question(code=code, text=text, answers=tuple(parsed_answers)))
    if errors:
        raise AllocationError(errors)
    return Questionnaire(questions=tuple(parsed), pounds_per_point=rate, basis=str(basis))


def questionnaire_as_json(questionnaire: Questionnaire) -> list[dict[str, Any]]:
    """The questions as stored (JSON), in their order."""
    return [
        {
            "code": q.code,
            "text": q.text,
            "answers": [{"code": a.code, "text": a.text, "points": a.points} for a in q.answers],
        }
        for q in questionnaire.questions
    ]


def score(questionnaire: Questionnaire, answers: Any) -> int:
    """The points of a complete set of answers {question code: answer code}; AllocationError names an
    unknown question, an unknown answer or the questions left unanswered."""
    if not isinstance(answers, Mapping):
        raise AllocationError({"answers": ["Give the answers as {question code: answer code}."]})
    errors: dict[str, list[str]] = {}
    by_code = {q.code: q for q in questionnaire.questions}
    total = 0
    for question_code, answer_code in answers.items():
        question = by_code.get(question_code)
        if question is None:
            errors[f"answers.{question_code}"] = [f"There is no question {question_code}."]
            continue
        points = {a.code: a.points for a in question.answers}
        if not isinstance(answer_code, str) or answer_code not in points:
            errors[f"answers.{question_code}"] = [
                f"Question {question_code} has no answer {answer_code}; choose one of {', '.join(points)}."
            ]
            continue
        total += points[answer_code]
    missing = [q.code for q in questionnaire.questions if q.code not in answers]
    if missing:
        errors["answers"] = [f"Answer every question (not answered: {', '.join(missing)})."]
    if errors:
        raise AllocationError(errors)
    return total


def points_range(questionnaire: Questionnaire) -> tuple[int, int]:
    """The fewest and the most points a complete set of answers can score."""
    low = sum(min(a.points for a in q.answers) for q in questionnaire.questions)
    high = sum(max(a.points for a in q.answers) for q in questionnaire.questions)
    return low, high


def indicative_budget(points: int, pounds_per_point: Decimal) -> Decimal:
    """The indicative budget on the questionnaire's basis (a year or a week), in pennies."""
    return to_pennies(Decimal(points) * pounds_per_point)


def weekly_equivalent(amount: Decimal, basis: str) -> Decimal:
    """An amount on a basis as a weekly amount (unrounded): annual / 52."""
    if basis == WEEKLY:
        return amount
    if basis == ANNUAL:
        return amount / WEEKS_PER_YEAR
    raise ValueError(f"Unknown basis: {basis}")


def on_basis(amount: Decimal, basis: str, to: str) -> Decimal:
    """An amount on one basis given on another (weekly x 52 = annual), in pennies."""
    return to_pennies(weekly_equivalent(amount, basis) * (WEEKS_PER_YEAR if to == ANNUAL else 1))


def period_weeks(start: date, end: date) -> Decimal:
    """A plan period in weeks: days, both ends included, / 7 (as support_plans/costs.py counts it)."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    return Decimal((end - start).days + 1) / DAYS_PER_WEEK


def for_period(amount: Decimal, basis: str, start: date, end: date) -> Decimal:
    """The indicative budget over a plan period, in pennies."""
    return to_pennies(weekly_equivalent(amount, basis) * period_weeks(start, end))


def parse_margin(value: Any) -> Decimal:
    """The margin, a percent from 0 to MAX_MARGIN, in hundredths at most."""
    problem = f"The margin is a percent from 0 to {MAX_MARGIN}, like 10."
    try:
        margin = Decimal(str(value).strip())
    except InvalidOperation:
        raise AllocationError({"margin": [problem]}) from None
    if not margin.is_finite() or margin < 0 or margin > MAX_MARGIN:
        raise AllocationError({"margin": [problem]})
    return margin


def compare(cost: Decimal, indicative: Decimal, margin_percent: Decimal) -> Comparison:
    """A plan's total beside its indicative budget over the same period: over when the cost is more
    than the budget plus the margin."""
    limit = to_pennies(indicative * (1 + margin_percent / 100))
    return Comparison(
        indicative=to_pennies(indicative),
        cost=to_pennies(cost),
        difference=to_pennies(cost - indicative),
        limit=limit,
        over=to_pennies(cost) > limit,
    )
