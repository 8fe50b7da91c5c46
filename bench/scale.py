"""``make bench-scale``: growth curves at a realistic city history.

A city history (the demo's mix: records drafted and published, information requests received
and replied, catalogue items, interpretations, public-opinion incidents with responses;
departments of the default file) is written through the applications (not HTTP), growing to
each size in turn (events per upstream service; ``SCALE_SIZES``, default 100k, 300k, 1M). At
each size the services are started as processes and measured from outside:

- league (``GET /scores``) and one department's breakdown, live and at a past ``as_of`` (p50/p95);
- search, record by id and the list of records newest first (p95), a feed page (p95);
- a cold assessment following the three feeds (events/s), a catalogue rebuild (events/s),
  chain verification (events/s);
- disk bytes per event, peak RSS per service.

It prints each figure with the exponent of its growth between consecutive sizes
(``log(cost2/cost1) / log(n2/n1)``: 0 is flat, 1 is linear) and writes
``bench/results/scale-<backend>-<stamp>.json``.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import bindparam, create_engine, func, select, text

from bench.common import (
    PG_URL,
    SECRET,
    backend_env,
    drop_schemas,
    peak_rss_mib,
    percentile,
    postgres_reachable,
    service_process,
    write_results,
)
from bench.search import SEARCHES, SUBJECTS, VERBS
from services.assessment.read_models import fact, tally_snapshot
from shared.audit_cli import progress_bar
from shared.auth import Principal, issue_token
from shared.departments import Departments
from shared.settings import Settings
from tests.support import open_application

SIZES = [int(s) for s in os.environ.get("SCALE_SIZES", "100000,300000,1000000").split(",")]
QUERIES = int(os.environ.get("SCALE_QUERIES", "60"))
BATCH = 200  # application calls per transaction while generating
YEAR_START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
YEAR_SPAN = timedelta(days=320)
UPSTREAMS = ("catalogue", "interpretation", "opinion")
OFFICE = Principal(sub="bench-office", roles=frozenset({"office", "editor", "head"}), dept=None)


@contextmanager
def _bar(total: int, description: str) -> Iterator[Callable[[int], None]]:
    with progress_bar(time_remaining=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.update(task, advance=n)


def _editor(dept: str) -> Principal:
    return Principal(sub=f"bench-{dept}", roles=frozenset({"editor", "head"}), dept=dept)


class History:
    """A city's history written through the applications, resumable to any larger size."""

    def __init__(self, settings: Settings, departments: list[str]) -> None:
        self.settings, self.departments = settings, departments
        self.rng = random.Random(2026)
        self.written = dict.fromkeys(UPSTREAMS, 0)
        self.policies: list[tuple[str, str]] = []  # (record id, department) of published policies

    def moment(self, done: int, size: int) -> datetime:
        return YEAR_START + YEAR_SPAN * (done / max(size, 1))

    def grow(self, size: int) -> None:
        for service, write in (
            ("catalogue", self._catalogue),
            ("interpretation", self._interpretations),
            ("opinion", self._opinion),
        ):
            with (
                open_application(service, self.settings) as app,
                _bar(size - self.written[service], f"{service} to {size:,} events") as advance,
            ):
                while self.written[service] < size:
                    before = app.head_position()
                    moment = self.moment(self.written[service], size)
                    app.clock = lambda moment=moment: moment
                    with app.transaction():
                        for _ in range(BATCH):
                            write(app, moment)
                    added = app.head_position() - before
                    self.written[service] += added
                    advance(added)

    # --- one piece of each service's daily work -----------------------------------------------

    def _catalogue(self, app: Any, at: datetime) -> None:
        rng, dept = self.rng, self.rng.choice(self.departments)
        roll = rng.random()
        if roll < 0.02:
            code = f"B{rng.randrange(10**9):09d}"
            app.register_item(actor=_editor(dept), fields=_item_fields(code, dept))
        elif roll < 0.62:
            subject, verb = rng.choice(SUBJECTS), rng.choice(VERBS)
            formed = (at - timedelta(days=rng.randint(0, 30))).date()
            policy = rng.random() < 0.3
            record = app.draft_record(actor=_editor(dept), fields=_record_fields(dept, subject, verb, formed, policy))
            if rng.random() < 0.9:
                app.publish_record(record.id, actor=_editor(dept), expected_version=None)
                if policy:
                    self.policies.append((str(record.id), dept))
        else:
            received = (at - timedelta(days=rng.randint(0, 25))).date()
            request = app.receive_request(actor=_editor(dept), fields=_request_fields(dept, received))
            if rng.random() < 0.8:
                app.act_on_request(
                    request.id,
                    actor=_editor(dept),
                    expected_version=None,
                    verb="replied",
                    on=min(at.date(), received + timedelta(days=rng.randint(1, 40))),
                    outcome="granted",
                    reason=None,
                )

    def _interpretations(self, app: Any, at: datetime) -> None:
        from services.interpretation.domain import Interpretation

        if not self.policies:
            raise RuntimeError("the catalogue is written first: interpretations explain its policies")
        policy, dept = self.rng.choice(self.policies)
        principal = self.rng.random() < 0.2
        interpretation = Interpretation(
            department=dept,
            policy_record_id=policy,
            title="关于政策的解读",
            form="text",
            interpreter={"name": "李华", "position": "局长", "principal": principal},
            body="解读正文。" * 20,
            media_url=None,
            drafted_by=f"bench-{dept}",
        )
        if self.rng.random() < 0.85:
            interpretation.publish(at=at, by=f"bench-{dept}", by_head=True)
        app.save(interpretation)

    def _opinion(self, app: Any, at: datetime) -> None:
        rng, dept = self.rng, self.rng.choice(self.departments)
        detected = at - timedelta(hours=rng.randint(1, 60))
        incident = app.report_incident(
            actor=_editor(dept),
            fields={
                "title": f"{rng.choice(SUBJECTS)}相关舆情",
                "summary": "网民关注。",
                "source": "monitoring",
                "external_id": None,
                "detected_at": detected,
                "topic": "other",
                "severity": rng.choice(["major", "large", "general", "general"]),
                "emergency": rng.random() < 0.2,
                "lead_department": dept,
                "cooperating_departments": [],
            },
        )
        for _ in range(rng.randint(0, 2)):
            app.record_response(
                incident.id,
                actor=_editor(dept),
                expected_version=None,
                kind=rng.choice(["statement", "authoritative_release", "online_reply"]),
                at=min(at, detected + timedelta(hours=rng.randint(1, 50))),
                channel="政府网站",
                summary="已回应。",
                explains={"what": "情况", "why": None, "how": None},
            )


