"""Every write of the reporting app (building a PHB quarterly return into the history) and its input rules."""

import logging
import re
from datetime import date

from django.db import transaction
from django.utils import timezone

from phb.audit import record_event
from phb.exceptions import InvalidInput
from phb.models import Organisation

from . import live
from .dashboard import _organisation_dashboard as recount_dashboard
from .dashboard import live_dashboard
from .models import QuarterlyReturn
from .quarters import Quarter, last_ended_quarter, parse_quarter, quarter_containing
from .returns import QuarterNotStarted, return_figures, returns_figures
from .selectors import LOCAL

logger = logging.getLogger(__name__)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def today_local() -> date:
    return timezone.now().astimezone(LOCAL).date()


def quarter_from(text: str | None) -> Quarter:
    """The quarter a user asked for; InvalidInput naming `quarter` otherwise."""
    try:
        return parse_quarter(text or "")
    except ValueError as error:
        raise InvalidInput(quarter=[str(error)]) from error


def as_of_from(value: str | None) -> date:
    """The dashboard date asked for (today if none); InvalidInput naming `as_of` otherwise."""
    if not value:
        return today_local()
    try:
        if not ISO_DATE.match(value):
            raise ValueError(value)
        on = date.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(as_of=["Enter a real date in the format YYYY-MM-DD."]) from error
    # The same floor as quarters (2000 onwards); the trajectory looks two years back from it.
    if not date(2000, 1, 1) <= on <= date(2099, 12, 31):
        raise InvalidInput(as_of=["Enter a date from 2000 to 2099."])
    return on


@transaction.atomic
def return_build(
    *,
    actor,
    organisation: Organisation,
    quarter: Quarter,
    built_by_job: bool = False,
    today: date | None = None,
) -> QuarterlyReturn:
    """Build the PHB quarterly return for one quarter and keep it in the history of returns built."""
    today = today or today_local()
    try:
        figures = return_figures(organisation, quarter, today)
    except QuarterNotStarted as error:
        raise InvalidInput(quarter=[str(error)]) from error
    return _return_store(
        actor=actor, organisation=organisation, quarter=quarter, figures=figures, built_by_job=built_by_job
    )


@transaction.atomic
def _return_store(
    *, actor, organisation: Organisation, quarter: Quarter, figures: dict, built_by_job: bool
) -> QuarterlyReturn:
    """Keep a return's figures in the history, with its audit event."""
    quarterly_return = QuarterlyReturn(
        organisation=organisation,
        quarter=str(quarter),
        period_start=quarter.start,
        period_end=quarter.end,
        provisional=figures["provisional"],
        figures=figures,
        built_by_job=built_by_job,
    )
    quarterly_return.stamp(actor)
    # The organisation and the users are the objects at hand, not input: no need to look them up again.
    quarterly_return.full_clean(exclude=["organisation", "created_by", "modified_by"])
    quarterly_return.save()
    record_event(
        actor=actor,
        organisation=organisation,
        obj=quarterly_return,
        action="quarterly_return_built",
        after={"quarter": str(quarter), "provisional": figures["provisional"], "total": figures["total"]},
        summary=f"PHB quarterly return for {quarter} built"
        + (" (provisional)" if figures["provisional"] else "")
        + (" by the quarterly job" if built_by_job else ""),
        changes_data=False,  # a return counts the data; building one changes none of it
    )
    return quarterly_return


def returns_build_for_last_quarter(*, today: date | None = None) -> int:
    """The quarterly job: for each organisation, the last ended quarter's return if not built yet.

    Idempotent: an organisation that already has a final (non-provisional) return for that quarter,
    built on demand or by an earlier run, gets nothing more. Returns how many were built. The
    figures of all those organisations are counted together (queries grouped by organisation), then
    each return is kept in its own transaction.
    """
    today = today or today_local()
    quarter = last_ended_quarter(today)
    organisations = list(
        Organisation.objects.exclude(
            pk__in=QuarterlyReturn.objects.filter(quarter=str(quarter), provisional=False).values(
                "organisation"
            )
        ).order_by("code")
    )
    if not organisations:
        return 0
    figures = returns_figures(organisations, quarter, today)
    for organisation in organisations:
        _return_store(
            actor=None,
            organisation=organisation,
            quarter=quarter,
            figures=figures[organisation.pk],
            built_by_job=True,
        )
    return len(organisations)


# --- The live figures' nightly check (reporting/live.py)


def differences(kept, counted, path: str = "") -> list[str]:
    """Where two figures' JSON differ, as paths like "spend.median: 12.00 != 12.50"."""
    if isinstance(kept, dict) and isinstance(counted, dict):
        found = []
        for key in sorted(kept.keys() | counted.keys(), key=str):
            found += differences(kept.get(key), counted.get(key), f"{path}.{key}" if path else str(key))
        return found
    if isinstance(kept, list) and isinstance(counted, list) and len(kept) == len(counted):
        found = []
        for index, (a, b) in enumerate(zip(kept, counted, strict=True)):
            found += differences(a, b, f"{path}[{index}]")
        return found
    return [] if kept == counted else [f"{path}: {kept!r} != {counted!r}"]


def live_figures_compare(organisation: Organisation, today: date | None = None) -> list[str]:
    """Today's dashboard and return from the live summaries against the same counted afresh."""
    today = today or today_local()
    quarter = quarter_containing(today)
    found = differences(
        live_dashboard(organisation, today), recount_dashboard(organisation, today), "dashboard"
    )
    found += differences(
        return_figures(organisation, quarter, today),
        returns_figures([organisation], quarter, today)[organisation.pk],
        "return",
    )
    return found


def live_figures_check_all(*, today: date | None = None) -> dict[str, list[str]]:
    """The nightly job: recount every organisation and compare with its live figures; where they
    differ, log it, recount every person's part (repair), and rebuild if that was not enough.
    Returns {organisation code: the differences found} for the organisations that had any."""
    today = today or today_local()
    report = {}
    for organisation in Organisation.objects.order_by("code"):
        if not live.is_current(organisation):  # not built, or before a figure was defined
            live.rebuild(organisation, today)
            continue
        live.fold(organisation.pk)
        found = live_figures_compare(organisation, today)
        if not found:
            continue
        report[organisation.code] = found
        logger.error(
            "Live figures of %s differed from the recount: %s", organisation.code, "; ".join(found[:20])
        )
        live.refresh_all(organisation, today)
        if live_figures_compare(organisation, today):
            live.rebuild(organisation, today)
    return report
