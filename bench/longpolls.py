"""500 long polls waiting on one service: p95 of /readyz and of a record create meanwhile,
against the same figures with no poll waiting (api.md: waiting polls leave them "within their
usual time")."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import backend_env, drop_schemas, percentile, service_process
from shared.auth import issue_token
from shared.settings import Settings
from tests.catalogue.builders import record_body
from tests.faults.crowd import Crowd, crowd_client, reader_headers, until_waiting

POLLS, READERS, PROBES = 500, 25, 60


def _probe(url: str, editor: dict[str, str]) -> tuple[list[float], list[float]]:
    """PROBES readiness checks and PROBES creates, one at a time, in milliseconds."""
    readyz, writes = [], []
    with httpx.Client(timeout=60) as client:
        for n in range(PROBES):
            started = time.perf_counter()
            client.get(f"{url}/readyz").raise_for_status()
            readyz.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            created = client.post(f"{url}/catalogue/v1/records", json=record_body(title=f"基准{n}"), headers=editor)
            writes.append((time.perf_counter() - started) * 1000)
            assert created.status_code == 201, created.text
    return readyz, writes


async def _with_crowd(url: str, settings: Settings, editor: dict[str, str]) -> tuple[list[float], list[float]]:
    async with crowd_client(url, POLLS, wait=25) as client:
        # Readers waiting for revocations: the creates below wake them, and they wait again.
        crowd = Crowd(client, "catalogue", reader_headers(settings, READERS, POLLS // READERS), wait=25)
        crowd.types = "catalogue.RecordRevoked"
        crowd.start()
        try:
            waiting = await until_waiting(client, "catalogue", POLLS)
            assert waiting == POLLS, (waiting, crowd.errors[:3])
            return await asyncio.to_thread(_probe, url, editor)
        finally:
            await crowd.stop()


def run(backend: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data_dir:
        env = backend_env(backend, Path(data_dir))
        settings = Settings(_env_file=None, jwt_secret=env["OPENNESS_JWT_SECRET"])  # type: ignore[call-arg]
        editor = {"Authorization": f"Bearer {issue_token(settings, sub='bench', roles=['editor'], dept='FIN')}"}
        env["OPENNESS_FEED_MAX_WAIT_SECONDS"] = "25"
        try:
            with service_process("catalogue", env) as (url, _):
                quiet_readyz, quiet_writes = _probe(url, editor)
                busy_readyz, busy_writes = asyncio.run(_with_crowd(url, settings, editor))
        finally:
            drop_schemas(env)
    return {
        "backend": backend,
        "polls": POLLS,
        "readyz_p95_ms": round(percentile(busy_readyz, 95), 1),
        "write_p95_ms": round(percentile(busy_writes, 95), 1),
        "readyz_p95_ms_no_polls": round(percentile(quiet_readyz, 95), 1),
        "write_p95_ms_no_polls": round(percentile(quiet_writes, 95), 1),
    }


if __name__ == "__main__":
    for backend in ("sqlite", "postgres"):
        print(run(backend))
