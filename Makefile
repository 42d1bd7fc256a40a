.PHONY: install dev test lint format bench bench-import

install:  ## system libraries, .venv from pyproject.toml, npm packages (scripts/install.sh)
	scripts/install.sh

dev:  ## install, migrate, load demo data and run on http://$HOST:$PORT (default 127.0.0.1:8000)
	scripts/dev.sh

test:  ## install everything and run lint + the whole test suite
	scripts/test.sh

lint: install  ## ruff (lint, format check) and mypy on the rules modules; installs first, so it works on a fresh clone
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	.venv/bin/mypy

format: install  ## ruff: fix what it can, then format
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench:  ## national-scale benchmark against PostgreSQL (see README, "Performance")
	scripts/bench.sh

bench-import:  ## the spreadsheet import alone: 50,000 rows (BENCH_IMPORT_ROWS) previewed and confirmed on PostgreSQL
	scripts/bench.sh import
