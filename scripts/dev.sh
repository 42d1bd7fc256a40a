#!/usr/bin/env bash
# Install, then start the app on the embedded default (SQLite, Celery eager) with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
export DEBUG="${DEBUG:-true}"
# This checkout's own secret key, kept in .env (git-ignored, read by the settings), so that the app
# never runs on the built-in one and also starts with DEBUG=false (phb/secret_key.py).
if [ -z "${SECRET_KEY:-}" ] && ! grep -qs '^SECRET_KEY=' .env; then
  echo "SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" >> .env
fi
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo
echo
echo "The app is running at http://${HOST}:${PORT}/  (sign in with a demo login above; Ctrl+C stops it)"
echo "API documentation: http://${HOST}:${PORT}/api/docs/"
exec .venv/bin/python manage.py runserver "${HOST}:${PORT}"
