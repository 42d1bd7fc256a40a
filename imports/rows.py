"""Checking an import sheet's rows with the rules of the forms and API, and grouping them into plans.

Each row is read by the serializers the API uses for the same things (a person, a plan item), so a
sheet is held to exactly the rules of typing the record in: the NHS number's check digit, dates,
codes, money as Decimal. What only a sheet can get wrong (two rows of one plan that disagree, more
paid to date than the plan is worth) is checked here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from phb import serializers
from phb.api import MoneyField, PersonSerializer
from phb.nhs_number import normalise_nhs_number
from support_plans import costs
from support_plans.api import ItemInput
from support_plans.constants import Management
from support_plans.services import category_codes

from .constants import PERSON_COLUMNS, WHOLE_PLAN_COLUMNS

FIRST_ROW = 2  # the header is row 1, as a spreadsheet numbers it

# The item serializer's field -> the sheet's column.
ITEM_COLUMN = {
    "description": "item_description",
    "category": "category",
    "amount": "amount",
    "frequency": "frequency",
}


class PlanColumnsInput(serializers.Serializer):
    """The plan's columns of a row: what the plan form asks, plus when it was approved and what is paid."""

    plan_reference = serializers.CharField(max_length=100)
    management = serializers.ChoiceField(choices=Management.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    approved_on = serializers.DateField()
    paid_to_date = MoneyField(min_value=Decimal("0.00"), max_value=Decimal("1000000.00"))

    def validate_approved_on(self, value: date) -> date:
        if value > timezone.localdate():
            raise serializers.ValidationError("The approval date cannot be in the future.")
        return value

    def validate(self, data):
        if data["end_date"] < data["start_date"]:
            raise serializers.ValidationError(
                {"end_date": ["The end date must be on or after the start date."]}
            )
        return data


PLAN_INPUT_COLUMNS = tuple(PlanColumnsInput().fields)


@dataclass
class PlanRows:
    """The rows of one plan in the sheet, checked and converted."""

    nhs_number: str
    plan_reference: str
    person: dict
    plan: dict
    items: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


@dataclass
class CheckedSheet:
    plans: list[PlanRows]
    errors: list[dict]
    rows: int

    @property
    def summary(self) -> dict:
        return {
            "people": len({plan.nhs_number for plan in self.plans}),
            "plans": len(self.plans),
            "items": sum(len(plan.items) for plan in self.plans),
        }


def _messages(detail) -> list[str]:
    """A serializer's error detail (list, dict by index, nested) as plain sentences."""
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


def _errors_of(errors: dict, row: int, column_of=lambda name: name) -> list[dict]:
    problems = []
    for name, detail in errors.items():
        column = column_of(name) if name != "non_field_errors" else ""
        problems += [{"row": row, "field": column, "message": message} for message in _messages(detail)]
    return problems


def _person_data(raw: dict) -> dict:
    return {
        "nhs_number": normalise_nhs_number(raw["nhs_number"]),
        "given_name": raw["given_name"],
        "family_name": raw["family_name"],
        "date_of_birth": raw["date_of_birth"],
        "gender": raw["gender"],
        "ethnicity": raw["ethnicity"],
        "cohorts": [c.strip() for c in raw["cohorts"].split(";") if c.strip()],
    }


def _disagreements(raw: dict, first: dict, first_row: int, row: int, columns, what: str) -> list[dict]:
    return [
        {
            "row": row,
            "field": column,
            "message": f"This differs from row {first_row} for the same {what} "
            f"({first[column] or 'blank'} there, {raw[column] or 'blank'} here).",
        }
        for column in columns
        if raw[column] != first[column]
    ]


class _Checker:
    """One serializer of each kind, its fields built once, checking row after row (`run_validation`,
    what `is_valid` runs); the person's and plan's columns, repeated on every row of a plan, are
    checked once per distinct value. The spend categories are read once, for the whole sheet."""

    def __init__(self, organisation) -> None:
        context = {"organisation": organisation, "category_codes": category_codes(organisation)}
        self.person = PersonSerializer(context=context)
        self.plan = PlanColumnsInput(context=context)
        self.item = ItemInput(context=context)
        self.seen: dict[tuple, tuple[dict | None, dict]] = {}

    @staticmethod
    def _run(serializer, data: dict) -> tuple[dict | None, dict]:
        try:
            return dict(serializer.run_validation(data)), {}
        except serializers.ValidationError as error:
            return None, serializers.as_serializer_error(error)

    def once(self, kind: str, serializer, data: dict) -> tuple[dict | None, dict]:
        key = (kind, tuple((name, str(value)) for name, value in data.items()))
        if key not in self.seen:
            self.seen[key] = self._run(serializer, data)
        valid, errors = self.seen[key]
        return (dict(valid) if valid is not None else None), errors


def check_rows(organisation, raw_rows: list[dict[str, str]]) -> CheckedSheet:
    """Every row checked; every problem reported by row and column; the valid rows grouped by plan."""
    errors: list[dict] = []
    plans: dict[tuple[str, str], PlanRows] = {}
    first_of_person: dict[str, tuple[int, dict]] = {}
    first_of_plan: dict[tuple[str, str], tuple[int, dict]] = {}
    checker = _Checker(organisation)
    for index, raw in enumerate(raw_rows):
        row = FIRST_ROW + index
        person, person_errors = checker.once("person", checker.person, _person_data(raw))
        plan, plan_errors = checker.once(
            "plan", checker.plan, {name: raw[name] for name in PLAN_INPUT_COLUMNS}
        )
        item, item_errors = checker._run(
            checker.item, {name: raw[column] for name, column in ITEM_COLUMN.items()}
        )
        row_errors = []
        row_errors += _errors_of(person_errors, row)
        row_errors += _errors_of(plan_errors, row)
        row_errors += _errors_of(item_errors, row, lambda name: ITEM_COLUMN.get(name, name))
        nhs_number = normalise_nhs_number(raw["nhs_number"])
        key = (nhs_number, raw["plan_reference"].strip())
        if nhs_number in first_of_person:
            first_row, first = first_of_person[nhs_number]
            row_errors += _disagreements(raw, first, first_row, row, PERSON_COLUMNS[1:], "NHS number")
        else:
            first_of_person[nhs_number] = (row, raw)
        if key in first_of_plan:
            first_row, first = first_of_plan[key]
            row_errors += _disagreements(raw, first, first_row, row, WHOLE_PLAN_COLUMNS, "plan reference")
        else:
            first_of_plan[key] = (row, raw)
        if row_errors:
            errors += row_errors
            continue
        assert person is not None and plan is not None and item is not None
        group = plans.get(key)
        if group is None:
            group = plans[key] = PlanRows(
                nhs_number=nhs_number,
                plan_reference=key[1],
                person=person,
                plan=plan,
            )
        group.items.append(item)
        group.rows.append(row)
    for group in plans.values():
        total = costs.plan_costs(
            group.plan["start_date"],
            group.plan["end_date"],
            [costs.Line(amount=i["amount"], frequency=i["frequency"]) for i in group.items],
        ).total
        if group.plan["paid_to_date"] > total:
            errors.append(
                {
                    "row": group.rows[0],
                    "field": "paid_to_date",
                    "message": f"Paid to date (£{group.plan['paid_to_date']:,.2f}) is more than the plan's "
                    f"items cost over its period (£{total:,.2f}).",
                }
            )
    errors.sort(key=lambda problem: problem["row"])
    return CheckedSheet(plans=list(plans.values()), errors=errors, rows=len(raw_rows))
