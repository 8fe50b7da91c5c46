"""Write path: HTTP creates per second against the raw library appending the same events to the same store.

The ratio is the cost of everything the service puts around the store (HTTP, validation,
auth, projection, hash chain, serialised appends). Both run in one go on the same machine,
because a shared machine is noisy and only ratios taken together mean much.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from eventsourcing.application import Application

from bench.common import PG_URL, backend_env, drop_schemas, peak_rss_mib, service_process
from services.catalogue.domain import Record
from shared.application import DateAsISO
from shared.auth import issue_token
from shared.settings import Settings

CREATES = 400


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


class RawApplication(Application):
    """The library alone: same aggregate, same events, same database, its own table."""

    name = "benchraw"

    def register_transcodings(self, transcoder: Any) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def raw_appends(env: dict[str, str], publish: bool) -> float:
    if "OPENNESS_DATABASE_URL" in env:
        schema = env["OPENNESS_DATABASE_SCHEMA_PREFIX"] + "catalogue"
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{Path(env['OPENNESS_DATA_DIR']).resolve() / 'catalogue.sqlite3'}"
    app = RawApplication(env={"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": url})
    fields = {
        "department": "FIN",
        "category": "budget",
        "area": "fiscal_budget",
        "item_code": None,
        "doc_number": None,
        "formed_on": date(2026, 6, 1),
        "attachments": [],
        "disclosure": "proactive",
        "withheld_reason": None,
        "needs_interpretation": False,
        "drafted_by": "bench",
    }
    app.save(Record(title="warm up", body="", index_number="warm", **fields))
    started = time.perf_counter()
    for n in range(CREATES):
        body = _body(n)
        record = Record(title=body["title"], body=body["body"], index_number=f"RAW-{publish}-{n}", **fields)
        app.save(record)
        if publish:
            record.publish(at=datetime.now(UTC), by="bench")
            app.save(record)
    rate = CREATES / (time.perf_counter() - started)
    app.factory.close()
    return rate


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
        "http_creates_per_second": round(http_rate, 1),
        "raw_library_appends_per_second": round(raw_rate, 1),
        "ratio_http_to_raw": round(http_rate / raw_rate, 3),
        "http_create_publish_per_second": round(http_pair_rate, 1),
        "raw_library_create_publish_per_second": round(raw_pair_rate, 1),
        "ratio_create_publish_http_to_raw": round(http_pair_rate / raw_pair_rate, 3),
        "audit_verify_events_per_second": round(verify_rate, 1),
        "catalogue_peak_rss_mib": rss,
    }
