"""Backups of the services' stores and their restore (docs/operations.md).

A backup is a directory: per service the store (SQLite: a copy made with SQLite's online backup,
consistent while the service writes; PostgreSQL: ``pg_dump`` of the service's schema, custom
format) and the signed checkpoint the log had just before the copy was taken, plus
``manifest.json``. A restored store is proved good by ``openness rebuild`` (every event replays
into fresh read models) and ``openness audit verify <url> --previous-checkpoint
<backup>/<service>.checkpoint`` (every link and the Merkle root check, and the restored log still
extends what the log had signed when the backup was taken).
"""

from __future__ import annotations

import importlib
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from shared.persistence import Store
from shared.settings import Settings
from shared.timeutil import format_recorded_at, utcnow

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(RuntimeError):
    """A backup or restore that cannot (or must not) go ahead; the message says why."""


@dataclass(frozen=True)
class Saved:
    service: str
    file: str
    tree_size: int
    head_position: int
    head_hash: str


def _libpq_url(store: Store) -> str:
    """The store's URL as pg_dump and pg_restore take it (no SQLAlchemy driver name)."""
    return make_url(store.url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (the PostgreSQL client programs are needed)") from error
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (its WAL included), by SQLite's backup API."""
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def backup(
    settings: Settings, out: Path, services: list[str], on_saved: Callable[[Saved], None] = lambda _: None
) -> dict[str, Any]:
    """Back up ``services`` into the new directory ``out``; return the manifest written there."""
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: a backup goes into a new directory")
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": format_recorded_at(utcnow()),
        "store": "postgresql" if settings.database_url else "sqlite",
        "services": {},
    }
    for service in services:
        store = Store(service, settings)
        try:
            saved = _backup_one(service, store, settings, out)
        finally:
            store.dispose()
        manifest["services"][service] = {
            "file": saved.file,
            "schema": store.schema,
            "tree_size": saved.tree_size,
            "head_position": saved.head_position,
            "head_hash": saved.head_hash,
            "checkpoint": f"{service}.checkpoint",
        }
        on_saved(saved)
    if settings.log_key_file is None and (settings.data_dir / "log-key.pem").exists():
        # The development key lives beside the data; a configured key is kept by its owner.
        shutil.copy2(settings.data_dir / "log-key.pem", out / "log-key.pem")
        (out / "log-key.pem").chmod(0o600)
        manifest["log_key"] = "log-key.pem"
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def _backup_one(service: str, store: Store, settings: Settings, out: Path) -> Saved:
    if not inspect(store.engine).has_table(f"{service}_chain"):
        raise BackupError(f"{service} has no store here yet (nothing to back up)")
    spec = importlib.import_module(f"services.{service}.main").SPEC
    application = spec.application_class(store=store, settings=settings)
    # Signed before the copy: the copy holds at least this, so the restored log must extend it.
    checkpoint, note = application.checkpoint()
    position, head_hash = application.chain_head()
    (out / f"{service}.checkpoint").write_text(note, encoding="utf-8")
    if store.sqlite_path is not None:
        file = f"{service}.sqlite3"
        _sqlite_copy(store.sqlite_path, out / file)
    else:
        file = f"{service}.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", f"--schema={store.schema}", f"--file={out / file}",
              _libpq_url(store)])  # fmt: skip
    return Saved(service, file, checkpoint.size, position, head_hash)


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} is not a backup: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: backup format {manifest.get('format')!r}, this version reads {FORMAT}")
    return manifest


def restore(settings: Settings, source: Path, *, force: bool = False) -> list[str]:
    """Restore every service of the backup ``source`` into the configured store; the services
    restored. Refuses to overwrite a service's existing store unless ``force``."""
    manifest = read_manifest(source)
    kind = "postgresql" if settings.database_url else "sqlite"
    if manifest["store"] != kind:
        raise BackupError(f"the backup is of {manifest['store']} and the configured store is {kind}")
    if "log_key" in manifest and settings.log_key_file is None:
        _restore_key(source / manifest["log_key"], settings.data_dir / "log-key.pem", force=force)
    restored = []
    for service, saved in manifest["services"].items():
        store = Store(service, settings)
        try:
            _restore_one(service, store, source / saved["file"], saved.get("schema"), force=force)
        finally:
            store.dispose()
        restored.append(service)
    return restored


def _restore_key(key: Path, target: Path, *, force: bool) -> None:
    if target.exists() and target.read_bytes() != key.read_bytes() and not force:
        raise BackupError(f"{target} holds another log key (--force replaces it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(key, target)
    target.chmod(0o600)


def _restore_one(service: str, store: Store, file: Path, schema: str | None, *, force: bool) -> None:
    exists = inspect(store.engine).has_table(f"{service}_chain")
    if exists and not force:
        raise BackupError(f"{service} already has a store here (--force replaces it)")
    if store.sqlite_path is not None:
        store.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{store.sqlite_path}{suffix}").unlink(missing_ok=True)
        store.sqlite_path.unlink(missing_ok=True)
        _sqlite_copy(file, store.sqlite_path)
        return
    if schema != store.schema:
        raise BackupError(
            f"{service} was backed up from schema {schema!r}; set OPENNESS_DATABASE_SCHEMA_PREFIX so that it is "
            f"restored into the same schema (here it would be {store.schema!r})"
        )
    with store.engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{store.schema}" CASCADE')
    _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq_url(store)}", str(file)])
