#!/usr/bin/env bash
# National-scale benchmark: PostgreSQL, a generated data set, gunicorn on loopback, bench/run.py.
#   make bench                          # 1,000,000 people in 42 organisations
#   BENCH_PEOPLE=50000 make bench       # a quick run
#   BENCH_REGENERATE=1 make bench       # rebuild the data set even if one of that size is there
#   make bench-import                   # only the spreadsheet import: 50,000 rows, preview and confirm
#   BENCH_IMPORT_ROWS=5000 make bench   # the load run, then an import of that many rows
# Other knobs: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/phb_bench), REDIS_URL (default
# redis://127.0.0.1:6379/2), BENCH_ORGS, BENCH_SEED, BENCH_PORT, BENCH_WORKERS, BENCH_THREADS,
# BENCH_CONCURRENCY, BENCH_REQUESTS, BENCH_WARMUP, BENCH_NATIONAL_ROUNDS, BENCH_MAX_SECONDS,
# BENCH_MIXED_SECONDS (60), BENCH_MIXED_WRITE_EVERY (1.0 s).
# Results: bench/results/<timestamp>-<people>.json and .md (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH=true  # installs the benchmark's tooling (bench/: generate_dataset, the floor view)

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/phb_bench}"
PEOPLE="${BENCH_PEOPLE:-1000000}"
ORGS="${BENCH_ORGS:-42}"
SEED="${BENCH_SEED:-1}"
PORT="${BENCH_PORT:-8765}"
WORKERS="${BENCH_WORKERS:-2}"
THREADS="${BENCH_THREADS:-1}"
PY=.venv/bin/python
# gunicorn runs with DEBUG off, which needs a secret key of its own (phb/secret_key.py).
export SECRET_KEY="${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}"

case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "bench: DATABASE_URL must point at PostgreSQL" >&2; exit 2 ;;
esac

# Create the database if it is not there yet.
$PY - <<'PY'
import os, psycopg
url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
base, name = url.rsplit("/", 1)
with psycopg.connect(base + "/postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
        print(f"bench: created database {name}")
PY

echo "== migrate"
$PY manage.py migrate --noinput -v0

# The spreadsheet import (issue 18: 50,000 rows in under 60 s): a new organisation each run, so it
# needs no data set; `scripts/bench.sh import` runs only this (make bench-import).
bench_import() {
  echo "== import: ${1} rows (preview, then confirm)"
  $PY manage.py bench_import --rows "$1"
}
if [ "${1:-}" = "import" ]; then
  bench_import "${BENCH_IMPORT_ROWS:-50000}"
  exit 0
fi
echo "== data set: ${PEOPLE} people, ${ORGS} organisations, seed ${SEED}"
IF_MISSING="--if-missing"
[ "${BENCH_REGENERATE:-0}" = "1" ] && IF_MISSING=""
$PY manage.py generate_dataset --orgs "$ORGS" --people "$PEOPLE" --seed "$SEED" $IF_MISSING
# As a production database would be: vacuumed (visibility map for index-only scans) and analysed.
# Quick when nothing changed since the last run.
echo "== vacuum (analyze)"
$PY - <<'PY'
import os, time, psycopg
url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
started = time.monotonic()
with psycopg.connect(url, autocommit=True) as conn:
    conn.execute("VACUUM (ANALYZE)")
print(f"bench: vacuum (analyze) {time.monotonic() - started:.1f} s")
PY

# Today's dashboard and return read the live figures (reporting/live.py): count them once here.
echo "== live figures"
$PY manage.py live_figures build

echo "== gunicorn on 127.0.0.1:${PORT} (${WORKERS} workers x ${THREADS} threads)"
# Redis as in production: the shared cache for reports (and the Celery broker; no worker runs here).
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/2}"
export DEBUG=false BENCH_FLOOR=1 ALLOWED_HOSTS=127.0.0.1,localhost,testserver LOG_LEVEL=ERROR
# E-mails (sent in-process: no Celery broker here) go nowhere; the static files warning is noise.
export EMAIL_URL=dummymail:// PYTHONWARNINGS="ignore:No directory at:UserWarning"
export BENCH_URL="http://127.0.0.1:${PORT}" BENCH_GUNICORN="gunicorn ${WORKERS} workers x ${THREADS} threads"
WORKER_CLASS=sync
[ "$THREADS" -gt 1 ] && WORKER_CLASS=gthread
.venv/bin/gunicorn phb.wsgi:application --bind "127.0.0.1:${PORT}" --workers "$WORKERS" --threads "$THREADS" \
  --worker-class "$WORKER_CLASS" --timeout 300 --log-level warning &
GUNICORN_PID=$!
trap 'kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  if $PY -c "import urllib.request,sys; urllib.request.urlopen('${BENCH_URL}/bench/floor/', timeout=2)" 2>/dev/null; then
    break
  fi
  sleep 0.5
done

echo "== load"
$PY bench/run.py
if [ -n "${BENCH_IMPORT_ROWS:-}" ]; then
  bench_import "$BENCH_IMPORT_ROWS"
fi
