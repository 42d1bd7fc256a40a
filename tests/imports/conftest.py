"""Sheets to import: rows as a person would type them, written as CSV or XLSX."""

import csv
import io

import pytest
from openpyxl import Workbook

from imports.constants import COLUMNS
from phb.constants import Role
from tests.factories import member, valid_nhs_number


def row(n: int = 1, reference: str = "CH-001", **overrides) -> dict[str, str]:
    values = {
        "nhs_number": valid_nhs_number(5000 + n),
        "given_name": f"Given{n}",
        "family_name": "Imported",
        "date_of_birth": "1970-05-01",
        "gender": "2",
        "ethnicity": "A",
        "cohorts": "chc;s117",
        "plan_reference": reference,
        "management": "direct_payment",
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "approved_on": "2026-03-20",
        "item_description": "Personal assistant",
        "category": "personal_assistant",
        "amount": "150.00",
        "frequency": "weekly",
        "paid_to_date": "1200.00",
    }
    values.update(overrides)
    return values


def as_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[dict]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for values in rows:
        sheet.append([values[column] for column in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def commissioner(org):
    return member(org, Role.COMMISSIONER, username="commissioner")
