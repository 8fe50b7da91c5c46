"""A backup restores into a fresh store and proves itself there (docs/operations.md): the drill
script restores, rebuilds and verifies every service against the checkpoint signed at backup time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from shared.settings import SERVICES, Settings
from tests.assessment.world_builder import build_year, city
from tests.e2e.processes import ROOT, free_port
from tests.support import PG_URL, drop_schemas, open_application

OPENNESS = Path(sys.executable).parent / "openness"
DRILL = ROOT / "deploy" / "restore-drill.sh"


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENNESS_")}
    env.update(
        OPENNESS_DATA_DIR=str(settings.data_dir),
        OPENNESS_JWT_SECRET=settings.jwt_secret,
        OPENNESS_LOG_LEVEL="WARNING",
        OPENNESS=str(OPENNESS),
        PYTHONPATH=str(ROOT),
        **extra,
    )
    if settings.database_url:
        env["OPENNESS_DATABASE_URL"] = settings.database_url
        env["OPENNESS_DATABASE_SCHEMA_PREFIX"] = settings.database_schema_prefix
    return env


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def fresh_target(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Where the backup is restored: a new data directory, or a new PostgreSQL database."""
    if not settings.database_url:
        yield settings.model_copy(update={"data_dir": tmp_path / "restored"})
        return
    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield settings.model_copy(update={"database_url": PG_URL.rsplit("/", 1)[0] + f"/{name}"})
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_restores_into_a_fresh_store_and_proves_itself(
    settings: Settings, fresh_target: Settings, tmp_path: Path
) -> None:
    with city(settings) as c:
        build_year(c)
        c.follow()
    out = tmp_path / "backup"
    made = _run([str(OPENNESS), "backup", str(out)], _env(settings))
    assert made.returncode == 0, made.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["services"]) == set(SERVICES)
    assert manifest["services"]["catalogue"]["tree_size"] > 10

    ports = {f"OPENNESS_{s.upper()}_PORT": str(free_port()) for s in SERVICES}
    drill = _run(["bash", str(DRILL), str(out)], _env(fresh_target, **ports))
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert "restore drill passed" in drill.stdout
    for service in SERVICES:
        assert f"== verify {service}" in drill.stdout
    with open_application("catalogue", fresh_target) as restored:
        assert restored.tree_size() == manifest["services"]["catalogue"]["tree_size"]
        assert restored.verify_chain().ok

    again = _run([str(OPENNESS), "restore", str(out)], _env(fresh_target))
    assert again.returncode == 1  # a store that exists is not overwritten without --force
    assert "already has a store here" in again.stderr
    drop_schemas(fresh_target)


def test_a_tampered_backup_fails_the_drill(settings: Settings, fresh_target: Settings, tmp_path: Path) -> None:
    if settings.database_url:
        pytest.skip("the tampering edits a SQLite file; the drill's checks are the same on PostgreSQL")
    with city(settings) as c:
        build_year(c)
    out = tmp_path / "backup"
    assert _run([str(OPENNESS), "backup", str(out), "--service", "catalogue"], _env(settings)).returncode == 0
    import sqlite3

    with sqlite3.connect(out / "catalogue.sqlite3") as db:  # rewrite history inside the backup
        db.execute("DELETE FROM catalogue_events WHERE id = 3")
    drill = _run(["bash", str(DRILL), str(out)], _env(fresh_target, OPENNESS_CATALOGUE_PORT=str(free_port())))
    assert drill.returncode != 0
    assert "restore drill passed" not in drill.stdout
    assert "catalogue: not rebuilt, its log is broken at position 3" in drill.stderr
