"""Money: GBP as Decimal, rounded half-up to pennies once at the end of a calculation (DESIGN.md)."""

from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
# Every money column is numeric(12, 2) (MONEY_DIGITS digits, two after the point): the largest
# amount one can hold. A computed figure is checked against it before it is written.
MONEY_DIGITS = 12
LARGEST_RECORDABLE = Decimal(10) ** (MONEY_DIGITS - 2) - PENNY


def to_pennies(amount: Decimal) -> Decimal:
    """The one rounding step: half-up to whole pennies."""
    return Decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP)


def gbp(amount: Decimal) -> str:
    """For people: £1,234.56 (a minus sign in front of the pound sign when negative)."""
    pennies = to_pennies(amount)
    return f"{'-' if pennies < 0 else ''}£{abs(pennies):,.2f}"


def api_amount(amount: Decimal | None) -> str | None:
    """For the API and exports: "1234.56", a string with two decimals."""
    return None if amount is None else f"{to_pennies(amount):.2f}"
