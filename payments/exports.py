"""The finance export: payments and refunds of a period as CSV, ending in a TOTAL that reconciles."""

import csv
import io
from datetime import date
from decimal import Decimal

from phb.exceptions import InvalidInput

CSV_HEADER = [
    "entry_id",
    "date",
    "organisation_code",
    "nhs_number",
    "person_name",
    "plan_id",
    "budget_id",
    "kind",
    "method",
    "payee",
    "reference",
    "amount",
]


def _cell(value) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @) is quoted: the export is opened in Excel."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def payments_csv(lines: list[dict], total: Decimal) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for line in lines:
        writer.writerow(
            [
                line["id"],
                line["entry_date"],
                line["organisation"],
                line["nhs_number"],
                _cell(line["person_name"]),
                line["plan"],
                line["budget"],
                line["kind"],
                line["method"],
                _cell(line["payee"]),
                _cell(line["reference"]),
                line["amount"],
            ]
        )
    writer.writerow(["TOTAL", "", "", "", "", "", "", "", "", "", "", f"{total:.2f}"])
    return out.getvalue()


def period_from(params) -> tuple[date | None, date | None]:
    """`from` and `to` (YYYY-MM-DD, both included); a 400 naming the field otherwise."""
    found: dict[str, date | None] = {}
    for name in ("from", "to"):
        raw = (params.get(name) or "").strip()
        if not raw:
            found[name] = None
            continue
        try:
            found[name] = date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(**{name: ["Enter a date as YYYY-MM-DD."]}) from None
    if found["from"] and found["to"] and found["to"] < found["from"]:
        raise InvalidInput(to=["The end of the period must not be before its start."])
    return found["from"], found["to"]
