"""Events stored by an earlier version still replay: aggregates, read models and the chain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import insert, select, text

from services.assessment.domain import Action
from services.catalogue.domain import Record
from services.opinion.domain import Incident
from shared.settings import Settings
from tests.support import open_application

FIXTURE = json.loads((Path(__file__).parent.parent / "fixtures" / "frozen_events_v1.json").read_text(encoding="utf-8"))


def _load(app: Any, service: str) -> UUID:
    frozen = FIXTURE[service]
    rows = [
        {**row, "originator_id": UUID(row["originator_id"]), "state": row["state"].encode("utf-8")}
        for row in frozen["events"]
    ]
    with app.store.engine.begin() as connection:
        connection.execute(insert(app.events_table), rows)
        connection.execute(insert(app.kernel.chain), frozen["chain"])
        if app.store.is_postgres:
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{service}_events', 'id'), {len(rows)})"))
    return rows[0]["originator_id"]


@pytest.mark.parametrize("service", ["catalogue", "opinion", "assessment"])
def test_frozen_chain_still_verifies(settings: Settings, service: str) -> None:
    with open_application(service, settings) as app:
        _load(app, service)
        result = app.verify_chain()
        assert result.ok, result
        assert result.checked == len(FIXTURE[service]["events"])


def test_frozen_record_replays(settings: Settings) -> None:
    with open_application("catalogue", settings) as app:
        record_id = _load(app, "catalogue")
        record = app.repository.get(record_id)
        assert isinstance(record, Record)
        assert record.status == "revoked"
        assert record.title == "关于2026年市级财政预算公开的通知（更正）"
        assert record.body == "正文𠮷，含生僻字。"
        assert record.time_limit is None  # Drafted v1 upcast to v2 and v3: the default limit
        drafted = app.read_feed(after=0, limit=1)[0]
        assert drafted.schema_version == 1  # the feed shows the event as it was recorded...
        assert "time_limit_working_days" not in drafted.data  # ...so its recorded hash still verifies
        assert app.rebuild() == 4
        with app.reading() as session:
            row = session.execute(select(app.projection.tables[0]).where(text("id = :i")), {"i": str(record_id)}).one()
        assert row.status == "revoked"
        assert row.index_number == "FIN-2026-000001"
        types = [item.type for item in app.read_feed(after=0, limit=10)]
        assert types == [
            "catalogue.RecordDrafted",
            "catalogue.RecordPublished",
            "catalogue.RecordCorrected",
            "catalogue.RecordRevoked",
        ]


def test_frozen_incident_and_action_replay(settings: Settings) -> None:
    with open_application("opinion", settings) as app:
        incident = app.repository.get(_load(app, "opinion"))
        assert isinstance(incident, Incident)
        assert incident.lead_department == "EDU"
        assert len(incident.clock.responses) == 1
        assert app.rebuild() == 2
    with open_application("assessment", settings) as app:
        action = app.repository.get(_load(app, "assessment"))
        assert isinstance(action, Action)
        assert action.rectified_on is not None
        assert action.rectified_on.isoformat() == "2026-04-20"
