"""The provider's pages as CSV: a remittance the supplier's bookkeeping can read."""

import csv
import io

PAYMENT_HEADER = [
    "paid_on",
    "organisation_code",
    "organisation",
    "supplier",
    "kind",
    "reference",
    "plan_reference",
    "amount",
]
INSTALMENT_HEADER = [
    "due_on",
    "organisation_code",
    "organisation",
    "supplier",
    "status",
    "plan_reference",
    "amount",
]


def _cell(value) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @) is quoted: the file is opened in Excel."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def payments_csv(lines: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PAYMENT_HEADER)
    for line in lines:
        writer.writerow(
            [
                line["paid_on"],
                line["organisation"]["code"],
                _cell(line["organisation"]["name"]),
                _cell(line["supplier"]["name"] if line["supplier"] else ""),
                line["kind"],
                _cell(line["reference"]),
                line["plan_reference"],
                line["amount"],
            ]
        )
    return out.getvalue()


def instalments_csv(lines: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(INSTALMENT_HEADER)
    for line in lines:
        writer.writerow(
            [
                line["due_on"],
                line["organisation"]["code"],
                _cell(line["organisation"]["name"]),
                _cell(line["supplier"]["name"] if line["supplier"] else ""),
                line["status"],
                line["plan_reference"],
                line["amount"],
            ]
        )
    return out.getvalue()
