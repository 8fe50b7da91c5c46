"""Positions are gap-free and in commit order on both stores, also after a rolled-back write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shared.auth import Principal
from shared.settings import Settings
from tests.kernel.hammer import record_fields
from tests.support import open_application

EDITOR = Principal(sub="editor-1", roles=frozenset({"editor"}), dept="FIN")


class Abandoned(Exception):
    pass


def _draft_then_abandon(app: Any, title: str) -> None:
    with app.transaction():
        app.draft_record(actor=EDITOR, fields=record_fields(title))  # inserted, then rolled back
        raise Abandoned


def test_a_rolled_back_write_leaves_no_gap_in_positions(settings: Settings) -> None:
    with open_application("catalogue", settings) as app:
        app.draft_record(actor=EDITOR, fields=record_fields("before"))
        for attempt in range(3):  # on PostgreSQL each would have spent sequence values
            with pytest.raises(Abandoned):
                _draft_then_abandon(app, f"abandoned-{attempt}")
        app.draft_record(actor=EDITOR, fields=record_fields("after"))

        items = app.read_feed(after=0, limit=100)
        assert [i.position for i in items] == list(range(1, len(items) + 1))
        titles = [i.data.get("title") for i in items if "title" in i.data]
        assert not any("abandoned" in str(t) for t in titles)
        chain = app.kernel.chain
        with app.reading() as session:
            leaves = session.execute(select(chain.c.position, chain.c.leaf_index).order_by(chain.c.position)).all()
        assert [(p, leaf + 1) for p, leaf in leaves] == [(p, p) for p, _ in leaves]  # leaf i is position i + 1
        assert app.verify_chain().ok


def test_recorded_at_never_decreases_along_the_log_when_a_clock_is_behind(settings: Settings) -> None:
    """A replica whose clock is behind records the last link's instant, not an earlier one
    (readers take "recorded by an instant" as a prefix of the log)."""
    ahead, behind = datetime(2026, 6, 1, 8, 0, 0, 123000, tzinfo=UTC), datetime(2026, 6, 1, 7, 59, 59, tzinfo=UTC)
    with open_application("catalogue", settings) as app:
        app.clock = lambda: ahead
        app.draft_record(actor=EDITOR, fields=record_fields("ahead"))
        app.clock = lambda: behind
        app.draft_record(actor=EDITOR, fields=record_fields("behind"))
        app.clock = lambda: ahead + timedelta(seconds=1)
        app.draft_record(actor=EDITOR, fields=record_fields("later"))
        recorded = [i.recorded_at for i in app.read_feed(after=0, limit=100)]
        assert recorded == ["2026-06-01T08:00:00.123Z", "2026-06-01T08:00:00.123Z", "2026-06-01T08:00:01.123Z"]
        assert app.verify_chain().ok
