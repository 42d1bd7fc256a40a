"""Age on a date and the age bands every report and case summary uses (0-17, 18-24, ... 65+)."""

from datetime import date

# (label, the age the band ends before); the last band has no end.
AGE_BANDS = [("0-17", 18), ("18-24", 25), ("25-34", 35), ("35-44", 45), ("45-64", 65), ("65+", None)]


def age_on(date_of_birth: date, on: date) -> int:
    """Whole years; someone born on 29 February turns a year older on 1 March in other years."""
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def age_band(date_of_birth: date, on: date) -> str:
    age = age_on(date_of_birth, on)
    for label, ends_before in AGE_BANDS:
        if ends_before is None or age < ends_before:
            return label
    return AGE_BANDS[-1][0]
