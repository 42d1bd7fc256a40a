"""Disclosure control (reporting/disclosure.py): the rules as properties, and the region roll-up
built from them (issue 13, finding 10)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from reporting import disclosure

counts = st.integers(min_value=0, max_value=10_000_000)


@given(counts)
def test_a_count_from_1_to_7_is_suppressed_and_every_other_is_within_2_of_a_multiple_of_5(n):
    published = disclosure.count(n)
    if 1 <= n <= 7:
        assert published == "*"
    else:
        assert isinstance(published, int)
        assert published % 5 == 0
        assert abs(published - n) <= 2


@given(counts, counts)
def test_rounding_keeps_the_order_of_counts(a, b):
    low, high = sorted((a, b))
    if low >= 8:
        assert disclosure.count(low) <= disclosure.count(high)


def test_zero_is_published_as_zero_and_8_as_10():
    assert disclosure.count(0) == 0
    assert disclosure.count(8) == 10
    assert disclosure.count(12) == 10
    assert disclosure.count(13) == 15


@given(st.decimals(min_value=0, max_value=10**7, places=2), st.integers(min_value=0, max_value=1000))
def test_a_money_figure_about_fewer_than_8_people_is_suppressed(amount, people):
    published = disclosure.money(f"{amount:.2f}", people)
    assert (published == "*") == (people < 8)
    if people >= 8:
        assert published == f"{amount:.2f}"


@given(st.decimals(min_value=1, max_value=10**6, places=2), st.integers(min_value=1, max_value=1000))
def test_the_mode_is_suppressed_with_its_count_unless_8_people_share_it(amount, sharing):
    mode, mode_count = disclosure.mode(f"{amount:.2f}", sharing)
    if sharing < 8:
        assert (mode, mode_count) == ("*", "*")
    else:
        assert mode == f"{amount:.2f}" and mode_count == disclosure.count(sharing)


def _figures(in_place: int, per_org: list[int], people: int, mode_count: int) -> dict:
    """A region roll-up shaped like reporting.dashboard.region_dashboard's answer."""
    return {
        "as_of": "2024-06-30",
        "region": "London",
        "quarter": "2024Q2",
        "in_place": in_place,
        "new_this_quarter": 3,
        "by_cohort": {"chc": 9, "wheelchair": 1},
        "by_management": {"direct_payment": in_place},
        "pipeline": {"referrals": 40, "plans_approved": 7},
        "timings": {
            "referral_to_approval": {"median": 20.0, "p90": 31.5, "count": 5},
            "submission_to_decision": {"median": 3.0, "p90": 6.0, "count": 30},
        },
        "spend": {
            "total": "9912.07",
            "people": people,
            "mean": "9912.07",
            "median": "9912.07",
            "mode": "9912.07",
            "mode_count": mode_count,
            "by_category": {"therapies": "9912.07"},
            "paid_to_date": "100.00",
        },
        "demographics": {
            "people": people,
            "age_gender": [{"age_band": "65+", "genders": {"1": 1, "2": 11}, "total": 12}],
            "ethnicity": {"White": 2, "Asian": 10},
        },
        "reviews": {"due": 4, "overdue": 0, "completed": 22},
        "ambition": {
            "target": 250,
            "date": "2027-03-31",
            "population": 400000,
            "in_place": in_place,
            "per_1000_population": "0.02",
            "target_per_1000": "0.63",
            "trajectory": [{"quarter_end": "2024-03-31", "in_place": 1}],
        },
        "organisations": [
            {"code": f"Q{i}", "name": f"Org {i}", "population": 100000, "in_place": n, "new_this_quarter": 1}
            for i, n in enumerate(per_org)
        ],
    }


def _numbers(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _numbers(item, f"{path}[{index}]")
    elif isinstance(value, int) and not isinstance(value, bool):
        yield path, value


NOT_COUNTS = {".ambition.target", ".ambition.population"}


@given(
    st.integers(min_value=0, max_value=5000),
    st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=6),
    st.integers(min_value=0, max_value=5000),
    st.integers(min_value=0, max_value=5000),
)
def test_no_published_region_count_is_between_1_and_7_or_unrounded(in_place, per_org, people, mode_count):
    published = disclosure.region_figures(_figures(in_place, per_org, people, mode_count))
    for path, number in _numbers(published):
        if path in NOT_COUNTS or path.endswith(".population"):
            continue
        assert not 1 <= number <= 7, path
        assert number % 5 == 0, path


def test_the_spend_of_one_person_is_never_published():
    """The finding: the region page showed "£9,912.07 (1 person)", one individual's exact budget."""
    published = disclosure.region_figures(_figures(1, [1], people=1, mode_count=1))
    assert "9912.07" not in str(published)
    assert published["spend"]["mode"] == "*" and published["spend"]["mode_count"] == "*"
    assert published["timings"]["referral_to_approval"] == {"median": "*", "p90": "*", "count": "*"}
    assert published["timings"]["submission_to_decision"]["median"] == 3.0


def test_a_rate_is_made_from_the_published_count():
    published = disclosure.region_figures(_figures(1234, [1234], people=1234, mode_count=9))
    assert published["organisations"][0]["in_place"] == 1235
    assert published["organisations"][0]["per_1000_population"] == "12.35"
    assert published["spend"]["total"] == "9912.07" and published["spend"]["mode_count"] == 10
    assert Decimal(published["ambition"]["per_1000_population"]) == Decimal("3.09")
