# Lanzhou maker-space registry: every target installs what it needs (.venv) by itself.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVICES := registry eligibility subsidy
ALEMBIC := $(BIN)/alembic -c migrations/alembic.ini

.PHONY: help venv run migrate revision token test lint format types check-migrations check clean \
	bench-eligibility bench-subsidy seed-scale bench-registry demo

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the locked dependencies

run: $(STAMP) ## Migrate and start all three services (8001-8003); Ctrl-C stops them
	$(BIN)/python -m deploy.run_local

demo: $(STAMP) ## Fill the registry with demo data (the article's spaces, made-up figures); twice adds nothing; VERBOSE=1 logs each request
	@mkdir -p var
	@$(BIN)/python -m deploy.demo_data $(if $(VERBOSE),--verbose)

migrate: $(STAMP) ## Migrate every service's database to head (or SERVICE=...)
	@mkdir -p var
	@for s in $(or $(SERVICE),$(SERVICES)); do echo "migrating $$s"; $(ALEMBIC) -n $$s upgrade head || exit 1; done

revision: $(STAMP) ## New migration: make revision SERVICE=registry MSG="add operators"
	@test -n "$(SERVICE)" -a -n "$(MSG)" || { echo 'usage: make revision SERVICE=registry MSG="..."'; exit 2; }
	@mkdir -p var
	$(ALEMBIC) -n $(SERVICE) upgrade head
	$(ALEMBIC) -n $(SERVICE) revision --autogenerate -m "$(MSG)"

token: $(STAMP) ## Dev token: make token ROLE=district_officer JURISDICTION=620102 [SUB=alice]
	@$(BIN)/python -m shared.auth.cli --role $(or $(ROLE),city_admin) \
		$(if $(JURISDICTION),--jurisdiction $(JURISDICTION)) $(if $(SUB),--sub '$(SUB)')

test: $(STAMP) ## Run the whole suite (SQLite always; PostgreSQL when reachable, required under CI=true)
	$(BIN)/python -m pytest

lint: $(STAMP) ## ruff: lint and formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

types: $(STAMP) ## mypy (strict) over shared/, services/, deploy/
	$(BIN)/mypy

check-migrations: $(STAMP) ## Models and migrations agree (alembic check) on SQLite and PostgreSQL
	$(BIN)/python -m pytest tests/migrations -q

check: lint types test ## What CI runs (the suite includes the migration drift check)

BENCH_STAMP := $(VENV)/.bench-installed

# The bench lock is requirements.lock plus zen-engine; refuse a stale one rather than let it
# reinstall older pins into .venv.
$(BENCH_STAMP): requirements-bench.lock requirements.lock $(STAMP)
	@diff <(grep -E '^[a-z0-9]' requirements.lock) \
		<(grep -E '^[a-z0-9]' requirements-bench.lock | grep -v '^zen-engine==') >/dev/null || \
		{ echo 'requirements-bench.lock is older than requirements.lock; regenerate it:' \
		'uv pip compile pyproject.toml --extra dev --extra bench --generate-hashes' \
		'--python-version 3.11 -o requirements-bench.lock'; exit 1; }
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-bench.lock
	touch $(BENCH_STAMP)

bench-eligibility: $(STAMP) $(BENCH_STAMP) ## Eligibility benchmark: in-process vs ZEN, HTTP latency, batch, impact
	$(BIN)/python -m tests.bench.eligibility

bench-subsidy: $(STAMP) ## Subsidy benchmark: ledger postings/s on PostgreSQL beside plain inserts
	$(BIN)/python -m tests.bench.subsidy

seed-scale: $(STAMP) ## Registry at national scale in PostgreSQL (REGISTRY_SCALE_DATABASE_URL, else lzms_registry_scale)
	$(BIN)/python -m tests.bench.registry_seed

bench-registry: $(STAMP) ## Registry reads over HTTP at scale beside a bare asyncpg endpoint (after seed-scale)
	$(BIN)/python -m tests.bench.registry

clean: ## Remove the virtual environment, caches and var/
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
