"""Small builders the tests share: settings per backend, clients, tokens."""

from __future__ import annotations

import importlib
import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from shared.auth import issue_token
from shared.observability import JsonFormatter
from shared.settings import Settings

SECRET = "test-secret-that-is-long-enough-for-hs256"
# Personal data the tests put into requests, comments and incidents: no log line of the whole run
# may contain any of it (tests/conftest.py checks at the end of the session).
PERSONAL_DATA = (
    "王小明",
    "wangxm@example.com",
    "13700001111",
    "13912345678",
    "110101199003077777",
    "幸福小区3栋2单元501室",
)
PG_URL = os.environ.get("OPENNESS_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b.strip() for b in os.environ.get("OPENNESS_TEST_BACKENDS", "sqlite,postgres").split(",") if b.strip()]
IN_CI = os.environ.get("CI", "").lower() == "true"

_pg_reachable: bool | None = None


def postgres_reachable() -> bool:
    global _pg_reachable
    if _pg_reachable is None:
        try:
            engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
            _pg_reachable = True
        except Exception:
            _pg_reachable = False
    return _pg_reachable


def require_postgres() -> None:
    if not postgres_reachable():
        message = f"PostgreSQL is not reachable at {PG_URL}"
        if IN_CI:
            pytest.fail(message + " (CI=true: PostgreSQL is required)")
        pytest.skip(message)


class LogLeaks(logging.Handler):
    """Keeps the log lines (formatted as the services write them, extras included) that hold any
    of ``PERSONAL_DATA``."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        if any(marker in line for marker in PERSONAL_DATA):
            self.leaks.append(line[:500])


def make_settings(backend: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "jwt_secret": SECRET,
        "follow": False,
        "database_url": None,
        "log_level": "WARNING",
    }
    if backend == "postgres":
        require_postgres()
        values["database_url"] = PG_URL
        values["database_schema_prefix"] = f"t{uuid.uuid4().hex[:10]}_"
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def drop_schemas(settings: Settings) -> None:
    if not settings.database_url or not settings.database_schema_prefix:
        return
    engine = create_engine(PG_URL)
    with engine.begin() as connection:
        names = connection.execute(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": settings.database_schema_prefix + "%"}
        ).scalars()
        for name in list(names):
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


def token(settings: Settings, *roles: str, dept: str | None = None, sub: str = "tester", ttl_hours: int = 1) -> str:
    return issue_token(settings, sub=sub, roles=list(roles), dept=dept, ttl=timedelta(hours=ttl_hours))


def auth(settings: Settings, *roles: str, dept: str | None = None, sub: str = "tester") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(settings, *roles, dept=dept, sub=sub)}"}


@contextmanager
def service_client(service: str, settings: Settings) -> Iterator[TestClient]:
    module = importlib.import_module(f"services.{service}.main")
    with TestClient(module.create_app(settings), raise_server_exceptions=False) as client:
        yield client


def assert_problem(response: Any, status: int, code: str | None = None, reason: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "code"} <= body.keys()
    assert "Traceback" not in response.text
    if code is not None:
        assert body["code"] == code, body
    if reason is not None:
        assert body.get("reason") == reason, body
    return body


@contextmanager
def open_application(service: str, settings: Settings) -> Iterator[Any]:
    """The service's application on its store, migrated, without HTTP."""
    from shared import migrations
    from shared.persistence import Store

    store = Store(service, settings)
    migrations.upgrade(store)
    spec = importlib.import_module(f"services.{service}.main").SPEC
    try:
        yield spec.application_class(store=store, settings=settings)
    finally:
        store.dispose()
