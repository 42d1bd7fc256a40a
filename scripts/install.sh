#!/usr/bin/env bash
# Install everything the app needs from the repository's own files:
# system libraries (WeasyPrint's Pango; chromium for the browser tests), the Python
# virtualenv from pyproject.toml, and the NHS.UK frontend, htmx and axe-core from npm.
#   scripts/install.sh            # for running the app
#   WITH_BROWSER=1 scripts/install.sh   # also chromium, for the test suite
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

packages=()
if ! ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so"; then
  packages+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
fi
if [ "${WITH_BROWSER:-0}" = "1" ] && ! command -v chromium >/dev/null; then
  packages+=(chromium fonts-liberation)
fi
if ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "Installing system packages: ${packages[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -e ".[dev]"

if [ ! -d node_modules/nhsuk-frontend ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
