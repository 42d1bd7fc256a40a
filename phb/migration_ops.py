"""Schema the ORM cannot declare, for migrations: PostgreSQL only (SQLite, the embedded default,
goes without). Composite keys hold a row to its parent's own plan, budget, person and organisation
(payments/models.py `Instalment`, `BudgetAccount`; reviews/models.py `Review`)."""

from collections.abc import Sequence

from django.db import migrations


def postgresql_only(sql: str, reverse_sql: str) -> migrations.RunPython:
    """`sql` forwards and `reverse_sql` backwards, on PostgreSQL only."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(reverse_sql)

    return migrations.RunPython(forwards, backwards, elidable=False)


def unique_key(table: str, name: str, columns: Sequence[str]) -> migrations.RunPython:
    """A unique key over `columns`, for a composite foreign key to point at."""
    return postgresql_only(
        f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE ({', '.join(columns)})",
        f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}",
    )


def composite_foreign_key(
    table: str, name: str, columns: Sequence[str], parent: str, parent_columns: Sequence[str]
) -> migrations.RunPython:
    """A foreign key over several columns, checked at commit as Django's own keys are."""
    return postgresql_only(
        f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({', '.join(columns)}) "
        f"REFERENCES {parent} ({', '.join(parent_columns)}) DEFERRABLE INITIALLY DEFERRED",
        f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}",
    )
