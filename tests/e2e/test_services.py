"""The four services as real processes on loopback: one story across them, and a crash."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import docx
import httpx
import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from services.assessment.main import SPEC
from services.assessment.read_models import fact
from shared.follower import Follower
from shared.settings import SERVICES, Settings
from shared.timeutil import local_date, utcnow
from tests.catalogue.builders import record_body
from tests.e2e.processes import ROOT, cluster, eventually
from tests.kernel.test_rebuild import snapshot
from tests.support import auth, open_application

pytestmark = pytest.mark.e2e


def test_a_policy_flows_from_catalogue_to_interpretation_and_assessment(settings: Settings, tmp_path: Path) -> None:
    with cluster(settings, tmp_path) as running:
        for service in SERVICES:
            assert httpx.get(f"{running.url(service)}/healthz").json() == {"status": "ok", "service": service}
        editor = auth(settings, "editor", dept="FIN")
        catalogue = running.url("catalogue")
        record = httpx.post(
            f"{catalogue}/catalogue/v1/records", json=record_body(category="policy"), headers=editor
        ).json()
        assert httpx.post(f"{catalogue}/catalogue/v1/records/{record['id']}/publish", headers=editor).status_code == 200
        interpretation = {
            "department": "FIN",
            "policy_record_id": record["id"],
            "title": "政策图解",
            "form": "graphic",
            "interpreter": {"name": "李处长", "position": "处长", "principal": False},
            "body": "图解",
        }
        created = httpx.post(
            f"{running.url('interpretation')}/interpretation/v1/interpretations", json=interpretation, headers=editor
        )
        assert created.status_code == 201, created.text

        def assessment_caught_up() -> bool:
            sources = httpx.get(f"{running.url('assessment')}/assessment/v1/sources").json()["items"]
            heads = {s["upstream"]: (s["position"], s["upstream_head"]) for s in sources}
            return heads.get("catalogue") == (2, 2) and heads.get("interpretation") == (1, 1)

        assert eventually(assessment_caught_up)


def test_assessment_killed_while_following_resumes_exactly_once(settings: Settings, tmp_path: Path) -> None:
    with cluster(settings, tmp_path, services=("catalogue",)) as running:
        catalogue, editor = running.url("catalogue"), auth(settings, "editor", dept="FIN")
        with httpx.Client() as client:
            for n in range(150):
                client.post(f"{catalogue}/catalogue/v1/records", json=record_body(title=f"通知{n}"), headers=editor)
        running.start("assessment")
        with open_application("assessment", settings) as app:

            def facts() -> int:
                with app.reading() as session:
                    return int(session.execute(select(func.count()).select_from(fact)).scalar_one())

            assert eventually(lambda: facts() > 0, interval=0.01)
            running.kill("assessment")  # kill -9, most likely mid-catch-up
            assert facts() < 150 or pytest.skip("the follower finished before it could be killed")
            running.start("assessment")
            assert eventually(lambda: facts() == 150)
            with app.reading() as session:
                positions = list(session.execute(select(fact.c.position).order_by(fact.c.position)).scalars())
            assert positions == list(range(1, 151))  # every event once: none lost, none doubled
            running.stop()
            live = snapshot(app)
        with open_application("assessment", settings) as rebuilt:
            rebuilt.rebuild()
            assert snapshot(rebuilt)["assessment_fact"] == []  # a rebuild re-follows the feeds...
            [spec] = [s for s in SPEC.followers if s.upstream == "catalogue"]
            with cluster(settings, tmp_path, services=("catalogue",)) as again:
                Follower(rebuilt, spec, base_url=again.url("catalogue")).catch_up()
            assert snapshot(rebuilt) == live  # ...and ends with the same tables


def test_scores_change_as_the_departments_act(settings: Settings, tmp_path: Path) -> None:
    with cluster(settings, tmp_path) as running:
        editor = auth(settings, "editor", dept="FIN")
        today = local_date(utcnow())
        scores_url = f"{running.url('assessment')}/assessment/v1/scores/FIN"

        def score() -> Any:
            return httpx.get(scores_url, params={"year": today.year}).json()

        before = score()
        assert before["indicators"]["disclosure_timeliness"]["denominator"] == 0
        catalogue = running.url("catalogue")
        body = record_body(formed_on=today.isoformat(), title="今天形成、今天发布的信息")
        record = httpx.post(f"{catalogue}/catalogue/v1/records", json=body, headers=editor).json()
        assert httpx.post(f"{catalogue}/catalogue/v1/records/{record['id']}/publish", headers=editor).status_code == 200

        def counted() -> Any:
            now = score()
            return now if now["indicators"]["disclosure_timeliness"]["denominator"] == 1 else None

        after = eventually(counted)
        assert after, "the assessment never saw the published record"
        assert after["indicators"]["disclosure_timeliness"]["numerator"] == 1
        assert after["score"] > before["score"]
        league = httpx.get(f"{running.url('assessment')}/assessment/v1/scores", params={"year": today.year}).json()[
            "items"
        ]
        assert league[0]["department"] == "FIN"
        assert league[0]["rank"] == 1


def test_the_demo_loads_a_year_where_departments_differ(settings: Settings, tmp_path: Path) -> None:
    with cluster(settings, tmp_path) as running:
        result = subprocess.run(
            [sys.executable, "-m", "shared.cli", "demo", "--wait", "60"],
            env=running.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "8/8" in result.stdout  # the progress bar finished
        year = local_date(utcnow()).year
        league = {
            e["department"]: e
            for e in httpx.get(f"{running.url('assessment')}/assessment/v1/scores", params={"year": year}).json()[
                "items"
            ]
        }
        assert league["FIN"]["score"] > league["ENV"]["score"]
        env = httpx.get(f"{running.url('assessment')}/assessment/v1/scores/ENV", params={"year": year}).json()
        assert env["deductions"]["circulated_criticism"] == 1
        assert any(
            v["kind"] == "missed_authoritative_release" for v in env["indicators"]["opinion_timeliness"]["violations"]
        )
        # The desk shows the demo year with the API's numbers; FIN's report is a document with its text.
        desk = lxml_html.fromstring(httpx.get(f"{running.url('assessment')}/assessment/desk/").text)
        shown = {
            row.get("data-department"): float(row.xpath("td[@data-field='score']")[0].text)
            for row in desk.xpath("//table[@class='league']/tbody/tr")
        }
        assert shown == {code: entry["score"] for code, entry in league.items()}
        assert desk.xpath("//h1")[0].text == f"{year}年考核排名"
        report = httpx.get(
            f"{running.url('catalogue')}/catalogue/v1/annual-reports/{year}",
            params={"department": "FIN", "format": "docx"},
        )
        paragraphs = [p.text for p in docx.Document(io.BytesIO(report.content)).paragraphs]
        assert paragraphs[0] == f"市财政局{year}年政府信息公开工作年度报告"
        assert paragraphs[paragraphs.index("一、总体情况") + 1].startswith(f"{year}年，市财政局坚持以公开为常态")
        _replay_from_bundles_equals_the_live_league(running, tmp_path)


def _replay_from_bundles_equals_the_live_league(running: Any, tmp_path: Path) -> None:
    """Four bundles exported with `openness audit export`, replayed by `openness audit replay`
    with the assessment's rules: exactly the live league table at the same as_of."""

    def openness(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "shared.cli", *args],
            env=running.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    bundles = {}
    for service in ("catalogue", "interpretation", "opinion", "assessment"):
        bundles[service] = tmp_path / f"{service}.tar.gz"
        exported = openness("audit", "export", service, "--out", str(bundles[service]))
        assert exported.returncode == 0, exported.stdout + exported.stderr
        verified = openness("audit", "verify", str(bundles[service]))
        assert verified.returncode == 0, verified.stdout + verified.stderr
    live = openness("audit", "verify", f"{running.url('opinion')}/opinion")  # straight from the endpoints
    assert live.returncode == 0, live.stdout + live.stderr
    assert "verified:" in live.stdout
    as_of = utcnow().isoformat()
    replayed = openness(
        "audit",
        "replay",
        *("--catalogue", str(bundles["catalogue"]), "--interpretation", str(bundles["interpretation"])),
        *("--opinion", str(bundles["opinion"]), "--assessment", str(bundles["assessment"])),
        "--as-of",
        as_of,
    )
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "identical to" in replayed.stdout
    # Without the assessment's own bundle the 通报批评 issued to ENV is unknown: a difference.
    partial = openness(
        "audit",
        "replay",
        *("--catalogue", str(bundles["catalogue"]), "--interpretation", str(bundles["interpretation"])),
        *("--opinion", str(bundles["opinion"]), "--as-of", as_of),
    )
    assert partial.returncode == 1, partial.stdout + partial.stderr
    assert '"department": "ENV"' in partial.stdout