def _item_fields(code: str, dept: str) -> dict[str, Any]:
    """As ``POST /catalogue/v1/items`` turns its body into fields."""
    from services.catalogue.schemas import ItemCreate

    body = ItemCreate(
        code=code, name="部门预算", area="other", content="预算", basis="条例", department=dept, channels=["website"]
    )
    fields = body.model_dump(exclude={"time_limit_days"})
    fields.update(time_limit_working_days=20, time_limit_kind="working")
    return fields


def _record_fields(dept: str, subject: str, verb: str, formed: date, policy: bool) -> dict[str, Any]:
    """As ``POST /catalogue/v1/records`` turns its body into fields."""
    from services.catalogue.schemas import RecordCreate

    body = RecordCreate(
        department=dept,
        title=f"关于{subject}{verb}的通知",
        category="normative_document" if policy else "announcement",
        formed_on=formed,
        body=f"为做好{subject}工作，根据有关规定，现就{verb}事项说明如下。" * 3,
        needs_interpretation=policy,
    )
    fields = body.model_dump()
    fields["time_limit"] = fields.pop("time_limit_days")
    return fields


def _request_fields(dept: str, received: date) -> dict[str, Any]:
    return {
        "department": dept,
        "applicant_type": "citizen",
        "applicant_name": "张三",
        "applicant_contact": "13800000000",
        "description": "申请公开本单位2026年度预算执行情况。",
        "channel": "online",
        "received_on": received,
    }


