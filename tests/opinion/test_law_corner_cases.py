"""api.md "Law corner cases" of opinion incidents through HTTP, and what the assessment makes of them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.assessment.world_builder import city
from tests.opinion.test_api import _respond, incident_body
from tests.support import assert_problem, auth

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _at(client: TestClient, instant: datetime) -> None:
    client.app.state.application.clock = lambda: instant  # type: ignore[attr-defined]


def _deadlines(view: dict[str, Any]) -> list[tuple[str, str]]:
    return [(d["kind"], d["status"]) for d in view["deadlines"]]


def test_detection_and_responses_dated_in_the_future_are_422(opinion: TestClient, settings: Settings) -> None:
    _at(opinion, NOW)
    office, platform = auth(settings, "office"), auth(settings, "platform")
    too_late = incident_body(detected_at="2026-03-02T10:06:00+08:00")
    assert_problem(opinion.post("/opinion/v1/incidents", json=too_late, headers=office), 422, "in_future")
    alert = {**too_late, "source": "provincial", "external_id": "PROV-2026-0001"}
    assert_problem(opinion.post("/opinion/v1/alerts", json=alert, headers=platform), 422, "in_future")
    assert opinion.get("/opinion/v1/audit/head").json()["position"] == 0
    # A platform clock up to 5 minutes ahead is tolerated.
    skewed = incident_body(detected_at="2026-03-02T10:04:00+08:00")
    incident = opinion.post("/opinion/v1/incidents", json=skewed, headers=office).json()
    future_answer = _respond(opinion, settings, incident["id"], "EDU", at="2026-03-02T11:00:00+08:00")
    assert_problem(future_answer, 422, "in_future")


def test_a_statement_within_5_hours_meets_the_release_duty_but_not_the_press_conference(
    opinion: TestClient, settings: Settings
) -> None:
    incident = opinion.post("/opinion/v1/incidents", json=incident_body(), headers=auth(settings, "office")).json()
    answered = _respond(opinion, settings, incident["id"], "EDU", kind="statement", at="2026-03-02T13:00:00+08:00")
    assert _deadlines(answered.json()) == [("authoritative_release", "met"), ("press_conference", "missed")]


def test_reassessment_keeps_missed_deadlines_in_the_incident_the_scores_and_proposed_actions(
    settings: Settings,
) -> None:
    with city(settings) as c:
        c.at("2026-03-02T10:00:00+08:00")
        incident = c.post(c.opinion, "/opinion/v1/incidents", incident_body(severity="major"), "office")
        # 30 hours in, unanswered: re-judged as a general incident.
        c.at("2026-03-03T15:30:00+08:00")
        judged = c.post(
            c.opinion,
            f"/opinion/v1/incidents/{incident['id']}/assessments",
            {"severity": "general", "emergency": False, "note": "影响范围有限"},
            "office",
        )
        assert _deadlines(judged) == [
            ("authoritative_release", "missed"),
            ("press_conference", "missed"),
            ("response", "pending"),
        ]
        c.at("2026-03-03T16:30:00+08:00")
        c.post(
            c.opinion,
            f"/opinion/v1/incidents/{incident['id']}/responses",
            {"kind": "online_reply", "at": "2026-03-03T16:00:00+08:00", "channel": "官网", "summary": "已回应"},
            "editor",
            dept="EDU",
        )
        c.follow()
        office = auth(settings, "office")
        score = c.assessment.get("/assessment/v1/scores/EDU", params={"year": 2026}, headers=office).json()
        opinion = score["indicators"]["opinion_timeliness"]
        assert (opinion["numerator"], opinion["denominator"]) == (1, 3)
        proposed = c.assessment.get("/assessment/v1/proposed-actions", params={"year": 2026}, headers=office).json()
        assert [(p["ref_id"], p["reasons"]) for p in proposed["items"]] == [
            (incident["id"], ["missed_authoritative_release", "missed_press_conference"])
        ]


def test_the_public_summary_drops_contact_details(opinion: TestClient, settings: Settings) -> None:
    incident = opinion.post("/opinion/v1/incidents", json=incident_body(), headers=auth(settings, "office")).json()
    summary = "已核实情况，家长可拨打 0571-8765 4321 或发邮件至 edu@example.gov.cn 咨询。"
    _respond(opinion, settings, incident["id"], "EDU", summary=summary)
    public = opinion.get(f"/opinion/v1/incidents/{incident['id']}").json()
    assert public["public_summary"][0]["summary"] == (
        "已核实情况，家长可拨打 [联系方式已删除] 或发邮件至 [联系方式已删除] 咨询。"
    )
    inside = opinion.get(f"/opinion/v1/incidents/{incident['id']}", headers=auth(settings, "editor", dept="EDU"))
    assert inside.json()["responses"][0]["summary"] == summary  # the handling department sees what it wrote
