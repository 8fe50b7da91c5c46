"""Read models are derived: dropping them and replaying the events gives the same tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, select
from typer.testing import CliRunner

from shared.application import ServiceApplication
from shared.cli import app as cli
from shared.settings import Settings, get_settings
from tests.catalogue.builders import draft, publish
from tests.support import auth, open_application, service_client


def snapshot(app: ServiceApplication) -> dict[str, list[dict[str, Any]]]:
    tables: list[Table] = [*app.projection.tables, *app.follower_tables]
    with app.reading() as session:
        return {
            table.name: [dict(r._mapping) for r in session.execute(select(table).order_by(*table.primary_key.columns))]
            for table in tables
        }


def _catalogue_day(client: Any, settings: Settings) -> None:
    for n in range(4):
        record = draft(client, settings, title=f"第{n}号通知", category="policy")
        if n % 2 == 0:
            publish(client, settings, record)
    corrected = publish(client, settings, draft(client, settings, dept="EDU", title="招生政策"))
    headers = auth(settings, "head", dept="EDU")
    body = {"title": "招生政策（修订）", "reason": "补充说明"}
    assert (
        client.post(f"/catalogue/v1/records/{corrected['id']}/correct", json=body, headers=headers).status_code == 200
    )
    revoke = {"reason": "错误发布"}
    assert (
        client.post(f"/catalogue/v1/records/{corrected['id']}/revoke", json=revoke, headers=headers).status_code == 200
    )


def test_rebuilt_catalogue_tables_equal_the_live_ones(settings: Settings) -> None:
    with service_client("catalogue", settings) as client:
        _catalogue_day(client, settings)
        app = client.app.state.application  # type: ignore[attr-defined]
        live = snapshot(app)
        assert len(live["catalogue_record"]) == 5
        assert len(live["catalogue_record_version"]) == 10
        assert app.rebuild() == app.head_position()
        assert snapshot(app) == live


def test_rebuilt_opinion_tables_equal_the_live_ones(settings: Settings) -> None:
    with service_client("opinion", settings) as client:
        body = {
            "title": "食品安全舆情",
            "source": "media",
            "detected_at": "2026-05-01T08:00:00+08:00",
            "topic": "food_drug",
            "severity": "general",
            "lead_department": "MARKET",
            "cooperating_departments": ["HEALTH"],
        }
        incident = client.post("/opinion/v1/incidents", json=body, headers=auth(settings, "office")).json()
        answer = {"kind": "statement", "at": "2026-05-02T08:00:00+08:00", "channel": "微博", "summary": "正在调查"}
        headers = auth(settings, "editor", dept="HEALTH")
        assert (
            client.post(f"/opinion/v1/incidents/{incident['id']}/responses", json=answer, headers=headers).status_code
            == 200
        )
        app = client.app.state.application  # type: ignore[attr-defined]
        live = snapshot(app)
        app.rebuild()
        assert snapshot(app) == live


@pytest.mark.parametrize("backend", ["sqlite"])
def test_rebuild_command_shows_progress_and_keeps_tables(
    backend: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_client("catalogue", settings) as client:
        _catalogue_day(client, settings)
        live = snapshot(client.app.state.application)  # type: ignore[attr-defined]
    monkeypatch.setenv("OPENNESS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("OPENNESS_JWT_SECRET", settings.jwt_secret)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["rebuild", "catalogue"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "10/10" in result.output  # the progress bar reached the end
    assert "10 events replayed" in result.output
    with open_application("catalogue", settings) as app:
        assert snapshot(app) == live


def test_rebuild_refuses_an_unknown_service() -> None:
    result = CliRunner().invoke(cli, ["rebuild", "library"])
    assert result.exit_code != 0
    assert "choose one of" in result.output
