.PHONY: install dev test lint format bench dataset

install:
	scripts/install.sh

dev:  ## install, migrate, load demo data and run on http://127.0.0.1:8000
	scripts/dev.sh

test:  ## install everything and run lint + the whole test suite
	scripts/test.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	.venv/bin/mypy

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench:  ## national-scale benchmark against PostgreSQL (see README, "Performance")
	scripts/bench.sh
