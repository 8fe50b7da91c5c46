"""The hash chain: every event linked in its own transaction; tampering is found at the right place."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from sqlalchemy import text

from services.catalogue.application import CatalogueApplication
from shared.auth import Principal
from shared.chain import GENESIS_HASH, Hasher
from shared.settings import Settings
from tests.audit.independent import head_of_note
from tests.support import auth, open_application, service_client

EDITOR = Principal(sub="editor-1", roles=frozenset({"editor"}), dept="FIN")


def _fields(n: int) -> dict[str, Any]:
    return {
        "department": "FIN",
        "title": f"第{n}号通知",
        "category": "announcement",
        "area": "other",
        "item_code": None,
        "doc_number": None,
        "formed_on": date(2026, 3, 2),
        "body": "正文",
        "attachments": [],
        "disclosure": "proactive",
        "withheld_reason": None,
        "needs_interpretation": False,
    }


def _five_events(app: CatalogueApplication) -> None:
    for n in range(3):
        app.draft_record(actor=EDITOR, fields=_fields(n))
    first = app.read_feed(after=0, limit=1)[0]
    app.publish_record(first.stream_id, actor=EDITOR, expected_version=None)  # type: ignore[arg-type]
    app.revoke_record(first.stream_id, actor=EDITOR, expected_version=None, reason="重复发布")  # type: ignore[arg-type]


def _execute(app: CatalogueApplication, sql: str, **params: Any) -> None:
    with app.store.engine.begin() as connection:
        connection.execute(text(sql), params)


def test_each_event_links_to_the_previous_one(settings: Settings) -> None:
    with open_application("catalogue", settings) as app:
        _five_events(app)
        items = app.read_feed(after=0, limit=100)
        assert [i.position for i in items] == [1, 2, 3, 4, 5]
        assert items[0].prev_hash == GENESIS_HASH
        hasher = Hasher("sm3")
        for previous, item in zip([None, *items], items, strict=False):
            assert item.prev_hash == (previous.hash if previous else GENESIS_HASH)
            assert item.chain_format == 2
            assert hasher.link(item.prev_hash, asdict(item), 2) == item.hash  # recomputable from the feed alone
        result = app.verify_chain()
        assert result.ok
        assert result.checked == 5
        assert result.head_position == 5


@pytest.mark.parametrize(
    ("tamper", "broken_at"),
    [
        ("UPDATE catalogue_events SET topic = 'catalogue.Record.Revoked' WHERE id = 3", 3),
        ("DELETE FROM catalogue_events WHERE id = 3", 3),
        ("DELETE FROM catalogue_chain WHERE position = 4", 4),
        ("UPDATE catalogue_chain SET hash = :fake WHERE position = 2", 2),
    ],
    ids=["altered-topic", "deleted-event", "deleted-link", "forged-link"],
)
def test_tampering_is_found_at_its_position(settings: Settings, tamper: str, broken_at: int) -> None:
    with open_application("catalogue", settings) as app:
        _five_events(app)
        _execute(app, tamper, fake="f" * 64)
        result = app.verify_chain()
        assert not result.ok
        assert result.first_broken_position == broken_at
        assert result.checked == broken_at - 1


def test_altered_event_data_is_found(settings: Settings) -> None:
    with open_application("catalogue", settings) as app:
        _five_events(app)
        with app.store.engine.connect() as connection:
            state = connection.execute(text("SELECT state FROM catalogue_events WHERE id = 2")).scalar_one()
        forged = bytes(state).replace("第1号".encode(), "第9号".encode())
        assert forged != bytes(state)
        _execute(app, "UPDATE catalogue_events SET state = :s WHERE id = 2", s=forged)
        assert app.verify_chain().first_broken_position == 2


def test_reordered_events_are_found(settings: Settings) -> None:
    with open_application("catalogue", settings) as app:
        _five_events(app)
        _execute(app, "UPDATE catalogue_events SET id = 100 WHERE id = 2")
        _execute(app, "UPDATE catalogue_events SET id = 2 WHERE id = 3")
        _execute(app, "UPDATE catalogue_events SET id = 3 WHERE id = 100")
        assert app.verify_chain().first_broken_position == 2


def test_a_deleted_pair_breaks_the_next_link(settings: Settings) -> None:
    with open_application("catalogue", settings) as app:
        _five_events(app)
        _execute(app, "DELETE FROM catalogue_events WHERE id = 3")
        _execute(app, "DELETE FROM catalogue_chain WHERE position = 3")
        result = app.verify_chain()
        assert result.first_broken_position == 4
        assert "prev_hash" in (result.reason or "")


def test_audit_routes_report_the_break(settings: Settings) -> None:
    with service_client("catalogue", settings) as client:
        app = client.app.state.application  # type: ignore[attr-defined]
        _five_events(app)
        head = client.get("/catalogue/v1/audit/head").json()
        assert head["position"] == 5
        assert head["algorithm"] == "sm3"
        keys = client.get("/catalogue/v1/audit/keys").json()["keys"]
        assert head_of_note(head["note"], keys[0]["vkey"]) == (5, f"sm3 {head['hash']}")
        assert head["note"].endswith(f"{head['signature']}\n")
        assert head["key_id"] == keys[0]["key_id"]
        forged = head["note"].replace("chain-head 5", "chain-head 4")
        with pytest.raises(InvalidSignature):
            head_of_note(forged, keys[0]["vkey"])
        ok = client.get("/catalogue/v1/audit/verify", headers=auth(settings, "auditor")).json()
        assert ok["ok"] is True
        assert ok["first_broken_position"] is None
        _execute(app, "DELETE FROM catalogue_events WHERE id = 2")
        broken = client.get("/catalogue/v1/audit/verify", headers=auth(settings, "office")).json()
        assert broken["ok"] is False
        assert broken["first_broken_position"] == 2
        assert client.get("/catalogue/v1/audit/verify", headers=auth(settings, "editor", dept="FIN")).status_code == 403


def test_sha256_is_selectable(settings: Settings) -> None:
    sha_settings = settings.model_copy(update={"hash_algorithm": "sha256"})
    with open_application("catalogue", sha_settings) as app:
        _five_events(app)
        assert app.verify_chain().ok
        item = app.read_feed(after=0, limit=1)[0]
        assert Hasher("sha256").link(GENESIS_HASH, asdict(item), item.chain_format) == item.hash


def test_an_append_finds_the_merkle_frontier_by_key_lookups_not_a_scan(tmp_path: Any) -> None:
    """Each append reads the frontier of the tree; a scan of the node table there would make
    every write cost time in the size of the log (it did once, for a row-value IN)."""
    from shared import merkle
    from shared.persistence import frontier_query
    from tests.support import make_settings, open_application

    with open_application("catalogue", make_settings("sqlite", tmp_path)) as app:
        query = frontier_query(app.kernel.merkle, merkle.frontier(1_000_003))
        compiled = query.compile(app.store.engine, compile_kwargs={"literal_binds": True})
        with app.reading() as session:
            plan = [str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
    assert plan
    assert all("SCAN" not in step for step in plan), plan
