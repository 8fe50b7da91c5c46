"""Webhook delivery: events per second to one fast receiver on loopback (goal >= 500/s) and the
p95 from a write's commit to its delivery (goal <= 500 ms)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.audit import _populate
from bench.common import backend_env, drop_schemas, percentile, service_process
from shared.auth import issue_token
from shared.settings import Settings
from tests.catalogue.builders import record_body
from tests.webhook_receiver import Receiver

EVENTS, WRITES = 5000, 60


def _until(check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.005)


def run(backend: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data_dir, Receiver() as receiver:
        env = backend_env(backend, Path(data_dir))
        env["OPENNESS_WEBHOOK_ALLOW_PRIVATE"] = "true"
        settings = Settings(_env_file=None, jwt_secret=env["OPENNESS_JWT_SECRET"])  # type: ignore[call-arg]
        platform = {"Authorization": f"Bearer {issue_token(settings, sub='province', roles=['platform'])}"}
        editor = {"Authorization": f"Bearer {issue_token(settings, sub='bench', roles=['editor'], dept='FIN')}"}
        arrived: dict[str, float] = {}
        accept = receiver.accept

        def timed_accept(body: bytes, headers: dict[str, str]) -> int:
            status = accept(body, headers)
            arrived.setdefault(headers["webhook-id"], time.perf_counter())
            return status

        receiver.accept = timed_accept  # type: ignore[method-assign]
        try:
            with service_process("catalogue", env) as (url, _), httpx.Client(timeout=30) as client:
                created = client.post(f"{url}/catalogue/v1/webhooks", json={"url": receiver.url}, headers=platform)
                receiver.secret = created.json()["secret"]
            _populate(env, EVENTS)  # while the service is down: it delivers them all when it is back
            with service_process("catalogue", env) as (url, _), httpx.Client(timeout=30) as client:
                _until(lambda: len(receiver.events) >= EVENTS, timeout=600)
                times = sorted(arrived.values())
                throughput = len(times) / (times[-1] - times[0])  # from the first delivery to the last
                latencies = []
                for n in range(WRITES):
                    response = client.post(
                        f"{url}/catalogue/v1/records", json=record_body(title=f"延迟{n}"), headers=editor
                    )
                    committed = time.perf_counter()
                    record_id = response.json()["id"]
                    _until(
                        lambda rid=record_id: any(e["subject"] == rid for e in list(receiver.events.values())[-5:]), 10
                    )
                    event_id = next(k for k, e in receiver.events.items() if e["subject"] == record_id)
                    latencies.append((arrived[event_id] - committed) * 1000)
        finally:
            drop_schemas(env)
    return {
        "backend": backend,
        "events": EVENTS,
        "delivered_per_second": round(throughput),
        "commit_to_delivery_p50_ms": round(percentile(latencies, 50), 1),
        "commit_to_delivery_p95_ms": round(percentile(latencies, 95), 1),
    }


if __name__ == "__main__":
    for backend in ("sqlite", "postgres"):
        print(run(backend))
