"""The tiered approval rule (approvals/policy.py): validation, choosing the tier, who may fill a slot."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from approvals import policy as rules
from approvals.demo import BIRMINGHAM_TIERS, HACKNEY_TIERS
from phb.constants import Role


def tier(up_to, basis="total", signoffs=None, submitter_may_sign=False):
    return {
        "up_to": up_to,
        "basis": basis,
        "signoffs": signoffs if signoffs is not None else [{"role": "commissioner", "count": 1}],
        "submitter_may_sign": submitter_may_sign,
    }


def errors_of(tiers):
    with pytest.raises(rules.PolicyError) as caught:
        rules.validate_tiers(tiers)
    return caught.value.errors


def costs(total="0", weekly="0", annual="0"):
    return {"total": Decimal(total), "weekly": Decimal(weekly), "annual": Decimal(annual)}


# --- Validation, one rule per test


def test_both_example_policies_are_valid():
    assert [t.up_to for t in rules.validate_tiers(HACKNEY_TIERS)] == [
        Decimal("250.00"),
        Decimal("750.00"),
        None,
    ]
    assert [t.basis for t in rules.validate_tiers(BIRMINGHAM_TIERS)] == ["weekly", "weekly"]


def test_signing_roles_are_every_role_but_the_region_viewer():
    assert set(Role.values) - {Role.REGION_VIEWER} == rules.SIGNING_ROLES
    assert set(Role.values) == rules.ALL_ROLES


def test_a_policy_needs_at_least_one_tier():
    assert "tiers" in errors_of([])
    assert "tiers" in errors_of(None)


def test_bounds_must_increase():
    errors = errors_of([tier("500.00"), tier("500.00"), tier(None)])
    assert "tiers[1].up_to" in errors
    assert "tiers[0].up_to" not in errors


def test_bounds_must_not_decrease():
    assert "tiers[1].up_to" in errors_of([tier("500.00"), tier("250.00"), tier(None)])


def test_last_tier_must_be_unbounded():
    assert "tiers[1].up_to" in errors_of([tier("250.00"), tier("750.00")])


def test_only_the_last_tier_may_be_unbounded():
    assert "tiers[0].up_to" in errors_of([tier(None), tier(None)])


@pytest.mark.parametrize("bound", ["0", "-5.00", "12.345", "abc", "1000000.01", True, [1]])
def test_bounds_are_positive_amounts_with_two_decimals_at_most(bound):
    assert "tiers[0].up_to" in errors_of([tier(bound), tier(None)])


def test_basis_must_be_total_weekly_or_annual():
    assert "tiers[0].basis" in errors_of([tier(None, basis="monthly")])


def test_roles_must_be_known():
    errors = errors_of([tier(None, signoffs=[{"role": "janitor", "count": 1}])])
    assert "tiers[0].signoffs[0].role" in errors


def test_region_viewer_cannot_sign_off():
    assert "tiers[0].signoffs[0].role" in errors_of(
        [tier(None, signoffs=[{"role": "region_viewer", "count": 1}])]
    )


@pytest.mark.parametrize("count", [0, -1, 1.5, "x", None, True])
def test_counts_are_whole_numbers_of_at_least_one(count):
    errors = errors_of([tier(None, signoffs=[{"role": "commissioner", "count": count}])])
    assert "tiers[0].signoffs[0].count" in errors


def test_a_tier_needs_at_least_one_signoff():
    assert "tiers[0].signoffs" in errors_of([tier(None, signoffs=[])])


def test_a_role_is_listed_once_per_tier():
    signoffs = [{"role": "commissioner", "count": 1}, {"role": "commissioner", "count": 1}]
    assert "tiers[0].signoffs[1].role" in errors_of([tier(None, signoffs=signoffs)])


def test_submitter_may_sign_is_a_boolean_and_defaults_to_false():
    assert "tiers[0].submitter_may_sign" in errors_of([tier(None, submitter_may_sign="yes")])
    raw = {"up_to": None, "basis": "total", "signoffs": [{"role": "commissioner", "count": 1}]}
    assert rules.validate_tiers([raw])[0].submitter_may_sign is False


def test_every_problem_is_reported_at_once():
    errors = errors_of([tier("-1", basis="x"), tier("5.00", signoffs=[{"role": "nobody", "count": 0}])])
    assert {"tiers[0].up_to", "tiers[0].basis", "tiers[1].up_to", "tiers[1].signoffs[0].role"} <= set(errors)


def test_stored_form_has_money_as_strings():
    parsed = rules.validate_tiers([tier("250"), tier(None)])
    assert rules.tiers_as_json(parsed)[0]["up_to"] == "250.00"
    assert rules.tiers_as_json(parsed)[1]["up_to"] is None


# --- Choosing the tier


@pytest.mark.parametrize(
    ("total", "expected"),
    [("0.01", 0), ("250.00", 0), ("250.01", 1), ("750.00", 1), ("750.01", 2), ("99999.00", 2)],
)
def test_hackney_bounds_are_inclusive(total, expected):
    index, _chosen, amount = rules.choose_tier(rules.validate_tiers(HACKNEY_TIERS), costs(total=total))
    assert index == expected
    assert amount == Decimal(total)


def test_each_tier_is_measured_on_its_own_basis():
    tiers = rules.validate_tiers([tier("300.00", basis="total"), tier("100.00", basis="weekly"), tier(None)])
    # Over £300 total, but only £80 a week: the weekly tier applies.
    index, chosen, amount = rules.choose_tier(tiers, costs(total="4000.00", weekly="80.00"))
    assert (index, chosen.basis, amount) == (1, "weekly", Decimal("80.00"))


def test_costs_may_be_an_object_with_total_weekly_annual():
    class Costs:
        total, weekly, annual = Decimal("10"), Decimal("500"), Decimal("26000")

    index, _, amount = rules.choose_tier(rules.validate_tiers(BIRMINGHAM_TIERS), Costs())
    assert (index, amount) == (1, Decimal("500"))


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)


@st.composite
def valid_policies(draw):
    bounds = sorted(draw(st.sets(money, max_size=5)))
    roles = sorted(rules.SIGNING_ROLES)
    tiers = []
    for bound in [*bounds, None]:
        chosen = draw(st.lists(st.sampled_from(roles), min_size=1, max_size=3, unique=True))
        tiers.append(
            {
                "up_to": None if bound is None else str(bound),
                "basis": draw(st.sampled_from(rules.BASES)),
                "signoffs": [{"role": r, "count": draw(st.integers(1, 3))} for r in chosen],
                "submitter_may_sign": draw(st.booleans()),
            }
        )
    return tiers


@given(valid_policies(), money, money, money)
def test_chosen_tier_is_the_first_whose_bound_is_not_exceeded(raw, total, weekly, annual):
    tiers = rules.validate_tiers(raw)
    plan_costs = {"total": total, "weekly": weekly, "annual": annual}
    index, chosen, amount = rules.choose_tier(tiers, plan_costs)
    assert chosen is tiers[index]
    assert amount == plan_costs[chosen.basis]
    assert chosen.up_to is None or amount <= chosen.up_to
    for earlier in tiers[:index]:
        assert plan_costs[earlier.basis] > earlier.up_to


@given(valid_policies())
def test_every_valid_policy_survives_a_round_trip(raw):
    tiers = rules.validate_tiers(raw)
    assert rules.validate_tiers(rules.tiers_as_json(tiers)) == tiers


# --- Who may fill a slot

PANEL = [{"role": "care_coordinator", "count": 1}, {"role": "team_lead", "count": 1}]


def refusal(**overrides):
    arguments = {
        "decision": "approve",
        "role": "team_lead",
        "user_id": 2,
        "user_roles": {"team_lead", "care_coordinator"},
        "submitter_id": 1,
        "submitter_may_sign": False,
        "required": PANEL,
        "decisions": [],
    }
    arguments.update(overrides)
    return rules.refusal(**arguments)


def test_a_panel_member_with_the_role_may_fill_an_open_slot():
    assert refusal() is None


def test_a_user_without_the_role_cannot_fill_its_slot():
    assert "do not hold" in refusal(user_roles={"care_coordinator"})


def test_a_role_the_tier_does_not_need_cannot_sign():
    assert "needs no sign-off" in refusal(role="commissioner", user_roles={"commissioner"})


def test_a_user_fills_at_most_one_slot():
    decided = [rules.DecisionFact(user_id=2, role="care_coordinator", decision="approve")]
    assert "already decided" in refusal(decisions=decided)


def test_the_submitter_signs_only_where_the_tier_allows():
    assert "submitted" in refusal(user_id=1)
    assert refusal(user_id=1, submitter_may_sign=True) is None


def test_a_full_slot_cannot_be_filled_again():
    decided = [rules.DecisionFact(user_id=3, role="team_lead", decision="approve")]
    assert "already given" in refusal(decisions=decided)


def test_declining_needs_a_panel_place_not_an_open_slot():
    decided = [rules.DecisionFact(user_id=3, role="team_lead", decision="approve")]
    assert refusal(decision="decline", decisions=decided) is None


def test_slots_open_counts_only_approvals():
    decided = [
        rules.DecisionFact(user_id=3, role="team_lead", decision="approve"),
        rules.DecisionFact(user_id=4, role="care_coordinator", decision="decline"),
    ]
    assert rules.slots_open(PANEL, decided) == {"care_coordinator": 1}
    assert rules.slots_count(PANEL, decided) == (1, 2)


def test_fillable_roles_lists_the_open_slots_a_user_may_fill():
    assert rules.fillable_roles(
        user_id=2,
        user_roles={"care_coordinator", "team_lead"},
        submitter_id=1,
        submitter_may_sign=False,
        required=PANEL,
        decisions=[rules.DecisionFact(user_id=3, role="care_coordinator", decision="approve")],
    ) == ["team_lead"]


def test_explanation_names_the_bounds_and_the_panel():
    tiers = rules.validate_tiers(HACKNEY_TIERS)
    text = rules.explain_tier(tiers, 1, Decimal("600.00"))
    assert (
        text
        == "£600.00 total is over £250.00 and at most £750.00: tier 2 needs a care coordinator and a team lead (the submitter may sign)"
    )
