"""Demo data of the imports app: a checked sheet waiting to be confirmed in each organisation."""

import csv
import io

import nhs_number

from .constants import COLUMNS
from .services import import_preview


def _synthetic_nhs_number(n: int) -> str:
    """An NHS number in the synthetic 999 range (never a real patient), with its check digit."""
    base = 999_100_000 + n
    while (check := nhs_number.calculate_checksum(f"{base:09d}")) is None or check == 10:
        base += 1
    return f"{base:09d}{check}"


def _sheet(number: int, reference: str) -> bytes:
    person_and_plan = {
        "nhs_number": _synthetic_nhs_number(number),
        "given_name": "Rowan",
        "family_name": "Spreadsheet",
        "date_of_birth": "1968-02-14",
        "gender": "2",
        "ethnicity": "A",
        "cohorts": "chc",
        "plan_reference": reference,
        "management": "direct_payment",
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "approved_on": "2026-03-25",
        "paid_to_date": "600.00",
    }
    items = [
        ("Personal assistant, 10 hours a week", "personal_assistant", "150.00", "weekly"),
        ("Swimming and gym membership", "fitness_exercise", "35.00", "monthly"),
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for description, category, amount, frequency in items:
        writer.writerow(
            {
                **person_and_plan,
                "item_description": description,
                "category": category,
                "amount": amount,
                "frequency": frequency,
            }
        )
    return out.getvalue().encode("utf-8")


def seed(context) -> None:
    """A commissioner's sheet, checked and ready: the import page shows it and it can be confirmed."""
    for index, organisation in enumerate(context.organisations):
        commissioner = context.staff[organisation.code]["commissioner"]
        batch = import_preview(
            actor=commissioner,
            organisation=organisation,
            file_name="caseload-from-the-old-spreadsheet.csv",
            content=_sheet(index * 10, f"{organisation.code}-OLD-001"),
        )
        context.lines.append(f"imports: {organisation.code}: a sheet of {len(batch.rows)} rows to confirm")
