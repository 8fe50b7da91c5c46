# The front door. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-from-lock

.PHONY: install run test test-unit lint fmt bench migrate clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the exact versions of requirements.lock

run: install  ## start the four services on SQLite (Ctrl-C stops them all)
	$(BIN)/openness run

test: install  ## the test suite (SQLite and, when reachable, PostgreSQL; OPENNESS_TEST_BACKENDS picks)
	$(BIN)/pytest -q

test-unit: install  ## the unit tier alone: pure legal rules, the judge and the rank, in seconds
	$(BIN)/pytest -q tests/unit

lint: install  ## ruff (lint + format check) and strict mypy
	$(BIN)/ruff check shared services tests bench
	$(BIN)/ruff format --check shared services tests bench
	$(BIN)/mypy shared services

fmt: install
	$(BIN)/ruff format shared services tests bench
	$(BIN)/ruff check --fix shared services tests bench

bench: install  ## benchmarks (not tests): results printed and written to bench/results/
	$(BIN)/python -m bench

migrate: install  ## create/upgrade schemas and read-model tables (OPENNESS_DATABASE_URL for PostgreSQL)
	$(BIN)/openness migrate

lock:  ## re-resolve requirements.lock from pyproject.toml (needs uv: pip install uv)
	uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
