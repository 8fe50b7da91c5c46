"""Shared helpers for benchmarks: a service process, timing, results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from tests.e2e.processes import free_port

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get("OPENNESS_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET = "bench-secret-that-is-long-enough-for-hs256"


def postgres_reachable() -> bool:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def backend_env(backend: str, data_dir: Path) -> dict[str, str]:
    env = {"OPENNESS_DATA_DIR": str(data_dir), "OPENNESS_JWT_SECRET": SECRET, "OPENNESS_LOG_LEVEL": "WARNING"}
    if backend == "postgres":
        env["OPENNESS_DATABASE_URL"] = PG_URL
        env["OPENNESS_DATABASE_SCHEMA_PREFIX"] = f"b{uuid.uuid4().hex[:8]}_"
    return env


def drop_schemas(env: dict[str, str]) -> None:
    prefix = env.get("OPENNESS_DATABASE_SCHEMA_PREFIX")
    if not prefix:
        return
    engine = create_engine(PG_URL)
    with engine.begin() as connection:
        for name in (
            connection.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": prefix + "%"})
            .scalars()
            .all()
        ):
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


@contextmanager
def service_process(service: str, env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``openness serve <service>`` on a free port, once its ``/readyz`` answers 200."""
    with served(["-m", "shared.cli", "serve", service], env, "/readyz", name=service) as started:
        yield started


@contextmanager
def served(
    arguments: list[str], env: dict[str, str], ready_path: str, *, name: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``python <arguments> --port <free port>`` with ``env`` (and none of this process's
    OPENNESS_ settings), once ``ready_path`` answers 200 (within a minute, or it fails)."""
    port = free_port()
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OPENNESS_")},
        **env,
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, *arguments, "--port", str(port)],
        env=full_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}{ready_path}", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} was not ready at {url}{ready_path} within a minute")
            time.sleep(0.1)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=15)


def peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))
    return ordered[index]


def write_results(name: str, results: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
