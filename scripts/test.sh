#!/usr/bin/env bash
# Install everything (chromium included), lint, check the import contracts, type-check the rules
# modules, run the whole suite.
# PostgreSQL and Redis are used when DATABASE_URL / REDIS_URL are set (CI sets them); otherwise SQLite
# and eager Celery, and the PostgreSQL-only tests (row locks, concurrency, the Celery worker) are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=1 scripts/install.sh

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== import-linter (dependencies follow the pathway: .importlinter)"
.venv/bin/lint-imports
echo "== mypy (rules modules)"
.venv/bin/mypy
echo "== migrations are complete"
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
echo "== pytest (database: ${DATABASE_URL:-sqlite})"
.venv/bin/pytest "$@"
