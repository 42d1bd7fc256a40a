"""Calendar quarters, NHS financial years and ages on a date: pure date rules for the reports.

A quarter is a calendar quarter: `2014Q3` is 1 July to 30 September 2014. The NHS financial year
runs from 1 April to 31 March, so 2014Q3 is quarter 2 of the financial year 2014-15, and 2015Q1
(January to March 2015) is its quarter 4.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

QUARTER_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4, calendar quarter

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def financial_year_start_year(self) -> int:
        """The calendar year in which this quarter's financial year starts (1 April)."""
        return self.year - 1 if self.number == 1 else self.year

    @property
    def financial_year(self) -> str:
        """Like "2014-15"."""
        first = self.financial_year_start_year
        return f"{first}-{(first + 1) % 100:02d}"

    @property
    def fy_quarter(self) -> int:
        """1..4 within the financial year: April-June is 1, January-March is 4."""
        return 4 if self.number == 1 else self.number - 1

    @property
    def financial_year_start(self) -> date:
        return date(self.financial_year_start_year, 4, 1)


def parse_quarter(text: str) -> Quarter:
    """ "2014Q3" -> Quarter(2014, 3); ValueError for anything else."""
    match = QUARTER_PATTERN.match((text or "").strip().upper())
    if not match:
        raise ValueError("Give a calendar quarter like 2014Q3 (year, the letter Q, then 1 to 4).")
    year = int(match.group(1))
    if year < 2000:
        raise ValueError("Give a quarter from 2000 onwards.")
    return Quarter(year, int(match.group(2)))


def quarter_containing(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def last_ended_quarter(today: date) -> Quarter:
    """The latest quarter whose last day is before today."""
    return quarter_containing(today).previous()


def quarter_ends_up_to(day: date, count: int) -> list[date]:
    """The ends of the `count` quarters ending with the one containing `day`; the last is `day` itself."""
    quarter = quarter_containing(day)
    quarters = [quarter]
    for _ in range(count - 1):
        quarters.append(quarters[-1].previous())
    ends = [q.end for q in reversed(quarters)]
    ends[-1] = day
    return ends


def birthday_cutoff(on: date, years: int) -> date:
    """The latest date of birth of a person aged at least `years` on `on`.

    A person is under `years` on `on` exactly when their date of birth is after this date. Someone
    born on 29 February has their birthday on 1 March in other years, as in English law, so for
    `on` = 29 February the cutoff falls back to 28 February of a non-leap year.
    """
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February, and the target year is not a leap year
        return date(on.year - years, 2, 28)


def age_on(date_of_birth: date, on: date) -> int:
    """Whole years of age on a date (the reference rule the database filters are tested against)."""
    # Born on 29 February: (2, 28) < (2, 29), so the birthday falls on 1 March in other years.
    had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if had_birthday else 1)
