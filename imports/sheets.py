"""Reading an uploaded sheet (CSV or XLSX) into rows of text, and writing the blank template."""

import csv
import io
from datetime import date, datetime
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from phb.constants import Cohort, Ethnicity, Gender
from support_plans.constants import Frequency, Management, SpendCategory

from .constants import COLUMNS, MAX_ROWS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SheetError(Exception):
    """The file cannot be read as a sheet at all (not a row-level problem)."""


def _text(value) -> str:
    """A cell as the text a person typed: dates as YYYY-MM-DD, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(header: list, body) -> list[dict[str, str]]:
    names = [_text(name).lower() for name in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise SheetError(f"The sheet has no column {', '.join(missing)}. Start from the template.")
    rows = []
    for values in body:
        texts = [_text(v) for v in values]
        if not any(texts):
            continue  # a blank line is not a row
        row = dict(zip(names, texts, strict=False))
        rows.append({column: row.get(column, "") for column in COLUMNS})
        if len(rows) > MAX_ROWS:
            raise SheetError(f"The sheet has more than {MAX_ROWS:,} rows. Split it into smaller sheets.")
    if not rows:
        raise SheetError("The sheet has no rows under its header.")
    return rows


def read_sheet(name: str, content: bytes) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX file, each a dict of the template's columns to text."""
    if name.lower().endswith(".xlsx") or content[:2] == b"PK":
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            lines = workbook.worksheets[0].iter_rows(values_only=True)
            header = next(lines, None)
            if header is None:
                raise SheetError("The sheet is empty.")
            return _rows(list(header), lines)
        except SheetError:
            raise
        except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError, TypeError) as error:
            # A damaged or mislabelled workbook fails in many ways inside openpyxl; all are bad input.
            raise SheetError("The file is not a readable XLSX workbook.") from error
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SheetError("The file is not a CSV in UTF-8 or an XLSX workbook.") from error
    try:
        lines = csv.reader(io.StringIO(text))
        header = next(lines, None)
        if header is None:
            raise SheetError("The sheet is empty.")
        return _rows(header, lines)
    except csv.Error as error:
        raise SheetError(f"The file cannot be read as CSV: {error}.") from error


# --- The template


GUIDANCE = [
    ("nhs_number", "10 digits, for example 943 476 5919"),
    ("date_of_birth, start_date, end_date, approved_on", "YYYY-MM-DD, for example 2025-04-01"),
    ("gender", ", ".join(Gender.values)),
    ("ethnicity", ", ".join(Ethnicity.values)),
    ("cohorts", "separated by ; from: " + ", ".join(Cohort.values)),
    ("plan_reference", "your own reference for the budget; the rows of one plan share it"),
    ("management", ", ".join(Management.values)),
    ("category", ", ".join(SpendCategory.values) + " or your organisation's own codes"),
    ("amount, paid_to_date", "pounds and pence, for example 125.50"),
    ("frequency", ", ".join(Frequency.values)),
]


def template_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(COLUMNS)
    return out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan items"
    sheet.append(list(COLUMNS))
    guidance = workbook.create_sheet("How to fill it in")
    guidance.append(["Column", "What to enter"])
    for row in GUIDANCE:
        guidance.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
