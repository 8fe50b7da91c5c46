"""The migration that adds ``refers_to`` to the facts fills it for the facts already stored."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from shared import migrations
from shared.persistence import Store
from shared.settings import Settings


def test_stored_interpretations_get_the_policy_they_refer_to(settings: Settings) -> None:
    store = Store("assessment", settings)
    try:
        migrations.upgrade(store, "7c1e5a9d2f40")  # before refers_to
        facts = sa.Table("assessment_fact", sa.MetaData(), autoload_with=store.engine, schema=store.schema)
        at = datetime(2026, 3, 2, 1, tzinfo=UTC)
        row = {
            "upstream": "interpretation",
            "stream_id": "i1",
            "department": "FIN",
            "occurred_at": at,
            "recorded_at": at,
        }
        with store.engine.begin() as connection:
            connection.execute(
                facts.insert(),
                [
                    {
                        **row,
                        "position": 1,
                        "type": "interpretation.InterpretationDrafted",
                        "data": {"policy_record_id": "p1"},
                    },
                    {
                        **row,
                        "position": 2,
                        "type": "interpretation.InterpretationPublished",
                        "data": {"published_at": "x"},
                    },
                ],
            )
        migrations.upgrade(store)
        facts = sa.Table("assessment_fact", sa.MetaData(), autoload_with=store.engine, schema=store.schema)
        with store.engine.connect() as connection:
            refers = dict(connection.execute(sa.select(facts.c.position, facts.c.refers_to)).all())
        assert refers == {1: "p1", 2: None}
    finally:
        store.dispose()
