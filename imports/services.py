"""Every write of an import: checking an uploaded sheet (a preview, nothing else written) and confirming it.

Confirming creates the people, their approved budgets and the accounts' opening balances through
the bulk services of the apps that own them (phb, support_plans, payments), a batch of plans at a
time and all in one transaction: a problem in any row writes nothing. The budgets' approval is
published as one `BudgetsImported` event a batch (phb/flow.py), so the later stages (accounts,
funds, notifications, reviews through `PlansActivated`) do their part in bulk too.
"""

from __future__ import annotations

from collections.abc import Callable

from celery import current_app
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from payments.bulk import account_opening_balances_bulk
from phb.audit import data_changed, record_event
from phb.bulk_insert import collector_paused, copy_objects
from phb.exceptions import Conflict, InvalidInput
from phb.models import Organisation, Person
from phb.services import people_create_bulk
from support_plans.bulk import plans_import_approved_bulk
from support_plans.services import category_codes

from . import sheets
from .constants import MAX_FILE_BYTES, ImportStatus
from .models import ImportBatch, ImportedPlan
from .rows import CheckedSheet, PlanRows, check_rows


def _status_of(checked: CheckedSheet) -> str:
    return ImportStatus.INVALID if checked.errors else ImportStatus.PREVIEWED


def checked_key(batch_id: int) -> str:
    return f"imports:checked:{batch_id}"


def _checked_against(organisation: Organisation) -> tuple:
    """What a sheet's check read besides its own rows: the organisation's spend categories, and today
    (the dates a row may hold are judged against it). The same on confirming: the same result."""
    return (tuple(sorted(category_codes(organisation))), timezone.localdate().isoformat())


def _keep_checked(batch: ImportBatch, checked: CheckedSheet) -> None:
    """The preview's checked, converted rows kept for the confirm (a cache entry, as the progress is)."""
    if checked.errors:
        return
    kept = {"against": _checked_against(batch.organisation), "plans": checked.plans, "rows": checked.rows}
    transaction.on_commit(lambda: cache.set(checked_key(batch.pk), kept, timeout=CHECKED_SECONDS))


def _checked_again(batch: ImportBatch) -> CheckedSheet:
    """The sheet's rows as the preview checked them if nothing they were checked against has changed
    since (the same categories, the same day); otherwise, or if they are gone, checked again."""
    kept = cache.get(checked_key(batch.pk))
    if kept is not None and kept["against"] == _checked_against(batch.organisation):
        return CheckedSheet(plans=kept["plans"], errors=[], rows=kept["rows"])
    return check_rows(batch.organisation, batch.rows)


