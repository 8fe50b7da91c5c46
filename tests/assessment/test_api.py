"""The office's accountability actions, and assessment following the other feeds."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from services.assessment.read_models import fact
from shared.settings import Settings
from tests.catalogue.builders import draft, publish
from tests.support import assert_problem, auth, service_client


def _action(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "department": "EDU",
        "kind": "rectification_interview",
        "reason": "新闻发布会未在24小时内召开",
        "refs": [{"service": "opinion", "ref_id": "00000000-0000-4000-8000-000000000001"}],
        "rectification_due_on": "2099-01-31",
    }
    body.update(overrides)
    return body


def test_the_office_issues_an_action_and_records_the_rectification(assessment: TestClient, settings: Settings) -> None:
    office = auth(settings, "office")
    assessment.app.state.application.clock = lambda: datetime(2026, 11, 10, 2, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    created = assessment.post("/assessment/v1/actions", json=_action(), headers=office)
    assert created.status_code == 201, created.text
    action = created.json()
    assert action["rectified_on"] is None
    assessment.app.state.application.clock = lambda: datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    rectified = assessment.post(
        f"/assessment/v1/actions/{action['id']}/rectified",
        json={"on": "2026-11-20", "note": "已整改到位"},
        headers={**office, "If-Match": '"1"'},
    )
    assert rectified.status_code == 200, rectified.text
    assert rectified.json()["rectified_on"] == "2026-11-20"
    again = assessment.post(
        f"/assessment/v1/actions/{action['id']}/rectified", json={"on": "2026-11-21", "note": "x"}, headers=office
    )
    assert_problem(again, 409, "invalid_state")


def test_a_rectification_dated_in_the_future_is_422(assessment: TestClient, settings: Settings) -> None:
    office = auth(settings, "office")
    action = assessment.post("/assessment/v1/actions", json=_action(), headers=office).json()
    future = assessment.post(
        f"/assessment/v1/actions/{action['id']}/rectified", json={"on": "2099-01-15", "note": "x"}, headers=office
    )
    assert_problem(future, 422, "in_future")
    assert assessment.get(f"/assessment/v1/actions/{action['id']}", headers=office).json()["rectified_on"] is None


def test_only_the_office_issues_actions(assessment: TestClient, settings: Settings) -> None:
    assert_problem(
        assessment.post("/assessment/v1/actions", json=_action(), headers=auth(settings, "head", dept="EDU")), 403
    )
    assert_problem(
        assessment.post("/assessment/v1/actions", json=_action(kind="warning"), headers=auth(settings, "office")), 422
    )
    assert_problem(
        assessment.post("/assessment/v1/actions", json=_action(department="NOPE"), headers=auth(settings, "office")),
        422,
    )
    assert assessment.get("/assessment/v1/audit/head").json()["position"] == 0


def test_assessment_follows_the_feeds_and_reports_its_sources(settings: Settings) -> None:
    with service_client("catalogue", settings) as catalogue, service_client("assessment", settings) as assessment:
        record = publish(catalogue, settings, draft(catalogue, settings))
        followers = assessment.app.state.followers  # type: ignore[attr-defined]
        [follower] = [f for f in followers if f.spec.upstream == "catalogue"]
        follower.client, follower.base_url = catalogue, "http://testserver"
        assert follower.catch_up() == 2
        app = assessment.app.state.application  # type: ignore[attr-defined]
        with app.reading() as session:
            rows = session.execute(select(fact).order_by(fact.c.position)).all()
        assert [(r.type, r.department, r.stream_id) for r in rows] == [
            ("catalogue.RecordDrafted", "FIN", record["id"]),
            ("catalogue.RecordPublished", "FIN", record["id"]),  # department taken from the stream's first event
        ]
        sources = {s["upstream"]: s for s in assessment.get("/assessment/v1/sources").json()["items"]}
        assert sources["catalogue"]["position"] == 2
        assert sources["catalogue"]["lag_events"] == 0
        assert sources["opinion"]["position"] == 0
