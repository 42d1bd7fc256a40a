"""When a budget's reviews fall due, and which reminders are due today: pure rules, no Django."""

from datetime import date, timedelta
from typing import Final

# Kinds of scheduled review (the values of reviews.constants.ReviewKind).
FIRST: Final = "first"
SCHEDULED: Final = "scheduled"
MIDPOINT: Final = "midpoint"
END: Final = "end"

# Kinds of reminder (the values of reviews.constants.ReminderKind).
BEFORE_DUE: Final = "before_due"
ON_DUE: Final = "on_due"
ESCALATION: Final = "escalation"

# When two reviews would fall on the same day only one is held; this is the kind it keeps.
_PRECEDENCE: Final = (FIRST, MIDPOINT, END, SCHEDULED)


def review_dates(
    start: date,
    end: date,
    first_review_weeks: int,
    interval_weeks: int,
    midpoint_and_end: bool,
) -> list[tuple[str, date]]:
    """The reviews of a plan period, sorted by date: (kind, due date).

    - The first review falls `first_review_weeks` after the start ("within three months" for
      direct payments), or on the end date of a shorter plan.
    - On a regular cycle, a review every `interval_weeks` after the first, while on or before the end.
    - With `midpoint_and_end` (time-limited recovery budgets: start, midpoint and end), the midpoint
      and the last day of the plan period are reviewed INSTEAD OF the regular cycle: a short plan
      reviewed every few weeks on top of that would be reviewed more than it is lived.
    Only one review is held on any one day (the first review wins over a midpoint, and so on).
    """
    if end < start:
        raise ValueError("The plan period ends before it starts.")
    if first_review_weeks < 0:
        raise ValueError("first_review_weeks cannot be negative.")
    if interval_weeks < 1:
        raise ValueError("interval_weeks must be at least 1.")

    first = min(start + timedelta(weeks=first_review_weeks), end)
    candidates: list[tuple[str, date]] = [(FIRST, first)]
    if midpoint_and_end:
        candidates.append((MIDPOINT, start + timedelta(days=(end - start).days // 2)))
        candidates.append((END, end))
    else:
        due = first + timedelta(weeks=interval_weeks)
        while due <= end:
            candidates.append((SCHEDULED, due))
            due += timedelta(weeks=interval_weeks)

    by_date: dict[date, str] = {}
    for kind, due in candidates:
        kept = by_date.get(due)
        if kept is None or _PRECEDENCE.index(kind) < _PRECEDENCE.index(kept):
            by_date[due] = kind
    return sorted(((kind, due) for due, kind in by_date.items()), key=lambda pair: pair[1])


def next_review_date(after: date, end: date, interval_weeks: int) -> date | None:
    """The next review on the cycle after a review held on `after`: `interval_weeks` later,
    brought forward to the end of the plan period; None once the period is over."""
    if interval_weeks < 1:
        raise ValueError("interval_weeks must be at least 1.")
    if after >= end:
        return None
    return min(after + timedelta(weeks=interval_weeks), end)


def reminder_due(
    due_on: date,
    today: date,
    reminder_days_before: int,
    escalate_days_after: int,
) -> list[str]:
    """Which reminders about a review due on `due_on` are due today, in the order they are sent.

    - before_due: from `reminder_days_before` days before the due date until the day before it;
    - on_due: on the due date and after it (a job that missed the day still sends it);
    - escalation (to the team lead): once the review is `escalate_days_after` days overdue.
    Each is sent once; the caller records what it sent.
    """
    kinds: list[str] = []
    if due_on - timedelta(days=reminder_days_before) <= today < due_on:
        kinds.append(BEFORE_DUE)
    if today >= due_on:
        kinds.append(ON_DUE)
    if today >= due_on + timedelta(days=escalate_days_after):
        kinds.append(ESCALATION)
    return kinds
