"""Positions are gap-free and in commit order on both stores, also after a rolled-back write."""

from __future__ import annotations

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
