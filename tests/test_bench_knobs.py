"""The benchmark's choices at any size of data set (bench/run.py)."""

from decimal import Decimal

from bench.run import payable_plans, share


def test_payments_spread_over_the_plans_whose_money_left_covers_their_share():
    rows = [(10, Decimal("500.00")), (11, Decimal("120.00")), (12, Decimal("80.00")), (13, Decimal("3.00"))]
    # 221 payments of £1.00: over 3 plans each takes 74, which plan 12 (£80 left) covers; plan 13 cannot.
    assert payable_plans(rows, 221) == [10, 11, 12]
    assert payable_plans(rows, 12) == [10, 11, 12, 13]
    assert payable_plans([(10, Decimal("5.00"))], 221) == []
    assert payable_plans([], 221) == []


def test_sign_offs_use_all_that_are_left_when_fewer_than_asked_for():
    assert share(1000, warmup=20, requests_=200) == (20, 200)
    assert share(221, warmup=20, requests_=200) == (20, 200)
    # At 2,000 people the first organisation has about 104 pending requests.
    assert share(104, warmup=20, requests_=200) == (10, 93)
    assert share(0, warmup=20, requests_=200) == (0, 0)