# --- measuring -----------------------------------------------------------------------------------------


def _settings(env: dict[str, str]) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=Path(env["OPENNESS_DATA_DIR"]),
        database_url=env.get("OPENNESS_DATABASE_URL"),
        database_schema_prefix=env.get("OPENNESS_DATABASE_SCHEMA_PREFIX", ""),
        jwt_secret=SECRET,
    )


def _timed(call: Callable[[], Any], times: int) -> list[float]:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def _p(values: list[float], name: str) -> dict[str, float]:
    return {f"{name}_p50_ms": round(percentile(values, 50), 2), f"{name}_p95_ms": round(percentile(values, 95), 2)}


def _ok(response: httpx.Response) -> httpx.Response:
    response.raise_for_status()
    return response


def _catalogue_reads(url: str, size: int, settings: Settings) -> dict[str, float]:
    rng = random.Random(size)
    auditor = issue_token(settings, sub="bench-auditor", roles=["auditor"])
    with open_application("catalogue", settings) as app:
        items = app.read_feed(after=rng.randrange(max(1, size - 1000)), limit=1000)
        ids = [item.stream_id for item in items if item.type == "catalogue.RecordPublished"]
    with httpx.Client(base_url=f"{url}/catalogue/v1", timeout=60) as client:
        by_id = _timed(lambda: _ok(client.get(f"/records/{rng.choice(ids)}")), QUERIES)
        search = _timed(lambda: _ok(client.get("/records", params={"q": rng.choice(SEARCHES), "limit": 20})), QUERIES)
        listing = _timed(lambda: _ok(client.get("/records", params={"limit": 20})), QUERIES)
        headers = {"Authorization": f"Bearer {auditor}"}
        feed = _timed(
            lambda: _ok(client.get("/events", params={"after": rng.randrange(size), "limit": 100}, headers=headers)),
            QUERIES,
        )
    return {**_p(by_id, "record_by_id"), **_p(search, "search"), **_p(listing, "record_list"), **_p(feed, "feed_page")}


def _positions(url: str) -> tuple[int, int]:
    sources = _ok(httpx.get(f"{url}/assessment/v1/sources", timeout=30)).json()["items"]
    return sum(int(s["position"]) for s in sources), sum(int(s["upstream_head"] or 0) for s in sources)


def _assessment(env: dict[str, str], urls: dict[str, str], upstream_events: int, departments: list[str]) -> Any:
    """A cold assessment following the three feeds: catch-up rate, then its queries."""
    follow_env = {
        **env,
        **{f"OPENNESS_{u.upper()}_URL": urls[u] for u in UPSTREAMS},
        "OPENNESS_FOLLOWER_BATCH_SIZE": "1000",
        "OPENNESS_FOLLOWER_WAIT_SECONDS": "5",
    }
    started = time.perf_counter()
    with service_process("assessment", follow_env) as (url, process):
        with _bar(upstream_events, "assessment following") as advance:
            done = 0
            while done < upstream_events:
                time.sleep(0.5)
                now = _positions(url)[0]
                advance(now - done)
                done = now
        catch_up = upstream_events / (time.perf_counter() - started)
        layout = _snapshots_laid_out(env)
        _settle(env, ("assessment",))
        rng = random.Random(upstream_events)

        def instant() -> str:
            return (YEAR_START + YEAR_SPAN * rng.random()).isoformat()

        with httpx.Client(base_url=f"{url}/assessment/v1", timeout=300) as client:
            live = _timed(lambda: _ok(client.get("/scores", params={"year": 2026})), QUERIES)
            past = _timed(lambda: _ok(client.get("/scores", params={"year": 2026, "as_of": instant()})), QUERIES)
            one = _timed(lambda: _ok(client.get(f"/scores/{rng.choice(departments)}", params={"year": 2026})), QUERIES)
            one_past = _timed(
                lambda: _ok(
                    client.get(f"/scores/{rng.choice(departments)}", params={"year": 2026, "as_of": instant()})
                ),
                QUERIES,
            )
        rss = peak_rss_mib(process.pid)
    return {
        "cold_follower_events_per_second": round(catch_up, 1),
        "snapshot_layout_seconds": round(layout, 1),
        **_p(live, "league_live"),
        **_p(past, "league_past"),
        **_p(one, "breakdown_live"),
        **_p(one_past, "breakdown_past"),
        "assessment_peak_rss_mib": rss,
    }


