"""The indicative budget rule (support_plans/allocation.py): examples and hypothesis properties."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support_plans import allocation as rules
from support_plans.costs import plan_weeks

QUESTIONS = [
    {
        "code": "daily_living",
        "text": "Help with washing and dressing",
        "answers": [
            {"code": "none", "text": "None", "points": 0},
            {"code": "daily", "text": "Every day", "points": 40},
        ],
    },
    {
        "code": "carers",
        "text": "Support from family",
        "answers": [
            {"code": "strong", "text": "Strong", "points": 0},
            {"code": "none", "text": "None", "points": 25},
        ],
    },
]


def questionnaire(basis="annual", rate="100.00"):
    return rules.validate_questionnaire(QUESTIONS, rate, basis)


def test_points_add_up_the_answers_given():
    assert rules.score(questionnaire(), {"daily_living": "daily", "carers": "none"}) == 65


def test_points_times_pounds_per_point_is_the_budget_on_its_basis():
    assert rules.indicative_budget(65, Decimal("100.00")) == Decimal("6500.00")


def test_an_unknown_question_is_named():
    with pytest.raises(rules.AllocationError) as error:
        rules.score(questionnaire(), {"daily_living": "daily", "carers": "none", "pets": "cat"})
    assert "answers.pets" in error.value.errors
    assert "no question pets" in error.value.errors["answers.pets"][0]


def test_an_unknown_answer_is_named_with_the_choices():
    with pytest.raises(rules.AllocationError) as error:
        rules.score(questionnaire(), {"daily_living": "weekly", "carers": "none"})
    assert "no answer weekly" in error.value.errors["answers.daily_living"][0]
    assert "none, daily" in error.value.errors["answers.daily_living"][0]


def test_every_question_must_be_answered():
    with pytest.raises(rules.AllocationError) as error:
        rules.score(questionnaire(), {"daily_living": "daily"})
    assert "carers" in error.value.errors["answers"][0]


@pytest.mark.parametrize(
    ("questions", "key"),
    [
        ([], "questions"),
        ([{**QUESTIONS[0]}, {**QUESTIONS[0]}], "questions[1].code"),
        (
            [{**QUESTIONS[0], "answers": [QUESTIONS[0]["answers"][0], QUESTIONS[0]["answers"][0]]}],
            "questions[0].answers[1].code",
        ),
        (
            [
                {
                    **QUESTIONS[0],
                    "answers": [{"code": "a", "text": "A", "points": -1}, QUESTIONS[0]["answers"][1]],
                }
            ],
            "questions[0].answers[0].points",
        ),
        (
            [
                {
                    **QUESTIONS[0],
                    "answers": [{"code": "a", "text": "A", "points": "1.5"}, QUESTIONS[0]["answers"][1]],
                }
            ],
            "questions[0].answers[0].points",
        ),
        (
            [
                {
                    **QUESTIONS[0],
                    "answers": [{"code": "a", "text": "A", "points": True}, QUESTIONS[0]["answers"][1]],
                }
            ],
            "questions[0].answers[0].points",
        ),
        ([{**QUESTIONS[0], "answers": [QUESTIONS[0]["answers"][0]]}], "questions[0].answers"),
        ([{**QUESTIONS[0], "code": "Has Spaces"}], "questions[0].code"),
        ([{**QUESTIONS[0], "text": " "}], "questions[0].text"),
    ],
)
def test_a_questionnaire_that_does_not_hold_is_refused_naming_the_place(questions, key):
    with pytest.raises(rules.AllocationError) as error:
        rules.validate_questionnaire(questions, "10.00", "annual")
    assert key in error.value.errors


@pytest.mark.parametrize("rate", ["0", "-1", "0.001", "abc", "NaN", "Infinity", None, True, "100000.01"])
def test_pounds_per_point_must_be_more_than_nothing_in_pennies(rate):
    with pytest.raises(rules.AllocationError) as error:
        rules.validate_questionnaire(QUESTIONS, rate, "annual")
    assert "pounds_per_point" in error.value.errors


def test_the_basis_is_annual_or_weekly():
    with pytest.raises(rules.AllocationError) as error:
        rules.validate_questionnaire(QUESTIONS, "10.00", "monthly")
    assert "basis" in error.value.errors


def test_an_annual_budget_over_a_year_of_364_days_is_the_annual_figure():
    assert rules.for_period(Decimal("5200.00"), "annual", date(2026, 1, 1), date(2026, 12, 30)) == Decimal(
        "5200.00"
    )


def test_a_weekly_budget_over_two_weeks_is_twice_it():
    assert rules.for_period(Decimal("150.00"), "weekly", date(2026, 1, 1), date(2026, 1, 14)) == Decimal(
        "300.00"
    )


def test_exactly_at_the_margin_is_within_and_a_penny_more_is_over():
    assert not rules.compare(Decimal("110.00"), Decimal("100.00"), Decimal("10")).over
    assert rules.compare(Decimal("110.01"), Decimal("100.00"), Decimal("10")).over


# --- Properties

# Codes from a fixed pool: a regex strategy is slow to draw on a loaded machine (the health check).
CODE_POOL = ["a", "b1", "daily_living", "carers", "x_2", "mobility", "health", "z9", "night", "home"]
codes = st.sampled_from(CODE_POOL)
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)
points = st.integers(min_value=0, max_value=rules.MAX_POINTS)


@st.composite
def questionnaires(draw):
    question_codes = draw(st.lists(codes, min_size=1, max_size=5, unique=True))
    questions = []
    for code in question_codes:
        answer_codes = draw(st.lists(codes, min_size=2, max_size=4, unique=True))
        questions.append(
            {
                "code": code,
                "text": f"Question {code}",
                "answers": [{"code": a, "text": f"Answer {a}", "points": draw(points)} for a in answer_codes],
            }
        )
    return questions, draw(money), draw(st.sampled_from(rules.BASES))


@given(questionnaires(), st.data())
def test_any_complete_answers_score_within_the_points_range(typed, data):
    questions, rate, basis = typed
    parsed = rules.validate_questionnaire(questions, f"{rate}", basis)
    answers = {q["code"]: data.draw(st.sampled_from([a["code"] for a in q["answers"]])) for q in questions}
    low, high = rules.points_range(parsed)
    score = rules.score(parsed, answers)
    assert low <= score <= high
    assert score == sum(
        next(a["points"] for a in q["answers"] if a["code"] == answers[q["code"]]) for q in questions
    )


@given(questionnaires())
def test_a_valid_questionnaire_survives_its_own_stored_form(typed):
    questions, rate, basis = typed
    parsed = rules.validate_questionnaire(questions, f"{rate}", basis)
    again = rules.validate_questionnaire(
        rules.questionnaire_as_json(parsed), f"{parsed.pounds_per_point}", basis
    )
    assert again == parsed


@given(questionnaires(), codes)
def test_a_repeated_question_code_is_always_refused(typed, extra):
    questions, rate, basis = typed
    with pytest.raises(rules.AllocationError):
        rules.validate_questionnaire([*questions, {**questions[0], "text": "Again"}], f"{rate}", basis)


@given(points, money)
def test_more_points_never_give_a_smaller_budget(score, rate):
    assert rules.indicative_budget(score + 1, rate) >= rules.indicative_budget(score, rate)
    assert rules.indicative_budget(score, rate) == (Decimal(score) * rate).quantize(Decimal("0.01"))


@given(money, st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)), st.integers(0, 5 * 366))
def test_a_weekly_budget_over_a_period_is_its_weeks_times_the_weekly_amount(weekly, start, days):
    end = start + timedelta(days=days)
    expected = (weekly * plan_weeks(start, end)).quantize(Decimal("0.01"))
    assert rules.for_period(weekly, "weekly", start, end) == expected
    # The same budget given a year at a time comes to the same over the period (to a penny or so).
    annual = rules.on_basis(weekly, "weekly", "annual")
    assert abs(rules.for_period(annual, "annual", start, end) - expected) <= Decimal("0.01")


@given(
    money,
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    st.integers(0, 800),
    st.integers(0, 800),
)
def test_a_longer_period_never_has_a_smaller_budget(amount, start, days, more):
    end = start + timedelta(days=days)
    for basis in rules.BASES:
        assert rules.for_period(amount, basis, start, end + timedelta(days=more)) >= rules.for_period(
            amount, basis, start, end
        )


@given(money, money, st.decimals(min_value=0, max_value=100, places=2))
def test_over_means_more_than_the_budget_plus_its_margin(cost, indicative, margin):
    comparison = rules.compare(cost, indicative, margin)
    assert comparison.over == (cost > comparison.limit)
    assert comparison.difference == cost - indicative
    assert comparison.limit >= indicative
    # A plan at or under its budget is never over, whatever the margin.
    if cost <= indicative:
        assert not comparison.over


@given(
    money,
    money,
    st.decimals(min_value=0, max_value=50, places=2),
    st.decimals(min_value=0, max_value=50, places=2),
)
def test_a_wider_margin_never_turns_a_plan_over(cost, indicative, margin, wider_by):
    if rules.compare(cost, indicative, margin + wider_by).over:
        assert rules.compare(cost, indicative, margin).over
