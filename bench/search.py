"""Read path: record by id and Chinese search latency (p50, p95) at 100,000 records; target p95 <= 50 ms.

Records are loaded through the catalogue application itself (events, chain, projection and
search index exactly as the service writes them), in batches, then queried over HTTP.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from bench.common import backend_env, drop_schemas, percentile, service_process
from services.catalogue.domain import Record
from shared.settings import Settings
from tests.support import open_application

RECORDS = 100_000
BATCH = 500
QUERIES = 300
SUBJECTS = [
    "财政预算",
    "义务教育",
    "医疗卫生",
    "公共资源交易",
    "环境保护",
    "农业补贴",
    "体育场馆",
    "养老服务",
    "住房保障",
    "交通运输",
]
VERBS = ["公开", "通知", "实施意见", "管理办法", "工作方案", "情况报告", "公示", "监督检查"]
DEPARTMENTS = ["FIN", "EDU", "HEALTH", "PRTC", "ENV", "AGR", "SPORT", "CIV", "HOUSING", "TRANSPORT"]
SEARCHES = [
    "公开",
    "预算",
    "教育",
    "医疗",
    "交易",
    "环境 保护",
    "农业 补贴",
    "养老",
    "住房 保障",
    "监督 检查",
    "通知",
    "管理办法",
]


def _fields(n: int, rng: random.Random) -> dict[str, Any]:
    subject, verb = rng.choice(SUBJECTS), rng.choice(VERBS)
    return {
        "department": rng.choice(DEPARTMENTS),
        "title": f"关于{subject}{verb}的第{n}号文件",
        "category": "announcement",
        "area": "other",
        "item_code": None,
        "doc_number": f"某发〔2026〕{n}号",
        "formed_on": date(2026, 1 + n % 12, 1 + n % 28),
        "body": f"为做好{subject}工作，根据有关规定，现就{verb}事项说明如下。" * 3,
        "attachments": [],
        "disclosure": "proactive",
        "withheld_reason": None,
        "needs_interpretation": False,
        "index_number": f"BENCH-{n:07d}",
        "drafted_by": "bench",
    }


def load(settings: Settings, count: int) -> float:
    rng = random.Random(7)
    started = time.perf_counter()
    with open_application("catalogue", settings) as app:
        for start in range(0, count, BATCH):
            records = [Record.draft(**_fields(n, rng)) for n in range(start, min(count, start + BATCH))]
            now = time.time()
            for record in records:
                record.publish(at=_utc(now), by="bench")
            app.save(*records)
    return time.perf_counter() - started


def _utc(seconds: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC)


def measure(url: str, ids: list[str]) -> dict[str, float]:
    rng = random.Random(11)
    by_id, search = [], []
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(QUERIES):
            started = time.perf_counter()
            client.get(f"/catalogue/v1/records/{rng.choice(ids)}").raise_for_status()
            by_id.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            client.get("/catalogue/v1/records", params={"q": rng.choice(SEARCHES), "limit": 20}).raise_for_status()
            search.append((time.perf_counter() - started) * 1000)
    return {
        "record_by_id_p50_ms": round(percentile(by_id, 50), 2),
        "record_by_id_p95_ms": round(percentile(by_id, 95), 2),
        "search_p50_ms": round(percentile(search, 50), 2),
        "search_p95_ms": round(percentile(search, 95), 2),
    }


def run(backend: str, count: int = RECORDS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data_dir:
        env = backend_env(backend, Path(data_dir))
        try:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                data_dir=Path(data_dir),
                database_url=env.get("OPENNESS_DATABASE_URL"),
                database_schema_prefix=env.get("OPENNESS_DATABASE_SCHEMA_PREFIX", ""),
                jwt_secret=env["OPENNESS_JWT_SECRET"],
            )
            load_seconds = load(settings, count)
            with open_application("catalogue", settings) as app:
                ids = [item.stream_id for item in app.read_feed(after=0, limit=1000)]
            with service_process("catalogue", env) as (url, _):
                figures = measure(url, ids)
        finally:
            drop_schemas(env)
    return {"backend": backend, "records": count, "load_seconds": round(load_seconds, 1), **figures}
