"""An index for "first approved" (issue 9): a budget's versions by approval time, on PostgreSQL only.

The quarterly return (PHBs received in the year to date), the dashboard's "new this quarter" and
its approval timings ask, for each approved version, whether its budget had an earlier approved
version. With this index each of those look-ups is one index-only probe, which also keeps the
estimated cost of the return's grouped counts down. The index is on support_plans' table, but only
the reports read it this way, so it lives here (as phb's 0002_performance_indexes does for its own);
it can move to SupportPlan.Meta.indexes when that app's owner wishes. CREATE INDEX CONCURRENTLY IF
NOT EXISTS: safe on a live database and to re-run; the migration is not atomic for that reason.
"""

from django.db import migrations

NAME = "reporting_plan_budget_approved"


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that does nothing on other databases (SQLite, the embedded default)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reporting", "0001_initial"),
        ("support_plans", "0001_initial"),
    ]

    operations = [
        PostgresOnlySQL(
            sql=(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON support_plans_supportplan "
                "(budget_id, approved_at) WHERE approved_at IS NOT NULL"
            ),
            reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}",
        )
    ]
