"""From detection to evaluation: alerts, judgement, assignment, responses, closing, evaluation."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.opinion.test_api import incident_body
from tests.support import assert_problem, auth


def _alert(**overrides: Any) -> dict[str, Any]:
    return incident_body(
        source="provincial", external_id="ZJ-2026-0042", lead_department=None, cooperating_departments=[], **overrides
    )


def test_an_alert_pushed_twice_is_one_incident(opinion: TestClient, settings: Settings) -> None:
    platform = auth(settings, "platform")
    first = opinion.post("/opinion/v1/alerts", json=_alert(), headers=platform)
    assert first.status_code == 201, first.text
    again = opinion.post("/opinion/v1/alerts", json=_alert(title="标题不同也是同一条"), headers=platform)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["location"] == first.headers["location"]
    assert opinion.get("/opinion/v1/audit/head").json()["position"] == 1
    office = auth(settings, "office")
    duplicate = opinion.post("/opinion/v1/incidents", json=_alert(), headers=office)
    assert_problem(duplicate, 422, "external_id_reserved")  # the province's ids come through /alerts only


def test_an_editor_cannot_claim_a_provincial_alerts_id_before_it_arrives(
    opinion: TestClient, settings: Settings
) -> None:
    squatter = {**_alert(severity="general", emergency=False), "lead_department": "EDU"}
    refused = opinion.post("/opinion/v1/incidents", json=squatter, headers=auth(settings, "editor", dept="EDU"))
    assert_problem(refused, 422, "external_id_reserved")
    assert opinion.get("/opinion/v1/audit/head").json()["position"] == 0
    alert = opinion.post("/opinion/v1/alerts", json=_alert(), headers=auth(settings, "platform"))
    assert alert.status_code == 201
    assert [d["kind"] for d in alert.json()["deadlines"]] == ["authoritative_release", "press_conference"]


def test_a_repeated_alert_that_judges_it_graver_reassesses_the_incident(
    opinion: TestClient, settings: Settings
) -> None:
    platform = auth(settings, "platform")
    first = opinion.post("/opinion/v1/alerts", json=_alert(severity="large", emergency=False), headers=platform)
    assert [d["kind"] for d in first.json()["deadlines"]] == ["response"]
    graver = opinion.post("/opinion/v1/alerts", json=_alert(severity="major", emergency=True), headers=platform)
    assert graver.status_code == 200
    assert (graver.json()["severity"], graver.json()["emergency"]) == ("major", True)
    assert "authoritative_release" in [d["kind"] for d in graver.json()["deadlines"]]
    milder = opinion.post("/opinion/v1/alerts", json=_alert(severity="general", emergency=False), headers=platform)
    assert (milder.json()["severity"], milder.json()["emergency"]) == ("major", True)  # never downgraded
    assert opinion.get("/opinion/v1/audit/head").json()["position"] == 2  # reported, then one re-assessment


def test_an_alert_pushed_concurrently_is_one_incident(opinion: TestClient, settings: Settings) -> None:
    platform = auth(settings, "platform")
    answers: list[Any] = []
    threads = [
        threading.Thread(
            target=lambda: answers.append(opinion.post("/opinion/v1/alerts", json=_alert(), headers=platform))
        )
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert opinion.get("/opinion/v1/audit/head").json()["position"] == 1


def test_only_platforms_push_alerts(opinion: TestClient, settings: Settings) -> None:
    assert_problem(opinion.post("/opinion/v1/alerts", json=_alert(), headers=auth(settings, "office")), 403)
    assert_problem(
        opinion.post("/opinion/v1/alerts", json={**_alert(), "external_id": None}, headers=auth(settings, "platform")),
        422,
    )


def test_reassessment_from_general_to_major_adds_the_5h_and_24h_deadlines(
    opinion: TestClient, settings: Settings
) -> None:
    office = auth(settings, "office")
    body = incident_body(severity="general", emergency=False, detected_at="2026-03-02T09:30:00+08:00")
    incident = opinion.post("/opinion/v1/incidents", json=body, headers=office).json()
    assert [(d["kind"], d["due_at"]) for d in incident["deadlines"]] == [("response", "2026-03-04T09:30:00+08:00")]
    # Re-judged 90 minutes after detection: the 48-hour deadline is not yet due, so it is replaced.
    opinion.app.state.application.clock = lambda: datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    judged = opinion.post(
        f"/opinion/v1/incidents/{incident['id']}/assessments",
        json={"severity": "major", "emergency": True, "note": "涉及人员伤亡"},
        headers=auth(settings, "editor", dept="EDU"),
    )
    assert judged.status_code == 200, judged.text
    assert [(d["kind"], d["due_at"]) for d in judged.json()["deadlines"]] == [
        ("authoritative_release", "2026-03-02T14:30:00+08:00"),
        ("press_conference", "2026-03-03T09:30:00+08:00"),
    ]


def test_assignment_changes_who_handles_and_sees(opinion: TestClient, settings: Settings) -> None:
    incident = opinion.post("/opinion/v1/alerts", json=_alert(), headers=auth(settings, "platform")).json()
    url = f"/opinion/v1/incidents/{incident['id']}"
    health = auth(settings, "editor", dept="HEALTH")
    assert opinion.get(url, headers=health).status_code == 404
    assignment = {"lead_department": "HEALTH", "cooperating_departments": ["CAC", "PSB", "HEALTH"]}
    assert_problem(opinion.post(f"{url}/assignments", json=assignment, headers=health), 403)
    assigned = opinion.post(f"{url}/assignments", json=assignment, headers=auth(settings, "office")).json()
    assert assigned["lead_department"] == "HEALTH"
    assert assigned["cooperating_departments"] == ["CAC", "PSB"]  # the lead is not also a cooperator
    assert opinion.get(url, headers=health).status_code == 200
    answer = {"kind": "online_reply", "at": "2026-03-02T10:00:00+08:00", "channel": "网信办平台", "summary": "已核实"}
    assert (
        opinion.post(f"{url}/responses", json=answer, headers=auth(settings, "editor", dept="CAC")).status_code == 200
    )
    assert_problem(opinion.post(f"{url}/responses", json=answer, headers=auth(settings, "editor", dept="EDU")), 404)


def test_close_then_evaluate_with_findings(opinion: TestClient, settings: Settings) -> None:
    office = auth(settings, "office")
    incident = opinion.post("/opinion/v1/incidents", json=incident_body(), headers=office).json()
    url = f"/opinion/v1/incidents/{incident['id']}"
    early = {"rating": "ineffective", "findings": ["slow_handling"], "note": "回应迟缓"}
    assert_problem(opinion.post(f"{url}/evaluation", json=early, headers=office), 409, "invalid_state")
    edu = auth(settings, "editor", dept="EDU")
    warned = opinion.post(f"{url}/warnings", json={"level": "orange", "note": "热度上升"}, headers=edu)
    assert warned.json()["warning_level"] == "orange"
    assert opinion.post(f"{url}/close", json={"note": "处置完毕"}, headers=edu).json()["status"] == "closed"
    answer = {"kind": "statement", "at": "2026-03-02T10:00:00+08:00", "channel": "官网", "summary": "补充说明"}
    assert_problem(opinion.post(f"{url}/responses", json=answer, headers=edu), 409, "invalid_state")
    assert_problem(opinion.post(f"{url}/evaluation", json=early, headers=edu), 403)
    contradictory = {"rating": "effective", "findings": ["late_report"], "note": "x"}
    assert_problem(opinion.post(f"{url}/evaluation", json=contradictory, headers=office), 422)
    evaluated = opinion.post(f"{url}/evaluation", json=early, headers=office).json()
    assert (evaluated["status"], evaluated["rating"], evaluated["findings"]) == (
        "evaluated",
        "ineffective",
        ["slow_handling"],
    )
    types = [i["type"] for i in opinion.get("/opinion/v1/events", headers=auth(settings, "auditor")).json()["items"]]
    assert types == [
        "opinion.IncidentReported",
        "opinion.IncidentWarningIssued",
        "opinion.IncidentClosed",
        "opinion.IncidentEvaluated",
    ]


def test_overdue_lists_what_is_late_now(opinion: TestClient, settings: Settings) -> None:
    office = auth(settings, "office")
    late = opinion.post("/opinion/v1/incidents", json=incident_body(title="已逾期"), headers=office).json()
    answered = opinion.post(
        "/opinion/v1/incidents",
        json=incident_body(title="已全部回应", severity="general", emergency=False),
        headers=office,
    ).json()
    answer = {"kind": "statement", "at": "2026-03-02T10:00:00+08:00", "channel": "官网", "summary": "说明"}
    opinion.post(
        f"/opinion/v1/incidents/{answered['id']}/responses", json=answer, headers=auth(settings, "editor", dept="EDU")
    )
    overdue = opinion.get("/opinion/v1/incidents?overdue=true", headers=office).json()["items"]
    assert [i["id"] for i in overdue] == [late["id"]]


def test_the_public_sees_published_responses_only(opinion: TestClient, settings: Settings) -> None:
    incident = opinion.post("/opinion/v1/incidents", json=incident_body(), headers=auth(settings, "office")).json()
    url = f"/opinion/v1/incidents/{incident['id']}"
    assert_problem(opinion.get(url), 404)
    answer = {
        "kind": "authoritative_release",
        "at": "2026-03-02T11:00:00+08:00",
        "channel": "官网",
        "summary": "权威发布内容",
    }
    opinion.post(f"{url}/responses", json=answer, headers=auth(settings, "editor", dept="EDU"))
    public = opinion.get(url).json()
    assert public == {
        "id": incident["id"],
        "title": incident["title"],
        "topic": "education",
        "public_summary": [
            {
                "kind": "authoritative_release",
                "at": "2026-03-02T11:00:00+08:00",
                "channel": "官网",
                "summary": "权威发布内容",
            }
        ],
    }
    stranger = opinion.get(url, headers=auth(settings, "editor", dept="FIN")).json()
    assert "deadlines" not in stranger


def test_the_livelihood_flag_is_in_the_events(opinion: TestClient, settings: Settings) -> None:
    incident = opinion.post(
        "/opinion/v1/incidents", json=incident_body(topic="housing"), headers=auth(settings, "office")
    ).json()
    answer = {
        "kind": "statement",
        "at": "2026-03-02T10:00:00+08:00",
        "channel": "官网",
        "summary": "说明",
        "explains": {"cause": "原因"},
    }
    opinion.post(
        f"/opinion/v1/incidents/{incident['id']}/responses", json=answer, headers=auth(settings, "editor", dept="EDU")
    )
    items = opinion.get(
        "/opinion/v1/events?types=opinion.IncidentResponseRecorded", headers=auth(settings, "platform")
    ).json()["items"]
    assert items[0]["data"]["incomplete_explanation"] is True
