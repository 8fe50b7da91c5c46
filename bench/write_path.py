"""Write path: HTTP creates per second against the raw library appending the same events to the same store.

The ratio is the cost of everything the service puts around the store (HTTP, validation,
auth, projection, hash chain, serialised appends). Both run in one go on the same machine,
because a shared machine is noisy and only ratios taken together mean much.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.common import PG_URL, backend_env, drop_schemas, peak_rss_mib, served, service_process
from bench.floor import FIELDS, raw_application, store_url
from services.catalogue.domain import Record
from shared.auth import issue_token
from shared.settings import Settings

CREATES = 400
CONCURRENT_CREATES = 800
CLIENTS = 8  # concurrent clients against the service and against the floor


def _body(n: int) -> dict[str, Any]:
    return {
        "department": "FIN",
        "title": f"关于第{n}批财政资金公开的通知",
        "category": "budget",
        "area": "fiscal_budget",
        "formed_on": "2026-06-01",
        "body": "根据《政府信息公开条例》第二十条，现公开如下。" * 5,
    }


def http_writes(url: str, token: str, publish: bool) -> float:
    """Creates (and, with ``publish``, create+publish pairs) per second through HTTP."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        client.post("/catalogue/v1/records", json=_body(-1)).raise_for_status()  # warm up
        started = time.perf_counter()
        for n in range(CREATES):
            created = client.post("/catalogue/v1/records", json=_body(n))
            created.raise_for_status()
            if publish:
                client.post(f"/catalogue/v1/records/{created.json()['id']}/publish").raise_for_status()
        return CREATES / (time.perf_counter() - started)


def raw_appends(env: dict[str, str], publish: bool) -> float:
    """The library alone, in this process, one save after another."""
    app = raw_application(store_url(env, PG_URL))
    app.save(Record(title="warm up", body="", index_number="warm", **FIELDS))
    started = time.perf_counter()
    for n in range(CREATES):
        body = _body(n)
        record = Record(title=body["title"], body=body["body"], index_number=f"RAW-{publish}-{n}", **FIELDS)
        app.save(record)
        if publish:
            record.publish(at=datetime.now(UTC), by="bench")
            app.save(record)
    rate = CREATES / (time.perf_counter() - started)
    app.factory.close()
    return rate


def concurrent_posts(url: str, path: str, token: str | None, bodies: list[dict[str, Any]]) -> float:
    """Posts per second from ``CLIENTS`` clients at once, each with its own connection."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    shares = [bodies[i::CLIENTS] for i in range(CLIENTS)]

    def client(share: list[dict[str, Any]]) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            for body in share:
                http.post(path, json=body).raise_for_status()

    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        http.post(path, json=bodies[0]).raise_for_status()  # warm up
    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, shares))
    return len(bodies) / (time.perf_counter() - started)


@contextmanager
def floor_process(env: dict[str, str]) -> Iterator[str]:
    """``bench.floor`` under uvicorn, on the catalogue's store."""
    arguments = ["-m", "uvicorn", "--factory", "bench.floor:create_app", "--log-level", "warning"]
    with served(arguments, {**env, "FLOOR_STORE_URL": store_url(env, PG_URL)}, "/docs", name="the floor") as (url, _):
        yield url


def _concurrent_bodies(tag: str) -> list[dict[str, Any]]:
    return [{**_body(n), "index_number": f"{tag}-{n}"} for n in range(CONCURRENT_CREATES)]


def run(backend: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data_dir:
        env = backend_env(backend, Path(data_dir))
        try:
            token = issue_token(
                Settings(_env_file=None, jwt_secret=env["OPENNESS_JWT_SECRET"]),
                sub="bench",
                roles=["editor"],
                dept="FIN",
            )  # type: ignore[call-arg]
            with service_process("catalogue", env) as (url, process):
                concurrent_http = concurrent_posts(
                    url, "/catalogue/v1/records", token, [_body(n) for n in range(CONCURRENT_CREATES)]
                )
                with floor_process(env) as floor_url:
                    floor = concurrent_posts(floor_url, "/floor/records", None, _concurrent_bodies("FLOOR"))
                http_rate = http_writes(url, token, publish=False)
                http_pair_rate = http_writes(url, token, publish=True)
                rss = peak_rss_mib(process.pid)
                started = time.perf_counter()
                verified = httpx.get(
                    f"{url}/catalogue/v1/audit/verify",
                    headers={
                        "Authorization": f"Bearer {issue_token(Settings(_env_file=None, jwt_secret=env['OPENNESS_JWT_SECRET']), sub='bench', roles=['auditor'])}"
                    },
                    timeout=120,
                ).json()  # type: ignore[call-arg]
                verify_rate = verified["checked"] / (time.perf_counter() - started)
            raw_rate = raw_appends(env, publish=False)
            raw_pair_rate = raw_appends(env, publish=True)
        finally:
            drop_schemas(env)
    return {
        "backend": backend,
        "creates": CREATES,
        "concurrent_clients": CLIENTS,
        "floor_creates_per_second": round(floor, 1),
        "http_creates_per_second_concurrent": round(concurrent_http, 1),
        "ratio_to_floor": round(concurrent_http / floor, 3),
        "http_creates_per_second": round(http_rate, 1),
        "raw_library_appends_per_second": round(raw_rate, 1),
        "ratio_http_to_raw": round(http_rate / raw_rate, 3),
        "http_create_publish_per_second": round(http_pair_rate, 1),
        "raw_library_create_publish_per_second": round(raw_pair_rate, 1),
        "ratio_create_publish_http_to_raw": round(http_pair_rate / raw_pair_rate, 3),
        "audit_verify_events_per_second": round(verify_rate, 1),
        "catalogue_peak_rss_mib": rss,
    }
