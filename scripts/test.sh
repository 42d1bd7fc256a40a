#!/usr/bin/env bash
# Lint, check the import contracts and type-check the rules modules (make lint), install everything
# (chromium included), run the whole suite.
# PostgreSQL and Redis are used when DATABASE_URL / REDIS_URL are set (CI sets them); otherwise SQLite
# and eager Celery, and the PostgreSQL-only tests (row locks, concurrency, the Celery worker) are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

# `make lint` first, as a new developer would run it on a fresh clone: it installs what it needs.
echo "== make lint (ruff, ruff format, import-linter, mypy on the rules modules)"
make lint
WITH_BROWSER=1 scripts/install.sh

echo "== migrations are complete"
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
echo "== pytest (database: ${DATABASE_URL:-sqlite})"
.venv/bin/pytest "$@"
