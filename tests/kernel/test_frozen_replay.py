"""Events stored by an earlier version still replay: aggregates, read models and the chain."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import column, insert, select, table, text

from services.assessment.domain import Action
from services.catalogue.domain import Record
from services.opinion.domain import Incident
from shared import migrations
from shared.auth import Principal
from shared.persistence import Store
from shared.settings import Settings

FIXTURE = json.loads((Path(__file__).parent.parent / "fixtures" / "frozen_events_v1.json").read_text(encoding="utf-8"))


FRESH_RECORD = {
    "department": "FIN",
    "title": "迁移后的新通知",
    "category": "announcement",
    "area": "other",
    "item_code": None,
    "doc_number": None,
    "formed_on": date(2026, 11, 27),
    "body": "正文",
    "attachments": [],
    "disclosure": "proactive",
    "withheld_reason": None,
    "needs_interpretation": False,
}


@contextmanager
def frozen_application(service: str, settings: Settings) -> Iterator[tuple[Any, UUID]]:
    """The service as it was when the fixture was stored (kernel tables v1, chain format 1),
    loaded with the frozen rows, then migrated to today's schema, as a deployment would be."""
    store = Store(service, settings)
    script = ScriptDirectory.from_config(migrations.alembic_config(service))
    kernel_v2 = next(r for r in script.walk_revisions() if (r.doc or "").startswith("kernel tables v2"))
    before_v2 = kernel_v2.down_revision
    migrations.upgrade(store, str(before_v2))
    spec = importlib.import_module(f"services.{service}.main").SPEC
    try:
        app = spec.application_class(store=store, settings=settings)  # creates the library's events table
        frozen = FIXTURE[service]
        rows = [
            {**row, "originator_id": UUID(row["originator_id"]), "state": row["state"].encode("utf-8")}
            for row in frozen["events"]
        ]
        chain_v1 = table(
            f"{service}_chain", column("position"), column("prev_hash"), column("hash"), column("recorded_at")
        )
        with store.engine.begin() as connection:
            connection.execute(insert(app.events_table), rows)
            connection.execute(insert(chain_v1), frozen["chain"])
            if store.is_postgres:
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{service}_events', 'id'), {len(rows)})")
                )
        migrations.upgrade(store)
        yield app, rows[0]["originator_id"]
    finally:
        store.dispose()


@pytest.mark.parametrize("service", ["catalogue", "opinion", "assessment"])
def test_frozen_chain_still_verifies(settings: Settings, service: str) -> None:
    with frozen_application(service, settings) as (app, _):
        result = app.verify_chain()
        assert result.ok, result
        assert result.checked == len(FIXTURE[service]["events"])
        assert {item.chain_format for item in app.read_feed(after=0, limit=100)} == {1}  # verifiable as recorded
        assert result.merkle_root == app.tree_root(result.checked).hex()  # the migration built the tree


def test_frozen_record_replays(settings: Settings) -> None:
    with frozen_application("catalogue", settings) as (app, record_id):
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
        # New events link to the old ones under the current format; the whole chain verifies.
        editor = Principal(sub="editor-fin", roles=frozenset({"editor"}), dept="FIN")
        app.draft_record(actor=editor, fields=FRESH_RECORD)
        newest = app.read_feed(after=4, limit=10)
        assert [(i.position, i.chain_format) for i in newest] == [(5, 2)]
        assert newest[0].prev_hash == app.read_feed(after=3, limit=1)[0].hash
        result = app.verify_chain()
        assert (result.ok, result.checked) == (True, 5)
        with app.reading() as session:
            row = session.execute(select(app.projection.tables[0]).where(text("id = :i")), {"i": str(record_id)}).one()
        assert row.status == "revoked"
        assert row.index_number == "FIN-2026-000001"
        types = [item.type for item in app.read_feed(after=0, limit=4)]
        assert types == [
            "catalogue.RecordDrafted",
            "catalogue.RecordPublished",
            "catalogue.RecordCorrected",
            "catalogue.RecordRevoked",
        ]


def test_frozen_incident_and_action_replay(settings: Settings) -> None:
    with frozen_application("opinion", settings) as (app, incident_id):
        incident = app.repository.get(incident_id)
        assert isinstance(incident, Incident)
        assert incident.lead_department == "EDU"
        assert len(incident.clock.responses) == 1
        assert app.rebuild() == 2
    with frozen_application("assessment", settings) as (app, action_id):
        action = app.repository.get(action_id)
        assert isinstance(action, Action)
        assert action.rectified_on is not None
        assert action.rectified_on.isoformat() == "2026-04-20"