def _snapshots_laid_out(env: dict[str, str]) -> float:
    """Seconds until the caught-up assessment has laid out its tally snapshots (it does once every
    upstream is read to its head; a past league answers from them). Read from its store."""
    settings = _settings(env)
    every = settings.assessment_tally_snapshot_every_facts
    started = time.perf_counter()
    with open_application("assessment", settings) as app:
        while time.perf_counter() - started < 600:
            with app.reading() as session:
                facts = session.execute(select(func.count()).select_from(fact)).scalar() or 0
                newest = session.execute(select(func.max(tally_snapshot.c.facts))).scalar() or 0
            if newest > facts - every:
                break
            time.sleep(0.5)
    return time.perf_counter() - started


def _rebuild_and_verify(settings: Settings) -> dict[str, float]:
    with open_application("catalogue", settings) as app:
        started = time.perf_counter()
        report = app.verify_chain()
        verified = report.checked / (time.perf_counter() - started)
        started = time.perf_counter()
        rebuilt = app.rebuild()
        rebuild = rebuilt / (time.perf_counter() - started)
    return {"verification_events_per_second": round(verified, 1), "rebuild_events_per_second": round(rebuild, 1)}


def _disk_bytes(backend: str, env: dict[str, str], service: str) -> int:
    if backend == "sqlite":
        return sum(p.stat().st_size for p in Path(env["OPENNESS_DATA_DIR"]).glob(f"{service}.sqlite3*"))
    engine = create_engine(PG_URL)
    with engine.connect() as connection:
        size = connection.execute(
            text(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relkind = 'r'"
            ),
            {"schema": env.get("OPENNESS_DATABASE_SCHEMA_PREFIX", "") + service},
        ).scalar_one()
    engine.dispose()
    return int(size)


def measure(backend: str, env: dict[str, str], history: History, size: int) -> dict[str, Any]:
    settings = _settings(env)
    figures: dict[str, Any] = {"events_per_service": size}
    with ExitStack() as stack:
        # the upstreams serve what was written; the interpretation's own follower is not measured here
        served = {u: stack.enter_context(service_process(u, {**env, "OPENNESS_FOLLOW": "false"})) for u in UPSTREAMS}
        urls = {u: url for u, (url, _) in served.items()}
        figures.update(_catalogue_reads(urls["catalogue"], size, settings))
        assessment_env = _assessment_store(backend, env, size)
        upstream_events = sum(history.written.values())
        figures.update(_assessment(assessment_env, urls, upstream_events, history.departments))
        figures["assessment_disk_bytes_per_fact"] = round(
            _disk_bytes(backend, assessment_env, "assessment") / upstream_events, 1
        )
        for u, (_, process) in served.items():
            figures[f"{u}_peak_rss_mib"] = peak_rss_mib(process.pid)
    figures.update(_rebuild_and_verify(settings))
    for u in UPSTREAMS:
        figures[f"{u}_disk_bytes_per_event"] = round(_disk_bytes(backend, env, u) / history.written[u], 1)
    return figures


def _assessment_store(backend: str, env: dict[str, str], size: int) -> dict[str, str]:
    """An empty store for a cold assessment at this size."""
    if backend == "sqlite":
        directory = Path(env["OPENNESS_DATA_DIR"]) / f"assessment-{size}"
        directory.mkdir()
        for key in ("log-key.pem",):
            if (Path(env["OPENNESS_DATA_DIR"]) / key).exists():
                shutil.copy(Path(env["OPENNESS_DATA_DIR"]) / key, directory / key)
        return {**env, "OPENNESS_DATA_DIR": str(directory)}
    return {**env, "OPENNESS_DATABASE_SCHEMA_PREFIX": f"{env['OPENNESS_DATABASE_SCHEMA_PREFIX']}a{size}_"}


