"""Every write of an import: checking an uploaded sheet (a preview, nothing else written) and confirming it.

Confirming creates the people, their approved budgets and the accounts' opening balances through
the services that own them (phb, support_plans, payments), all in one transaction: a problem in
any row writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from celery import current_app
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from payments.services import account_opening_balance_record
from phb.audit import record_event
from phb.exceptions import Conflict, InvalidInput
from phb.models import Organisation, Person
from phb.services import person_create
from support_plans.services import plan_create, plan_import_approved

from . import sheets
from .constants import MAX_FILE_BYTES, ImportStatus
from .models import ImportBatch, ImportedPlan
from .rows import CheckedSheet, PlanRows, check_rows


def _status_of(checked: CheckedSheet) -> str:
    return ImportStatus.INVALID if checked.errors else ImportStatus.PREVIEWED


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


def _person_for(actor, organisation: Organisation, group: PlanRows, created: dict) -> Person:
    person = Person.objects.for_org(organisation).filter(nhs_number=group.nhs_number).first()
    if person is not None:
        return person
    fields = dict(group.person)
    cohorts = fields.pop("cohorts", [])
    created["people"] += 1
    return person_create(actor=actor, organisation=organisation, cohorts=cohorts, **fields)


def _import_plan(actor, batch: ImportBatch, group: PlanRows, created: dict) -> None:
    organisation = batch.organisation
    person = _person_for(actor, organisation, group, created)
    plan = plan_create(
        actor=actor,
        organisation=organisation,
        person=person,
        items=group.items,
        start_date=group.plan["start_date"],
        end_date=group.plan["end_date"],
        management=group.plan["management"],
    )
    plan_import_approved(actor=actor, plan=plan, approved_on=group.plan["approved_on"])
    account_opening_balance_record(actor=actor, plan=plan, paid_to_date=group.plan["paid_to_date"])
    key = ImportedPlan(
        organisation=organisation,
        nhs_number=group.nhs_number,
        plan_reference=group.plan_reference,
        person=person,
        plan=plan,
        batch=batch,
    )
    key.stamp(actor)
    key.validate_own_fields()
    key.save()
    created["plans"] += 1
    created["items"] += len(group.items)


CONFIRM_TASK = "imports.tasks.confirm_import"
# How often a long import tells the page how far it has got (in plans).
PROGRESS_EVERY = 50


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


@transaction.atomic
def import_confirm(
    *, actor, batch: ImportBatch, progress: Callable[[int, int], None] | None = None
) -> ImportBatch:
    """Write every plan of a checked sheet, or nothing: a re-run of the same rows creates nothing.

    The rows are checked again (a spend category may have gone since the preview); a plan already
    imported under the same NHS number and plan reference is left as it is and counted unchanged.
    """
    locked = ImportBatch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
    if locked.status == ImportStatus.DONE:
        raise Conflict("This sheet has already been imported.", status=locked.status)
    checked = check_rows(locked.organisation, locked.rows)
    if checked.errors or locked.status == ImportStatus.INVALID:
        problems = len(checked.errors or locked.errors)
        raise Conflict(
            f"This sheet has {problems} problems: fix them and upload it again.", status=ImportStatus.INVALID
        )
    done = set(ImportedPlan.objects.for_org(locked.organisation).values_list("nhs_number", "plan_reference"))
    created = {"people": 0, "plans": 0, "items": 0}
    unchanged = 0
    total = len(checked.plans)
    for number, group in enumerate(checked.plans, 1):
        if (group.nhs_number, group.plan_reference) in done:
            unchanged += len(group.rows)
        else:
            _import_plan(actor, locked, group, created)
        if progress is not None and (number % PROGRESS_EVERY == 0 or number == total):
            progress(number, total)
    locked.status = ImportStatus.DONE
    locked.created, locked.unchanged, locked.confirmed_at = created, unchanged, timezone.now()
    locked.stamp(actor)
    locked.save()
    record_event(
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        action="import_confirmed",
        after={"created": created, "unchanged": unchanged},
        summary=f"Sheet {locked.file_name} imported: {created['people']} people, {created['plans']} "
        f"budgets, {created['items']} items created; {unchanged} rows unchanged",
    )
    batch.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked
