"""The migrations that add ``refers_to`` and ``item_code`` to the facts fill them for the facts
already stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from shared import migrations
from shared.persistence import Store
from shared.settings import Settings

AT = datetime(2026, 3, 2, 1, tzinfo=UTC)


def _migrated(settings: Settings, before: str, facts: list[dict[str, Any]], column: str) -> dict[int, Any]:
    """``facts`` stored at revision ``before``, then every migration run: ``column`` by position."""
    store = Store("assessment", settings)
    try:
        migrations.upgrade(store, before)
        table = sa.Table("assessment_fact", sa.MetaData(), autoload_with=store.engine, schema=store.schema)
        with store.engine.begin() as connection:
            connection.execute(
                table.insert(),
                [{"department": "FIN", "occurred_at": AT, "recorded_at": AT, **f} for f in facts],
            )
        migrations.upgrade(store)
        table = sa.Table("assessment_fact", sa.MetaData(), autoload_with=store.engine, schema=store.schema)
        with store.engine.connect() as connection:
            return dict(connection.execute(sa.select(table.c.position, table.c[column])).all())
    finally:
        store.dispose()


def test_stored_interpretations_get_the_policy_they_refer_to(settings: Settings) -> None:
    interpretation = {"upstream": "interpretation", "stream_id": "i1"}
    refers = _migrated(
        settings,
        "7c1e5a9d2f40",  # before refers_to
        [
            {
                **interpretation,
                "position": 1,
                "type": "interpretation.InterpretationDrafted",
                "data": {"policy_record_id": "p1"},
            },
            {
                **interpretation,
                "position": 2,
                "type": "interpretation.InterpretationPublished",
                "data": {"published_at": "x"},
            },
        ],
        "refers_to",
    )
    assert refers == {1: "p1", 2: None}


def test_stored_records_get_the_catalogue_item_they_are_drafted_under(settings: Settings) -> None:
    drafted = {"upstream": "catalogue", "type": "catalogue.RecordDrafted"}
    codes = _migrated(
        settings,
        "3f8d2b6a9e17",  # before item_code
        [
            {**drafted, "position": 1, "stream_id": "r1", "data": {"item_code": "FIN-BUDGET-01"}},
            {**drafted, "position": 2, "stream_id": "r2", "data": {"item_code": None}},
            {**drafted, "position": 3, "stream_id": "r1", "type": "catalogue.RecordPublished", "data": {}},
            {
                **drafted,
                "position": 4,
                "stream_id": "c1",
                "type": "catalogue.CatalogueItemRegistered",
                "data": {"code": "FIN-BUDGET-01"},
            },
        ],
        "item_code",
    )
    assert codes == {1: "FIN-BUDGET-01", 2: None, 3: None, 4: None}
