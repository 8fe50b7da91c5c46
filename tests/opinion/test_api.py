"""The office and departments handling an incident, through HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.support import assert_problem, auth


def incident_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "title": "某小区学校划片调整引发家长关注",
        "summary": "家长在网络集中反映",
        "source": "monitoring",
        "detected_at": "2026-03-02T09:30:00+08:00",
        "topic": "education",
        "severity": "especially_major",
        "emergency": True,
        "lead_department": "EDU",
        "cooperating_departments": ["PROP"],
    }
    body.update(overrides)
    return body


def _respond(client: TestClient, settings: Settings, incident_id: str, dept: str, **overrides: Any) -> Any:
    body = {
        "kind": "authoritative_release",
        "at": "2026-03-02T12:30:00+08:00",
        "channel": "市政府网站",
        "summary": "情况通报",
    }
    body.update(overrides)
    return client.post(
        f"/opinion/v1/incidents/{incident_id}/responses", json=body, headers=auth(settings, "editor", dept=dept)
    )


def test_release_in_3h_meets_its_deadline_and_press_conference_at_30h_misses(
    opinion: TestClient, settings: Settings
) -> None:
    incident = opinion.post("/opinion/v1/incidents", json=incident_body(), headers=auth(settings, "office"))
    assert incident.status_code == 201, incident.text
    assert incident.headers["location"].endswith(incident.json()["id"])
    incident_id = incident.json()["id"]
    assert _respond(opinion, settings, incident_id, "EDU").status_code == 200
    late = _respond(opinion, settings, incident_id, "PROP", kind="press_conference", at="2026-03-03T15:30:00+08:00")
    assert late.status_code == 200, late.text
    deadlines = {d["kind"]: d for d in late.json()["deadlines"]}
    assert deadlines["authoritative_release"]["status"] == "met"
    assert deadlines["authoritative_release"]["due_at"] == "2026-03-02T14:30:00+08:00"
    assert deadlines["press_conference"]["status"] == "missed"
    assert deadlines["press_conference"]["met_at"] == "2026-03-03T15:30:00+08:00"


def test_livelihood_response_without_cause_solution_constraints_is_flagged(
    opinion: TestClient, settings: Settings
) -> None:
    incident_id = opinion.post("/opinion/v1/incidents", json=incident_body(), headers=auth(settings, "office")).json()[
        "id"
    ]
    partial = _respond(opinion, settings, incident_id, "EDU", explains={"cause": "学位紧张"})
    assert partial.json()["incomplete_explanation"] is True
    full = {"cause": "学位紧张", "solution": "新建学校", "constraints": "用地审批需要时间"}
    other = opinion.post("/opinion/v1/incidents", json=incident_body(), headers=auth(settings, "office")).json()["id"]
    assert _respond(opinion, settings, other, "EDU", explains=full).json()["incomplete_explanation"] is False


def test_incidents_are_visible_to_the_office_and_involved_departments_only(
    opinion: TestClient, settings: Settings
) -> None:
    incident_id = opinion.post("/opinion/v1/incidents", json=incident_body(), headers=auth(settings, "office")).json()[
        "id"
    ]
    url = f"/opinion/v1/incidents/{incident_id}"
    assert opinion.get(url, headers=auth(settings, "editor", dept="PROP")).status_code == 200
    assert opinion.get(url, headers=auth(settings, "office")).status_code == 200
    assert_problem(opinion.get(url, headers=auth(settings, "editor", dept="FIN")), 404)
    assert_problem(opinion.get(url), 404)  # public only once a response is published
    assert opinion.get("/opinion/v1/incidents", headers=auth(settings, "editor", dept="FIN")).json()["items"] == []
    listed = opinion.get("/opinion/v1/incidents", headers=auth(settings, "editor", dept="EDU")).json()["items"]
    assert [i["id"] for i in listed] == [incident_id]
    assert_problem(_respond(opinion, settings, incident_id, "FIN"), 404)


def test_bad_incident_input_is_422_and_records_nothing(opinion: TestClient, settings: Settings) -> None:
    office = auth(settings, "office")
    for change in (
        {"detected_at": "2026-03-02T09:30:00"},  # naive
        {"detected_at": 1772415000},
        {"severity": "Major"},
        {"lead_department": "XYZ"},
        {"cooperating_departments": ["ＥＤＵ"]},
    ):
        assert_problem(opinion.post("/opinion/v1/incidents", json=incident_body(**change), headers=office), 422)
    assert opinion.get("/opinion/v1/audit/head").json()["position"] == 0
