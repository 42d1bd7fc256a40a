"""Medians and 90th percentiles computed by the database (PostgreSQL), with the SQLite fallback.

On PostgreSQL `percentile_cont(f) WITHIN GROUP (ORDER BY x)` is an ordered-set aggregate, so a
median and a p90 come back from one query over any number of rows. SQLite has no such aggregate:
there the fallback reads the one column, ordered, in a single query and interpolates in Python the
same way percentile_cont does (linear between the two nearest ranks). Embedded demo installs run on
SQLite; the national-scale deployment runs on PostgreSQL.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, F, FloatField

from phb.money import to_pennies


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile: interpolated value at `fraction` of the ordered column."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile fraction lies between 0 and 1.")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def interpolated_percentile(ordered: list, fraction: float):
    """percentile_cont on an ordered list of numbers or timedeltas (None for an empty list)."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    weight = position - lower
    low, high = ordered[lower], ordered[upper]
    if isinstance(low, timedelta):
        return low + (high - low) * weight
    return float(low) + (float(high) - float(low)) * weight


def median_and_p90(queryset, column: str, *, duration: bool) -> dict:
    """{"median", "p90", "count"} of an annotated column of the queryset (rows where it is null skipped).

    Durations come back as timedeltas, other columns as floats.
    """
    queryset = queryset.filter(**{f"{column}__isnull": False})
    if connection.vendor == "postgresql":
        output = DurationField() if duration else FloatField()
        return queryset.aggregate(
            median=PercentileCont(F(column), 0.5, output_field=output),
            p90=PercentileCont(F(column), 0.9, output_field=output),
            count=Count(F(column)),
        )
    # SQLite fallback: one query for the ordered column, percentiles interpolated here.
    ordered = list(queryset.order_by(column).values_list(column, flat=True))
    return {
        "median": interpolated_percentile(ordered, 0.5),
        "p90": interpolated_percentile(ordered, 0.9),
        "count": len(ordered),
    }


def medians_and_p90s(queryset, columns: list[str], *, duration: bool) -> dict:
    """{column: {"median", "p90", "count"}} of several annotated columns of one queryset.

    On PostgreSQL one query: percentile_cont and count skip the nulls of each column, so a column
    that is null outside its own condition (a `Case` without default) is measured on its rows only.
    Elsewhere, one fallback query per column.
    """
    if connection.vendor != "postgresql":
        return {column: median_and_p90(queryset, column, duration=duration) for column in columns}
    output = DurationField() if duration else FloatField()
    aggregates = {}
    for index, column in enumerate(columns):
        aggregates[f"median_{index}"] = PercentileCont(F(column), 0.5, output_field=output)
        aggregates[f"p90_{index}"] = PercentileCont(F(column), 0.9, output_field=output)
        aggregates[f"count_{index}"] = Count(F(column))
    result = queryset.aggregate(**aggregates)
    return {
        column: {key: result[f"{key}_{index}"] for key in ("median", "p90", "count")}
        for index, column in enumerate(columns)
    }


def days(value: timedelta | None) -> float | None:
    """A duration in days with one decimal, as the dashboard shows it."""
    if value is None:
        return None
    return round(value.total_seconds() / 86400, 1)


def to_money(value) -> Decimal | None:
    if value is None:
        return None
    return to_pennies(Decimal(str(value)))
