"""When a version of an organisation's policy takes effect (approval policy, review policy).

Organisations agree new delegated limits or review cycles at a board and bring them in from a date
(often 1 April). A version given a date takes effect at the start of that day; today means now. A past
day is refused: a version cannot be back-dated, or requests already judged would not match it.
"""

from datetime import date, datetime, time

from django.utils import timezone

from .exceptions import InvalidInput


def starts_on(day: date, field: str = "effective_from") -> datetime:
    today = timezone.localdate()
    if day < today:
        raise InvalidInput(**{field: ["The date it takes effect must be today or later."]})
    if day == today:
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time.min))
