"""Performance indexes for national scale (issue 9), on PostgreSQL only.

They live here, on other apps' tables, until each app's owner moves them into its models'
Meta.indexes (see bench/README.md). CREATE INDEX CONCURRENTLY IF NOT EXISTS: safe to run on a
live database and to re-run; the migration is not atomic for that reason.
"""

from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that does nothing on other databases (SQLite, the embedded default)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


INDEXES = [
    # PHBs in place on a date (dashboard, return, trajectory): the approved versions of an
    # organisation, with every column those counts read, so the scan does not visit the heap.
    (
        "phb_perf_plan_in_place",
        "support_plans_supportplan (organisation_id, approved_at) INCLUDE (budget_id, person_id, "
        "superseded_at, status, management, cost_total, funded_nhs, funded_social_care) "
        "WHERE approved_at IS NOT NULL",
    ),
    # The budget side of "in place" (closed_on), reached by organisation instead of a full scan.
    ("phb_perf_budget_org", "support_plans_budget (organisation_id, id) INCLUDE (closed_on)"),
    # Newest-first lists of an organisation's plans and referrals (their default ordering).
    ("phb_perf_plan_org_modified", "support_plans_supportplan (organisation_id, modified_at DESC, id DESC)"),
    ("phb_perf_referral_org_received", "referrals_referral (organisation_id, received_on DESC, id DESC)"),
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("phb", "0001_initial"),
        ("referrals", "0002_conversation_participants_goals_optional"),
        ("support_plans", "0001_initial"),
        ("approvals", "0002_one_pending_request_per_plan"),
        ("payments", "0002_account_closed_on"),
        ("reviews", "0001_initial"),
        ("reporting", "0001_initial"),
    ]

    operations = [
        PostgresOnlySQL(
            sql=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}",
            reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
        )
        for name, definition in INDEXES
    ]
