from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.dependencies import models as fastapi_models
from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.support import BACKENDS, LogLeaks, drop_schemas, make_settings, service_client

_LOG_LINES = LogLeaks()


def pytest_sessionstart(session: pytest.Session) -> None:
    logging.getLogger().addHandler(_LOG_LINES)  # configure_logging keeps handlers it did not install


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The whole run's log lines hold none of the personal data the tests used (api: logs never
    carry request bodies or SQL parameters)."""
    if _LOG_LINES.leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"personal data in {len(_LOG_LINES.leaks)} log line(s) of this run:", red=True)
            for line in _LOG_LINES.leaks[:10]:
                reporter.write_line(f"  {line}", red=True)


@pytest.fixture(autouse=True)
def _forget_closed_apps() -> Iterator[None]:
    """After each test, drop what FastAPI's module-level caches keep of its apps' endpoints.

    FastAPI (0.165) classifies each endpoint and dependency in ``lru_cache``s of 4,096 callables
    keyed by the callable itself; ours are closures over their app, so those caches kept about
    170 closed apps alive in one run (2.5 million objects). Every full garbage collection then
    walked them all (about a second each), which is CPU time a test measuring its own could not
    tell from its code's. A service runs one app per process and never meets this.
    """
    yield
    for value in vars(fastapi_models).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path) -> Iterator[Settings]:
    value = make_settings(backend, tmp_path)
    yield value
    drop_schemas(value)


@pytest.fixture
def catalogue(settings: Settings) -> Iterator[TestClient]:
    with service_client("catalogue", settings) as client:
        yield client


@pytest.fixture
def opinion(settings: Settings) -> Iterator[TestClient]:
    with service_client("opinion", settings) as client:
        yield client


@pytest.fixture
def assessment(settings: Settings) -> Iterator[TestClient]:
    with service_client("assessment", settings) as client:
        yield client
