"""What an operator relies on: log lines naming who acted and from where, a console log format,
a .env file, migrations serialised on SQLite, rebuild refusing a live service, the healthcheck."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shared import migrations
from shared.cli import app as cli
from shared.observability import ConsoleFormatter, JsonFormatter
from shared.persistence import Store
from shared.settings import Settings, get_settings
from tests.catalogue.builders import record_body
from tests.e2e.processes import cluster
from tests.support import auth


def test_access_log_names_the_principal_department_and_client(
    catalogue: TestClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # the app (and its logging) is set up before the test runs, so caplog's handler stays in place
    caplog.set_level(logging.INFO, logger="openness.http")
    headers = auth(settings, "editor", dept="FIN", sub="li.si")
    assert catalogue.post("/catalogue/v1/records", json=record_body(), headers=headers).status_code == 201
    catalogue.get("/catalogue/v1/records")
    requests = [r for r in caplog.records if r.getMessage() == "request"]
    written, read = requests[-2], requests[-1]
    assert (written.principal, written.department, written.client) == ("li.si", "FIN", "testclient")  # type: ignore[attr-defined]
    assert not hasattr(read, "principal")  # the public: nobody named
    line = json.loads(JsonFormatter().format(written))
    assert (line["principal"], line["department"], line["client"], line["status"]) == (
        "li.si",
        "FIN",
        "testclient",
        201,
    )
    assert "body" not in line  # never the request body


def test_console_format_is_one_readable_line() -> None:
    record = logging.LogRecord("openness.http", logging.INFO, __file__, 1, "request", None, None)
    record.__dict__.update(method="GET", path="/catalogue/v1/records", status=200, principal="li.si")
    line = ConsoleFormatter().format(record)
    assert "\n" not in line
    assert "INFO" in line
    assert "openness.http: request" in line
    assert "principal=li.si" in line


def test_settings_come_from_a_dot_env_file_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("OPENNESS_LOG_LEVEL=DEBUG\nOPENNESS_ORIGIN_UNKNOWN=ignored\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENNESS_LOG_LEVEL", raising=False)
    assert Settings().log_level == "DEBUG"
    monkeypatch.setenv("OPENNESS_LOG_LEVEL", "WARNING")  # the environment wins over the file
    assert Settings().log_level == "WARNING"


def test_processes_starting_together_on_one_sqlite_directory_migrate_in_turn(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    errors: list[BaseException] = []

    def start() -> None:
        try:  # opening the store (the switch to WAL) races as much as migrating does
            store = Store("opinion", settings)
        except BaseException as error:
            errors.append(error)
            return
        try:
            migrations.upgrade(store)
        except BaseException as error:
            errors.append(error)
        finally:
            store.dispose()

    starters = [threading.Thread(target=start) for _ in range(6)]
    for starter in starters:
        starter.start()
    for starter in starters:
        starter.join(timeout=60)
    assert errors == []
    assert (tmp_path / "opinion.migrate.lock").exists()


def test_rebuild_refuses_a_live_service(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with cluster(settings, tmp_path, services=("opinion",)) as running:
        for name, value in running.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("OPENNESS_OPINION_PORT", running.url("opinion").rsplit(":", 1)[1])
        get_settings.cache_clear()
        try:
            refused = CliRunner().invoke(cli, ["rebuild", "opinion"])
            assert refused.exit_code == 1
            assert "is running at" in refused.output
            assert CliRunner().invoke(cli, ["healthcheck"]).exit_code == 0
        finally:
            get_settings.cache_clear()
