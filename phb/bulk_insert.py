"""Inserting many rows fast, for bulk writes (an import): PostgreSQL's COPY, else `bulk_create`.

COPY skips what `bulk_create` does per row and field (expressions, preparing each value, one query
parameter each), which is most of the time of an insert of hundreds of thousands of rows. It is a
binary COPY: psycopg turns each value into its type's bytes in C, and the server reads them as they
are, where text would be formatted here and parsed there.
`copy_insert` writes plain tuples (rows nothing points at: audit events, instalments);
`copy_objects` writes model instances, their ids reserved first from the table's own sequence so
that the caller can point other rows at them; `copy_history` writes django-simple-history's rows
for them, as `bulk_create_with_history` would.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections, models
from django.utils import timezone
from psycopg.types.json import Jsonb

BATCH_SIZE = 2000


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for one bulk write, then a collection once it is done.

    An import makes hundreds of thousands of short-lived objects (rows, model instances, audit
    snapshots) that nothing cycles through; each full collection walks every one still alive, a
    fifth of the write's Python time at 50,000 rows. Reference counting still frees them as they go;
    only cyclic garbage waits for the end. Re-entrant: an inner pause leaves the outer one's state."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


@functools.cache
def _column_types(alias: str, table: str, names: str) -> tuple[int, ...]:
    """The PostgreSQL type (oid) of each column, for a binary COPY: read from the table once a process
    (a column changes its type only by a migration, which a deploy restarts the processes after)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM {table} LIMIT 0")  # noqa: S608 - names quoted from the model
        return tuple(column.type_code for column in cursor.description)


def copy_insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert `rows` (tuples of the `columns`, by attname: `organisation_id`) into the model's table.

    JSON columns take Python values (dicts, lists). Returns how many rows. On PostgreSQL a binary
    COPY: each value goes as its type's own bytes, which psycopg makes in C in a third of the time
    it takes to format the same rows as text, and the server need not parse them."""
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in columns]
    json_at = [index for index, field in enumerate(fields) if isinstance(field, models.JSONField)]
    count = 0
    if connection.vendor == "postgresql":
        encode = DjangoJSONEncoder().encode
        names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        types = _column_types(connection.alias, table, names)
        sql = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            copy.set_types(types)
            for row in rows:
                if json_at:
                    row = list(row)
                    for index in json_at:
                        if row[index] is not None:
                            row[index] = Jsonb(row[index], dumps=encode)
                copy.write_row(row)
                count += 1
        return count
    objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
    model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)
    return len(objects)


def update_each(objects: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Save `fields` of many rows, each its own values: one UPDATE ... FROM (VALUES ...) a batch on
    PostgreSQL (`bulk_update` builds a CASE expression per row and field, slow at this size)."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objects, fields, batch_size=BATCH_SIZE)
        return
    quote = connection.ops.quote_name
    pk = model._meta.pk
    targets = [pk, *(model._meta.get_field(name) for name in fields)]
    placeholder = "(" + ", ".join(f"%s::{field.db_type(connection)}" for field in targets) + ")"
    names = ", ".join(quote(field.column) for field in targets)
    sets = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in targets[1:])
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(objects), BATCH_SIZE):
            batch = objects[start : start + BATCH_SIZE]
            params = [
                field.get_db_prep_save(getattr(obj, field.attname), connection)
                for obj in batch
                for field in targets
            ]
            # Names quoted from the model's own meta, values as parameters: nothing typed goes in.
            values = ", ".join([placeholder] * len(batch))
            sql = f"UPDATE {table} SET {sets} FROM (VALUES {values}) AS v ({names}) "  # noqa: S608
            cursor.execute(sql + f"WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}", params)


def _plain(value):
    return value.value if isinstance(value, Enum) else value


def _row(obj: models.Model, names: list[str], fields: list[models.Field]) -> list:
    """The object's column values as COPY takes them: choices as their plain value, files by name."""
    values = [getattr(obj, name) for name in names]
    for index, field in enumerate(fields):
        if field.choices is not None:
            values[index] = _plain(values[index])
        elif isinstance(field, models.FileField):
            values[index] = field.get_prep_value(values[index])
    return values


def _columns(model: type[models.Model], with_pk: bool) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]


def copy_objects(objects: Sequence[models.Model], *, with_ids: bool = True) -> None:
    """Insert new model instances: their auto_now fields set as `save` would, their ids (with_ids)
    taken from the table's sequence first and set on them, so other rows can point at them."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)
        return
    stamped = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objects:
        for field in stamped:
            field.pre_save(obj, add=True)
    if with_ids:
        for obj, new_id in zip(objects, reserve_ids(model, len(objects)), strict=True):
            setattr(obj, model._meta.pk.attname, new_id)
    fields = _columns(model, with_ids)
    names = [f.attname for f in fields]
    copy_insert(model, names, (_row(obj, names, fields) for obj in objects))
    for obj in objects:
        obj._state.adding, obj._state.db = False, connection.alias


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new ids from the table's own sequence (PostgreSQL), for rows written by COPY that
    other rows or audit events point at."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [new_id for (new_id,) in cursor.fetchall()]


def copy_new(model: type[models.Model], rows: Sequence[dict]) -> list[int]:
    """Insert new rows given as {attname: value}, without building a model instance each (rows made
    by the thousand from a schedule): the fields not given at their defaults, as a new instance would
    have them, auto_now fields now. Returns their ids, in the rows' order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = [model(**row) for row in rows]
        model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)
        return [obj.pk for obj in objects]
    now = timezone.now()
    fields = _columns(model, with_pk=True)
    constant, per_row = {}, []
    for field in fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            constant[field.attname] = now
        elif callable(field.default):
            per_row.append(field)  # e.g. a fresh dict, a uuid: one a row
        else:
            constant[field.attname] = _plain(field.get_default())
    ids = reserve_ids(model, len(rows))
    names = [field.attname for field in fields]
    pk = model._meta.pk.attname

    def values(new_id: int, row: dict) -> list:
        full = {**constant, **{f.attname: f.get_default() for f in per_row}, **row, pk: new_id}
        return [_plain(full[name]) for name in names]

    copy_insert(model, names, (values(new_id, row) for new_id, row in zip(ids, rows, strict=True)))
    return ids


def copy_history(objects: Sequence[models.Model], *, user, history_type: str = "+") -> None:
    """django-simple-history's rows for `objects` just written (`+` created, `~` changed), by COPY."""
    if not objects:
        return
    model = type(objects[0])
    historical = model.history.model
    at = timezone.now()
    fields = list(model._meta.concrete_fields)
    own = [f.attname for f in fields]
    columns = [*own, "history_date", "history_change_reason", "history_type", "history_user_id"]
    tail = [at, None, history_type, getattr(user, "pk", None)]
    copy_insert(historical, columns, (_row(obj, own, fields) + tail for obj in objects))
