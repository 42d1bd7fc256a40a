# The production image: gunicorn web, Celery worker and beat all run from it (docker-compose.yml).
# Two stages: node/npm and the static build stay in `build`; `runtime` gets the virtualenv, the
# collected static files and the code. Dependencies are installed from pyproject.toml before the
# code is copied, so a change of code reuses the dependency layers.

FROM python:3.11-slim-bookworm AS build
ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# The NHS.UK frontend and htmx, from the lock file.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# The Python dependencies alone (pyproject.toml's [project].dependencies), into /venv.
COPY pyproject.toml ./
RUN python -m venv /venv \
 && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt \
 && /venv/bin/pip install -r /tmp/requirements.txt

# Then the code, and the static files collected (node_modules included) into /app/staticfiles.
COPY . .
RUN SECRET_KEY=build-only /venv/bin/python manage.py collectstatic --noinput -v0


FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/venv/bin:$PATH
# WeasyPrint's Pango and a font; nothing else from the build stage's toolchain.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /venv /venv
COPY --from=build /app/staticfiles /app/staticfiles
COPY . .

# gunicorn runs without its control socket (it would want a home directory the system user lacks).
RUN useradd --system --uid 10001 phb && mkdir -p /app/media && chown phb /app/media
USER phb
EXPOSE 8000
# Liveness of the web process; docker-compose.yml gives each service its own (ready, worker ping, heartbeat).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["python", "scripts/healthcheck.py", "/health/live/"]
CMD ["gunicorn", "phb.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--no-control-socket"]
