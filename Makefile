# The front door. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-from-lock

.PHONY: install install-browser run test test-unit lint fmt bench bench-scale migrate clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the exact versions of requirements.lock

# What some tests drive besides Python: Debian's Chromium and ChromeDriver (the desk's browser tests,
# with a CJK font so screenshots show the Chinese) and docker-compose (the compose file is checked).
# Installed here when missing and we may (root, apt-get); elsewhere those tests say they were skipped.
BROWSER_PACKAGES := chromium chromium-driver fonts-wqy-zenhei docker-compose
install-browser:  ## Chromium, ChromeDriver, a CJK font and docker-compose for the tests (Debian, as root)
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null && fc-list :lang=zh | grep -q . \
		&& command -v docker-compose >/dev/null; then \
		echo "browser for tests: $$(chromium --version 2>/dev/null)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null \
			|| (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null); \
		echo "browser for tests: $$(chromium --version 2>/dev/null)"; \
	else \
		echo "no Chromium and no way to install it here: the browser tests will be skipped"; \
	fi

run: install  ## start the four services on SQLite (Ctrl-C stops them all)
	$(BIN)/openness run

test: install install-browser  ## the test suite (SQLite and, when reachable, PostgreSQL; OPENNESS_TEST_BACKENDS picks)
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

bench-scale: install  ## growth curves at a city history of SCALE_SIZES events per service (default 100k,300k,1M; hours)
	$(BIN)/python -m bench.scale

migrate: install  ## create/upgrade schemas and read-model tables (OPENNESS_DATABASE_URL for PostgreSQL)
	$(BIN)/openness migrate

lock:  ## re-resolve requirements.lock from pyproject.toml (needs uv: pip install uv)
	uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
