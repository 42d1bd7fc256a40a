"""The import sheet's columns (API.md "Import and indicative budgets"), import statuses and roles."""

from django.db import models

from phb.constants import Role

# In the template's order; one row per plan item.
PERSON_COLUMNS = (
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "cohorts",
)
PLAN_COLUMNS = ("plan_reference", "management", "start_date", "end_date", "approved_on")
ITEM_COLUMNS = ("item_description", "category", "amount", "frequency")
COLUMNS = (*PERSON_COLUMNS, *PLAN_COLUMNS, *ITEM_COLUMNS, "paid_to_date")

# Columns that describe the plan as a whole: every row of one plan must say the same.
WHOLE_PLAN_COLUMNS = (*PLAN_COLUMNS[1:], "paid_to_date")

# Bringing in a whole caseload, with its money, is a commissioning act (an organisation
# administrator sees no person-level data: phb/visibility.py).
IMPORT_ROLES = (Role.COMMISSIONER,)

MAX_ROWS = 50_000
# A sheet of more rows than this is imported by a worker from the page, with its progress shown.
BACKGROUND_ROWS = 1_000
MAX_FILE_BYTES = 20 * 1024 * 1024


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Checked, ready to confirm"
    INVALID = "invalid", "Has problems to fix"
    DONE = "done", "Imported"
