"""Inserting many rows fast, for bulk writes (an import): PostgreSQL's COPY, else `bulk_create`.

COPY skips what `bulk_create` does per row (model instances, expressions, one parameter each), which
is most of the time of an insert of hundreds of thousands of rows. It returns no ids, so it is for
rows nothing else points at in the same write: audit events, instalments.
"""

from __future__ import annotations


from collections.abc import Iterable, Sequence

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

BATCH_SIZE = 2000


def copy_insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert `rows` (tuples of the `columns`, by attname: `organisation_id`) into the model's table.

    JSON columns take Python values (dicts, lists), written as JSON text. Returns how many rows."""
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in columns]
    as_json = [isinstance(field, models.JSONField) for field in fields]
    count = 0
    if connection.vendor == "postgresql":
        encode = DjangoJSONEncoder().encode
        with connection.cursor() as cursor:
            names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
            table = connection.ops.quote_name(model._meta.db_table)
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [
                            encode(value) if is_json and value is not None else value
                            for value, is_json in zip(row, as_json, strict=True)
                        ]
                    )
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
                field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in batch for field in targets
            ]
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([placeholder] * len(batch))}) "
                f"AS v ({names}) WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}",
                params,
            )
