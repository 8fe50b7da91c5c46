"""Concurrent writers (threads and processes) never fork the chain nor leave a gap a reader skips."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import select

from services.catalogue.read_models import record
from shared.auth import Principal
from shared.settings import Settings
from tests.kernel.hammer import record_fields
from tests.support import open_application

THREADS, PER_THREAD, PROCESSES, PER_PROCESS = 4, 12, 2, 15
ROOT = Path(__file__).resolve().parents[2]


def _child_env(settings: Settings) -> dict[str, str]:
    env = {
        **os.environ,
        "OPENNESS_DATA_DIR": str(settings.data_dir),
        "OPENNESS_JWT_SECRET": settings.jwt_secret,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("OPENNESS_DATABASE_URL", None)
    if settings.database_url:
        env["OPENNESS_DATABASE_URL"] = settings.database_url
        env["OPENNESS_DATABASE_SCHEMA_PREFIX"] = settings.database_schema_prefix
    return env


def test_threads_and_processes_append_to_one_chain(settings: Settings) -> None:
    with open_application("catalogue", settings) as app:
        app.head_position()  # tables exist before the children start
        total = THREADS * PER_THREAD + PROCESSES * PER_PROCESS
        seen: list[int] = []
        done = threading.Event()
        errors: list[BaseException] = []

        def read_feed_like_a_follower() -> None:
            after = 0
            while True:
                finished = done.is_set()
                items = app.read_feed(after=after, limit=50)
                seen.extend(i.position for i in items)
                if items:
                    after = items[-1].position
                elif finished:
                    return

        def write(label: str) -> None:
            editor = Principal(sub=label, roles=frozenset({"editor"}), dept="FIN")
            try:
                for n in range(PER_THREAD):
                    app.draft_record(actor=editor, fields=record_fields(f"{label}-{n}"))
            except BaseException as error:  # surfaced below
                errors.append(error)

        reader = threading.Thread(target=read_feed_like_a_follower)
        reader.start()
        children = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.kernel.hammer", str(PER_PROCESS), f"p{i}"],
                env=_child_env(settings),
                cwd=ROOT,
            )
            for i in range(PROCESSES)
        ]
        writers = [threading.Thread(target=write, args=(f"t{i}",)) for i in range(THREADS)]
        for w in writers:
            w.start()
        for w in writers:
            w.join()
        assert [c.wait(timeout=120) for c in children] == [0] * PROCESSES
        done.set()
        reader.join(timeout=60)
        assert not errors, errors

        result = app.verify_chain()
        assert result.ok, result
        assert result.checked == total
        positions = [i.position for i in app.read_feed(after=0, limit=1000)]
        assert len(positions) == total
        assert seen == positions  # the concurrent reader saw every event, in order, none skipped
        with app.reading() as session:
            numbers = sorted(session.execute(select(record.c.index_number)).scalars())
        assert numbers == [f"FIN-2026-{n:06d}" for n in range(1, total + 1)]
