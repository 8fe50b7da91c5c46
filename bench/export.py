"""Export benchmark: seconds and RSS growth of one 100,000-row XLSX export (goal <= 50 MB growth)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.audit import _populate
from bench.common import backend_env, drop_schemas, peak_rss_mib, service_process

ROWS = 100_000


def _published(env: dict[str, str]) -> None:
    """Publish every drafted record, 1000 per transaction (only published records are exported)."""
    from datetime import UTC, datetime

    from services.catalogue.domain import Record
    from services.catalogue.main import SPEC
    from shared.persistence import Store
    from shared.settings import Settings

    settings = Settings(_env_file=None, **{k[len("OPENNESS_") :].lower(): v for k, v in env.items()})  # type: ignore[call-arg]
    store = Store("catalogue", settings)
    app = SPEC.application_class(store=store, settings=settings)
    ids = [item.stream_id for item in app.read_feed(after=0, limit=ROWS)]
    at = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)
    for start in range(0, len(ids), 1000):
        records = [app.repository.get(i) for i in ids[start : start + 1000]]
        for record in records:
            assert isinstance(record, Record)
            record.publish(at=at, by="bench")
        app.save(*records)
    store.dispose()


def run(backend: str, rows: int = ROWS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data_dir:
        env = backend_env(backend, Path(data_dir))
        try:
            _populate(env, rows)
            _published(env)
            with service_process("catalogue", env) as (url, process):
                before = peak_rss_mib(process.pid) or 0.0
                started = time.perf_counter()
                response = httpx.get(f"{url}/catalogue/v1/records/export", params={"format": "xlsx"}, timeout=600)
                seconds = time.perf_counter() - started
                response.raise_for_status()
                after = peak_rss_mib(process.pid) or 0.0
        finally:
            drop_schemas(env)
    return {
        "backend": backend,
        "rows": rows,
        "seconds": round(seconds, 1),
        "bytes": len(response.content),
        "rss_growth_mib": round(after - before, 1),
    }


if __name__ == "__main__":
    print(run("sqlite"))
