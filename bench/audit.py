"""Audit benchmarks: offline verification of a large log, and checkpoint/proof latency.

Verification reads a bundle's ``events.jsonl`` as an auditor would (parse each line, recompute
its link and its Merkle leaf) and is reported in events per second over 1,000,000 events
(goal >= 200,000/s on the 2-core machine). Checkpoints and proofs are timed on a service
store holding a log of 100,000 events.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from shared import merkle
from shared.chain import CHAIN_FORMAT, GENESIS_HASH, Hasher, leaf_of
from shared.signednote import Checkpoint
from shared.verify import default_workers, verify_events

EVENTS = 1_000_000
STORE_EVENTS = 100_000


def synthetic_log(path: Path, count: int, algorithm: str = "sm3") -> Checkpoint:
    """``count`` realistic feed items with valid links, written as events.jsonl; its checkpoint."""
    hasher, tree, prev = Hasher(algorithm), merkle.RootBuilder(), GENESIS_HASH
    start = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        for position in range(1, count + 1):
            at = start + timedelta(seconds=position)
            item: dict[str, Any] = {
                "position": position,
                "event_id": str(uuid.UUID(int=position)),
                "stream_id": str(uuid.UUID(int=position // 3 + 1)),
                "stream_version": position % 3 + 1,
                "type": "catalogue.RecordPublished" if position % 3 else "catalogue.RecordDrafted",
                "schema_version": 1,
                "occurred_at": at.astimezone(UTC).isoformat(),
                "recorded_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "data": {
                    "department": "FIN",
                    "title": f"关于2026年第{position}号财政预算公开的通知",
                    "formed_on": "2026-03-02",
                    "published_at": at.isoformat(),
                    "published_by": "editor-fin",
                },
                "prev_hash": prev,
                "chain_format": CHAIN_FORMAT,
                "redacted": False,
            }
            item["hash"] = prev = hasher.link(prev, item, CHAIN_FORMAT)
            tree.add(leaf_of(prev))
            out.write(json.dumps(item, ensure_ascii=False))
            out.write("\n")
    return Checkpoint("openness.local/catalogue", count, tree.root())


def offline_verification(count: int = EVENTS) -> dict[str, Any]:
    """As ``openness audit verify`` reads a bundle: raw lines, checked by the default workers."""
    workers = default_workers()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.jsonl"
        checkpoint = synthetic_log(path, count)
        started = time.perf_counter()
        with path.open("rb") as lines:
            report = verify_events(lines, algorithm="sm3", checkpoint=checkpoint, workers=workers)
        seconds = time.perf_counter() - started
    assert report.ok, report
    return {
        "events": count,
        "workers": workers,
        "seconds": round(seconds, 2),
        "events_per_second": round(count / seconds),
    }


def proofs(count: int = STORE_EVENTS) -> dict[str, Any]:
    """A store's tree of ``count`` leaves, built by the same appends the recorder makes."""
    nodes: dict[merkle.Node, bytes] = {}
    size = 0
    for start in range(0, count, 500):
        batch = [merkle.leaf_hash(i.to_bytes(8, "big")) for i in range(start, min(start + 500, count))]
        nodes.update(merkle.append(size, batch, {n: nodes[n] for n in merkle.frontier(size)}))
        size += len(batch)
    tree = merkle.Tree(lambda keys: {k: nodes[k] for k in keys})
    timings: dict[str, list[float]] = {"root": [], "inclusion": [], "consistency": []}
    for n in range(200):
        index = (n * 7919) % count
        for name, call in (
            ("root", lambda: tree.root(count)),
            ("inclusion", lambda index=index: tree.inclusion_proof(index, count)),
            ("consistency", lambda index=index: tree.consistency_proof(index + 1, count)),
        ):
            started = time.perf_counter()
            call()
            timings[name].append((time.perf_counter() - started) * 1000)
    return {
        "tree_size": count,
        **{f"{name}_p95_ms": round(statistics.quantiles(t, n=20)[-1], 3) for name, t in timings.items()},
    }


def run() -> dict[str, Any]:
    return {"offline_verification": offline_verification(), "tree_in_memory": proofs()}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))


SERVED_EVENTS = 20_000


def _populate(env: dict[str, str], count: int) -> None:
    """``count`` record drafts through the catalogue's own application, 500 per transaction."""
    from services.catalogue.domain import Record
    from services.catalogue.main import SPEC
    from shared import migrations
    from shared.persistence import Store
    from shared.settings import Settings

    settings = Settings(_env_file=None, **{k[len("OPENNESS_") :].lower(): v for k, v in env.items()})  # type: ignore[call-arg]
    store = Store("catalogue", settings)
    migrations.upgrade(store)
    app = SPEC.application_class(store=store, settings=settings)
    fields = {
        "department": "FIN",
        "category": "announcement",
        "area": "other",
        "item_code": None,
        "doc_number": None,
        "formed_on": datetime(2026, 6, 1).date(),
        "attachments": [],
        "disclosure": "proactive",
        "withheld_reason": None,
        "needs_interpretation": False,
        "drafted_by": "bench",
    }
    for start in range(0, count, 500):
        records = [
            Record(title=f"关于第{n}号事项的通知", body="正文", index_number=f"FIN-2026-{n:06d}", **fields)
            for n in range(start, min(start + 500, count))
        ]
        app.save(*records)
    store.dispose()


def served(backend: str, count: int = SERVED_EVENTS) -> dict[str, Any]:
    """p95 latency of /audit/checkpoint and the proofs, over HTTP, on a store of ``count`` events."""
    from bench.common import backend_env, drop_schemas, service_process

    with tempfile.TemporaryDirectory() as data_dir:
        env = backend_env(backend, Path(data_dir))
        try:
            _populate(env, count)
            with (
                service_process("catalogue", env) as (url, _),
                httpx.Client(base_url=f"{url}/catalogue/v1/audit") as client,
            ):
                timings: dict[str, list[float]] = {"checkpoint": [], "inclusion": [], "consistency": []}
                for n in range(200):
                    for name, path, params in (
                        ("checkpoint", "/checkpoint", {}),
                        ("inclusion", "/proof/inclusion", {"position": (n * 7919) % count + 1}),
                        ("consistency", "/proof/consistency", {"from": (n * 7919) % count + 1}),
                    ):
                        started = time.perf_counter()
                        client.get(path, params=params).raise_for_status()
                        timings[name].append((time.perf_counter() - started) * 1000)
        finally:
            drop_schemas(env)
    return {
        "backend": backend,
        "events": count,
        **{f"{name}_p95_ms": round(statistics.quantiles(t, n=20)[-1], 2) for name, t in timings.items()},
    }