def exponents(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per pair of consecutive sizes: log(cost2/cost1) / log(n2/n1) of every time or size figure."""
    found = []
    for a, b in itertools.pairwise(rows):
        ratio = math.log(b["events_per_service"] / a["events_per_service"])
        pair: dict[str, Any] = {"from": a["events_per_service"], "to": b["events_per_service"]}
        for key, value in a.items():
            other = b.get(key)
            if key.endswith(("_ms", "_mib", "_per_event", "_per_fact")) and value and other:
                pair[key] = round(math.log(other / value) / ratio, 2)
        found.append(pair)
    return found


@contextmanager
def _city(backend: str) -> Iterator[tuple[dict[str, str], History]]:
    with tempfile.TemporaryDirectory() as data_dir:
        env = backend_env(backend, Path(data_dir))
        try:
            departments = Departments().codes()
            yield env, History(_settings(env), departments)
        finally:
            drop_schemas(env)


def _settle(env: dict[str, str], services: tuple[str, ...]) -> None:
    """On PostgreSQL, ``VACUUM ANALYZE`` the ``services``' schemas once they are written: a store
    that grew over a year has had autovacuum keep its statistics and visibility maps; one that was
    just bulk-loaded has not, and autovacuum would then run during the measurements."""
    if not env.get("OPENNESS_DATABASE_URL"):
        return
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        prefix = env["OPENNESS_DATABASE_SCHEMA_PREFIX"]
        tables = connection.execute(
            text("SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN :schemas").bindparams(
                bindparam("schemas", expanding=True)
            ),
            {"schemas": [prefix + service for service in services]},
        ).all()
        for schema, table in tables:
            connection.execute(text(f'VACUUM ANALYZE "{schema}"."{table}"'))
    engine.dispose()


def run(backend: str) -> dict[str, Any]:
    rows = []
    with _city(backend) as (env, history):
        for size in SIZES:
            started = time.perf_counter()
            history.grow(size)
            generated = time.perf_counter() - started
            _settle(env, UPSTREAMS)
            row = {**measure(backend, env, history, size), "generation_seconds": round(generated, 1)}
            rows.append(row)
            print(f"[{backend}] {size:,} events per service: " + ", ".join(f"{k} {v}" for k, v in row.items()))
    growth = exponents(rows)
    for pair in growth:
        print(
            f"[{backend}] growth {pair['from']:,} -> {pair['to']:,}: "
            + ", ".join(f"{k} {v}" for k, v in pair.items() if k not in ("from", "to"))
        )
    return {"backend": backend, "sizes": SIZES, "rows": rows, "growth_exponents": growth}


def markdown(result: dict[str, Any]) -> str:
    """One run as a table: a row per figure, a column per size and the growth between them."""
    rows, growth = result["rows"], result["growth_exponents"]
    sizes = [f"{r['events_per_service']:,}" for r in rows]
    steps = [f"growth {g['from'] // 1000}k→{g['to'] // 1000}k" for g in growth]
    lines = [
        f"| {result['backend']}: events per service | " + " | ".join(sizes + steps) + " |",
        "| --- |" + " ---: |" * (len(sizes) + len(steps)),
    ]
    for key in rows[0]:
        if key == "events_per_service":
            continue
        cells = [str(r.get(key, "")) for r in rows] + [str(g.get(key, "")) for g in growth]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["table"]:  # python -m bench.scale table bench/results/scale-*.json
        for name in sys.argv[2:]:
            print(markdown(json.loads(Path(name).read_text(encoding="utf-8"))) + "\n")
        return
    backends = os.environ.get("SCALE_BACKENDS", "sqlite,postgres").split(",")
    if "postgres" in backends and not postgres_reachable():
        print("PostgreSQL is not reachable: scaling SQLite only")
        backends.remove("postgres")
    for backend in backends:
        written = write_results(f"scale-{backend}", run(backend))
        print(f"written: {written}")
        print(markdown(json.loads(written.read_text(encoding="utf-8"))))


if __name__ == "__main__":
    main()
