"""The tamper matrix: every way of altering stored history is found by /audit/verify and by
``openness audit verify`` (offline, from bundles), at the position it happened."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, text, update
from typer.testing import CliRunner

from shared import merkle
from shared.chain import CHAIN_FORMAT, leaf_of
from shared.cli import app as cli
from shared.settings import Settings
from tests.catalogue.builders import draft, publish
from tests.support import auth

Tamper = Callable[[Any], None]


def _sql(app: Any, statement: str, **params: Any) -> None:
    with app.store.engine.begin() as connection:
        connection.execute(text(statement), params)


def _state(app: Any, position: int) -> dict[str, Any]:
    with app.store.engine.connect() as connection:
        raw = connection.execute(text("SELECT state FROM catalogue_events WHERE id = :p"), {"p": position}).scalar_one()
    value: dict[str, Any] = json.loads(bytes(raw))
    return value


def _set_state(app: Any, position: int, state: dict[str, Any]) -> None:
    encoded = json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()
    _sql(app, "UPDATE catalogue_events SET state = :s WHERE id = :p", s=encoded, p=position)


def alter_data(app: Any) -> None:
    state = _state(app, 3)
    state["title"] = "被篡改的标题"
    _set_state(app, 3, state)


def alter_occurred_at(app: Any) -> None:
    state = _state(app, 2)
    state["timestamp"]["_data_"] = "2026-01-01T00:00:00+00:00"
    _set_state(app, 2, state)


def alter_schema_version(app: Any) -> None:
    state = _state(app, 1)
    state["class_version"] = 2
    _set_state(app, 1, state)


def alter_type(app: Any) -> None:
    _sql(app, "UPDATE catalogue_events SET topic = 'catalogue.Record.Revoked' WHERE id = 3")


def alter_recorded_at(app: Any) -> None:
    _sql(app, "UPDATE catalogue_chain SET recorded_at = '2026-01-01T00:00:00.000Z' WHERE position = 4")


def delete_event(app: Any) -> None:
    _sql(app, "DELETE FROM catalogue_events WHERE id = 3")
    _sql(app, "DELETE FROM catalogue_chain WHERE position = 3")


def swap_two(app: Any) -> None:
    _sql(app, "UPDATE catalogue_events SET id = 100 WHERE id = 2")
    _sql(app, "UPDATE catalogue_events SET id = 2 WHERE id = 3")
    _sql(app, "UPDATE catalogue_events SET id = 3 WHERE id = 100")


def truncate_tail(app: Any) -> None:
    _sql(app, "DELETE FROM catalogue_events WHERE id > 4")
    _sql(app, "DELETE FROM catalogue_chain WHERE position > 4")
    _rebuild_tree(app)


def rewrite_from_3(app: Any) -> None:
    """Alter event 3, then recompute every later link and the whole Merkle tree: a chain that is
    internally valid, caught only against a checkpoint signed before."""
    alter_data(app)
    chain = app.kernel.chain
    with app.store.engine.begin() as connection:
        rows = connection.execute(text("SELECT id FROM catalogue_events WHERE id >= 3 ORDER BY id")).scalars().all()
        prev = connection.execute(text("SELECT hash FROM catalogue_chain WHERE position = 2")).scalar_one()
    for position in rows:
        [item] = app.read_feed(after=position - 1, limit=1)
        envelope = {k: v for k, v in item.__dict__.items() if k not in ("hash", "prev_hash", "chain_format")}
        new_hash = app.hasher.link(prev, envelope, CHAIN_FORMAT)
        with app.store.engine.begin() as connection:
            connection.execute(update(chain).where(chain.c.position == position).values(prev_hash=prev, hash=new_hash))
        prev = new_hash
    _rebuild_tree(app)


def _rebuild_tree(app: Any) -> None:
    with app.store.engine.begin() as connection:
        hashes = connection.execute(text("SELECT hash FROM catalogue_chain ORDER BY position")).scalars().all()
        connection.execute(delete(app.kernel.merkle))
        nodes = merkle.append(0, [leaf_of(h) for h in hashes], {})
        rows = [{"level": level, "idx": index, "hash": value} for (level, index), value in nodes.items()]
        connection.execute(app.kernel.merkle.insert(), rows)


MATRIX: list[tuple[str, Tamper, int]] = [
    ("data", alter_data, 3),
    ("occurred_at", alter_occurred_at, 2),
    ("schema_version", alter_schema_version, 1),
    ("type", alter_type, 3),
    ("recorded_at", alter_recorded_at, 4),
    ("deleted-event", delete_event, 4),
    ("swapped", swap_two, 2),
    ("truncated", truncate_tail, 5),
]


def _six_events(client: TestClient, settings: Settings) -> None:
    records = [draft(client, settings, title=f"第{n}号通知") for n in range(4)]
    publish(client, settings, records[1])
    publish(client, settings, records[2])


def _export(client: TestClient, settings: Settings, path: Path) -> Path:
    response = client.get("/catalogue/v1/audit/export", headers=auth(settings, "auditor"))
    assert response.status_code == 200, response.text
    path.write_bytes(response.content)
    return path


def _offline(*args: str) -> Any:
    return CliRunner().invoke(cli, ["audit", "verify", *args])


@pytest.mark.parametrize(("name", "tamper", "position"), MATRIX, ids=[m[0] for m in MATRIX])
def test_tampering_is_found_online_and_offline(
    catalogue: TestClient, settings: Settings, tmp_path: Path, name: str, tamper: Tamper, position: int
) -> None:
    _six_events(catalogue, settings)
    app = catalogue.app.state.application  # type: ignore[attr-defined]
    before = _export(catalogue, settings, tmp_path / "before.tar.gz")
    saved = tmp_path / "checkpoint"
    assert _offline(str(before), "--save-checkpoint", str(saved)).exit_code == 0
    tamper(app)
    verdict = catalogue.get("/catalogue/v1/audit/verify", headers=auth(settings, "auditor")).json()
    assert (verdict["ok"], verdict["first_broken_position"]) == (False, position), verdict
    after = _export(catalogue, settings, tmp_path / "after.tar.gz")
    result = _offline(str(after), "--previous-checkpoint", str(saved))
    assert result.exit_code == 1, result.output
    assert f"at position {position}" in result.output, result.output


def test_a_rewritten_history_with_a_valid_chain_is_caught_by_earlier_checkpoints(
    catalogue: TestClient, settings: Settings, tmp_path: Path
) -> None:
    _six_events(catalogue, settings)
    app = catalogue.app.state.application  # type: ignore[attr-defined]
    before = _export(catalogue, settings, tmp_path / "before.tar.gz")
    saved = tmp_path / "checkpoint"
    assert _offline(str(before), "--save-checkpoint", str(saved)).exit_code == 0
    rewrite_from_3(app)
    verdict = catalogue.get("/catalogue/v1/audit/verify", headers=auth(settings, "auditor")).json()
    assert verdict["ok"] is False
    assert "rewritten" in verdict["reason"]
    # The attacker also removes the checkpoints the server kept, and the log grows: the server
    # signs the rewritten tree, and only a checkpoint saved outside can tell.
    _sql(app, "DELETE FROM catalogue_checkpoint")
    draft(catalogue, settings, title="新的通知")
    assert catalogue.get("/catalogue/v1/audit/verify", headers=auth(settings, "auditor")).json()["ok"] is True
    after = _export(catalogue, settings, tmp_path / "after.tar.gz")
    alone = _offline(str(after))
    assert alone.exit_code == 0, alone.output  # internally valid
    against_checkpoint = _offline(str(after), "--previous-checkpoint", str(saved))
    assert against_checkpoint.exit_code == 1
    assert "rewritten" in against_checkpoint.output
    against_bundle = _offline(str(after), "--previous-checkpoint", str(before))
    assert against_bundle.exit_code == 1
    assert "at position 3" in against_bundle.output


def test_exit_codes_a_script_can_use(catalogue: TestClient, settings: Settings, tmp_path: Path) -> None:
    _six_events(catalogue, settings)
    bundle = _export(catalogue, settings, tmp_path / "log.tar.gz")
    key = tmp_path / "published.vkey"
    key.write_text(catalogue.get("/catalogue/v1/audit/keys").json()["keys"][0]["vkey"], encoding="utf-8")
    assert _offline(str(bundle), "--key", str(key)).exit_code == 0
    other = tmp_path / "other.vkey"
    other.write_text("openness.local/catalogue+00000000+AQ" + "A" * 42 + "=", encoding="utf-8")
    assert _offline(str(bundle), "--key", str(other)).exit_code == 2  # not even a valid key
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not a bundle")
    assert _offline(str(garbage)).exit_code == 2
