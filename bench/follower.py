"""Follower: assessment cold catch-up in events per second over 100,000 upstream events, and the
p95 lag from an upstream commit to the assessment having applied it under steady load (target <= 1 s).
A score query's own time at that size is reported next to it."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import SECRET, backend_env, drop_schemas, percentile, service_process
from bench.search import load
from shared.auth import issue_token
from shared.settings import Settings

UPSTREAM_EVENTS = 100_000
STEADY_WRITES = 100
STEADY_INTERVAL = 0.1


def _settings(env: dict[str, str], data_dir: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=Path(data_dir),
        database_url=env.get("OPENNESS_DATABASE_URL"),
        database_schema_prefix=env.get("OPENNESS_DATABASE_SCHEMA_PREFIX", ""),
        jwt_secret=SECRET,
    )


def _position(url: str) -> int:
    sources = httpx.get(f"{url}/assessment/v1/sources", timeout=10).json()["items"]
    return int(next(s["position"] for s in sources if s["upstream"] == "catalogue"))


def run(backend: str, events: int = UPSTREAM_EVENTS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data_dir:
        env = backend_env(backend, Path(data_dir))
        try:
            load(_settings(env, data_dir), events // 2)  # each record: drafted and published
            with service_process("catalogue", env) as (catalogue_url, _):
                follow_env = {
                    **env,
                    "OPENNESS_CATALOGUE_URL": catalogue_url,
                    "OPENNESS_FOLLOWER_BATCH_SIZE": "1000",
                    "OPENNESS_FOLLOWER_WAIT_SECONDS": "5",
                }
                started = time.perf_counter()
                with service_process("assessment", follow_env) as (assessment_url, _):
                    while _position(assessment_url) < events:
                        time.sleep(0.2)
                    catch_up = events / (time.perf_counter() - started)
                    lags = _steady(catalogue_url, assessment_url)
                    started = time.perf_counter()
                    httpx.get(
                        f"{assessment_url}/assessment/v1/scores", params={"year": 2026}, timeout=300
                    ).raise_for_status()
                    score_seconds = time.perf_counter() - started
        finally:
            drop_schemas(env)
    return {
        "backend": backend,
        "upstream_events": events,
        "catch_up_events_per_second": round(catch_up, 1),
        "lag_p50_ms": round(percentile(lags, 50), 1),
        "lag_p95_ms": round(percentile(lags, 95), 1),
        "score_query_seconds_at_this_size": round(score_seconds, 2),
    }


def _steady(catalogue_url: str, assessment_url: str) -> list[float]:
    token = issue_token(Settings(_env_file=None, jwt_secret=SECRET), sub="bench", roles=["editor"], dept="FIN")  # type: ignore[call-arg]
    lags = []
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for n in range(STEADY_WRITES):
            body = {
                "department": "FIN",
                "title": f"稳态写入{n}",
                "category": "announcement",
                "formed_on": "2026-06-01",
                "body": "正文",
            }
            client.post(f"{catalogue_url}/catalogue/v1/records", json=body).raise_for_status()
            committed = time.perf_counter()
            head = int(client.get(f"{catalogue_url}/catalogue/v1/audit/head").json()["position"])
            while _position(assessment_url) < head:
                time.sleep(0.005)
            lags.append((time.perf_counter() - committed) * 1000)
            time.sleep(STEADY_INTERVAL)
    return lags