@collector_paused()
@transaction.atomic
def import_preview(*, actor, organisation: Organisation, file_name: str, content: bytes) -> ImportBatch:
    """Read and check an uploaded sheet; store it with its problems for the person to see and confirm."""
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput(file=[f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB."])
    try:
        raw_rows = sheets.read_sheet(file_name, content)
    except sheets.SheetError as error:
        raise InvalidInput(file=[str(error)]) from error
    checked = check_rows(organisation, raw_rows)
    batch = ImportBatch(
        organisation=organisation,
        file_name=file_name[:255],
        status=_status_of(checked),
        rows=raw_rows,
        errors=checked.errors,
        summary=checked.summary,
    )
    batch.stamp(actor)
    batch.validate_own_fields()
    batch.save()
    _keep_checked(batch, checked)
    record_event(
        actor=actor,
        organisation=organisation,
        obj=batch,
        action="import_previewed",
        after={"rows": checked.rows, "errors": len(checked.errors), "summary": checked.summary},
        summary=f"Sheet {batch.file_name} checked: {checked.rows} rows, {len(checked.errors)} problems",
        changes_data=False,
    )
    return batch


def _write_batch(
    actor, batch: ImportBatch, groups: list[PlanRows], people: dict[str, Person], new_people: set[int]
) -> dict:
    """Write one batch of plans in bulk: the people not yet here, the budgets approved as imported
    (their accounts opened by the `BudgetsImported` reactions, phb/flow.py), in use at once if paid
    under before the import, the opening balances, and the re-run keys. Returns what it created."""
    organisation = batch.organisation
    fresh: dict[str, dict] = {}
    for group in groups:
        if group.nhs_number not in people and group.nhs_number not in fresh:
            fresh[group.nhs_number] = dict(group.person)
    made = people_create_bulk(actor=actor, organisation=organisation, people=list(fresh.values()))
    for person in made:
        people[person.nhs_number] = person
        new_people.add(person.pk)
    plans = plans_import_approved_bulk(
        actor=actor,
        organisation=organisation,
        plans=[
            {
                "person": people[group.nhs_number],
                "items": group.items,
                "start_date": group.plan["start_date"],
                "end_date": group.plan["end_date"],
                "management": group.plan["management"],
                "approved_on": group.plan["approved_on"],
                # Paid under before the import: in use from the import on (its opening balance below).
                "in_use": group.plan["paid_to_date"] != 0,
            }
            for group in groups
        ],
        new_people=new_people,
    )
    account_opening_balances_bulk(
        actor=actor,
        paid={plan.pk: group.plan["paid_to_date"] for plan, group in zip(plans, groups, strict=True)},
    )
    keys = []
    for plan, group in zip(plans, groups, strict=True):
        key = ImportedPlan(
            organisation=organisation,
            nhs_number=group.nhs_number,
            plan_reference=group.plan_reference,
            person=plan.person,
            plan=plan,
            batch=batch,
        )
        key.stamp(actor)
        key.validate_own_fields()
        keys.append(key)
    copy_objects(keys, with_ids=False)
    # Everything of the batch is written: the live figures count its people once (phb/audit.py).
    data_changed(organisation.pk, tuple(sorted({plan.person_id for plan in plans})))
    return {"people": len(made), "plans": len(plans), "items": sum(len(group.items) for group in groups)}


CONFIRM_TASK = "imports.tasks.confirm_import"
# How long a preview's checked rows are kept for its confirm (after that the confirm checks them again).
CHECKED_SECONDS = 24 * 3600
# Plans written together (a few inserts of each kind); the page hears how far it has got after each
# (every few seconds). At 50,000 rows, 2,500 a batch took 57.0 and 55.4 s against 60.2 and 59.2 s for
# 1,000 (fewer statements and live-figure deltas), for 25 MB more memory; 5,000 gained little more.
BATCH_PLANS = 2500


def progress_key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def import_progress(batch: ImportBatch) -> dict:
    """How far a background import has got: written outside its transaction, so the page can see it."""
    return cache.get(progress_key(batch.pk)) or {"done": 0, "total": batch.summary.get("plans", 0)}


def _tell_progress(batch_id: int, done: int, total: int, problem: str = "") -> None:
    cache.set(progress_key(batch_id), {"done": done, "total": total, "problem": problem}, timeout=24 * 3600)


@transaction.atomic
def import_queue(*, actor, batch: ImportBatch) -> ImportBatch:
    """A large sheet is confirmed by a Celery worker (imports/tasks.py); the page follows its progress."""
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != ImportStatus.PREVIEWED:
        raise Conflict(f"This sheet is {locked.get_status_display().lower()}: it cannot be imported now.")
    if locked.queued_at is not None:
        raise Conflict("This sheet is already being imported.")
    locked.queued_at = timezone.now()
    locked.stamp(actor)
    locked.save(update_fields=["queued_at", "modified_at", "modified_by"])
    _tell_progress(locked.pk, 0, locked.summary.get("plans", 0))
    user_id = actor.pk if getattr(actor, "is_authenticated", False) else None

    # By name: the task module imports this one, and the worker finds the task in its registry.
    task = current_app.tasks[CONFIRM_TASK]
    transaction.on_commit(lambda: task.delay(locked.pk, user_id))
    batch.queued_at = locked.queued_at
    return locked


@collector_paused()
@transaction.atomic
def import_confirm(
    *, actor, batch: ImportBatch, progress: Callable[[int, int], None] | None = None
) -> ImportBatch:
    """Write every plan of a checked sheet, or nothing: a re-run of the same rows creates nothing.

    The rows are as the preview checked them, or checked again if a spend category has changed or a
    day has passed since (`_checked_again`); a plan already imported under the same NHS number and
    plan reference is left as it is and counted unchanged.
    """
    locked = ImportBatch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
    if locked.status == ImportStatus.DONE:
        raise Conflict("This sheet has already been imported.", status=locked.status)
    checked = _checked_again(locked)
    if checked.errors or locked.status == ImportStatus.INVALID:
        problems = len(checked.errors or locked.errors)
        raise Conflict(
            f"This sheet has {problems} problems: fix them and upload it again.", status=ImportStatus.INVALID
        )
    done = set(ImportedPlan.objects.for_org(locked.organisation).values_list("nhs_number", "plan_reference"))
    todo = [group for group in checked.plans if (group.nhs_number, group.plan_reference) not in done]
    unchanged = sum(
        len(group.rows) for group in checked.plans if (group.nhs_number, group.plan_reference) in done
    )
    total, finished = len(checked.plans), len(checked.plans) - len(todo)
    numbers = list({group.nhs_number for group in todo})
    people = {
        person.nhs_number: person
        for person in Person.objects.for_org(locked.organisation).filter(nhs_number__in=numbers)
    }
    new_people: set[int] = set()
    created = {"people": 0, "plans": 0, "items": 0}
    for start in range(0, len(todo), BATCH_PLANS):
        written = _write_batch(actor, locked, todo[start : start + BATCH_PLANS], people, new_people)
        created = {name: created[name] + written[name] for name in created}
        finished += written["plans"]
        if progress is not None:
            progress(finished, total)
    if progress is not None and not todo:
        progress(total, total)
    locked.status = ImportStatus.DONE
    locked.created, locked.unchanged, locked.confirmed_at = created, unchanged, timezone.now()
    locked.stamp(actor)
    # Not the sheet's rows, unchanged and the largest value of the row (megabytes for a large sheet).
    locked.save(
        update_fields=["status", "created", "unchanged", "confirmed_at", "modified_by", "modified_at"]
    )
    record_event(
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        action="import_confirmed",
        after={"created": created, "unchanged": unchanged},
        summary=f"Sheet {locked.file_name} imported: {created['people']} people, {created['plans']} "
        f"budgets, {created['items']} items created; {unchanged} rows unchanged",
    )
    transaction.on_commit(lambda: cache.delete(checked_key(locked.pk)))
    batch.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked
