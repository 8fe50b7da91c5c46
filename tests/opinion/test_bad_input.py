"""The bad-input list on every opinion write route: a 4xx problem, nothing recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.bad_input import RAW_BODIES
from tests.opinion.test_api import incident_body
from tests.support import assert_problem, auth

Route = tuple[str, dict[str, Any], dict[str, str]]


def _routes(client: TestClient, settings: Settings) -> list[Route]:
    office, edu = auth(settings, "office"), auth(settings, "editor", dept="EDU")
    incident = client.post("/opinion/v1/incidents", json=incident_body(), headers=office).json()
    url = f"/opinion/v1/incidents/{incident['id']}"
    answer = {"kind": "statement", "at": "2026-03-02T10:00:00+08:00", "channel": "官网", "summary": "说明"}
    return [
        ("/opinion/v1/incidents", incident_body(), office),
        ("/opinion/v1/alerts", incident_body(external_id="X-1", source="provincial"), auth(settings, "platform")),
        (f"{url}/warnings", {"level": "red", "note": "n"}, edu),
        (f"{url}/assessments", {"severity": "general", "emergency": False, "note": "n"}, edu),
        (f"{url}/assignments", {"lead_department": "EDU", "cooperating_departments": []}, office),
        (f"{url}/responses", answer, edu),
        (f"{url}/close", {"note": "n"}, edu),
        (f"{url}/evaluation", {"rating": "partial", "findings": [], "note": "n"}, office),
    ]


def _head(client: TestClient) -> int:
    return int(client.get("/opinion/v1/audit/head").json()["position"])


@pytest.mark.parametrize("mangle", RAW_BODIES.values(), ids=RAW_BODIES.keys())
def test_malformed_bodies(opinion: TestClient, settings: Settings, mangle: Callable[[dict[str, Any]], bytes]) -> None:
    routes = _routes(opinion, settings)
    before = _head(opinion)
    for path, body, headers in routes:
        response = opinion.post(path, content=mangle(body), headers={**headers, "content-type": "application/json"})
        assert_problem(response, response.status_code)
        assert 400 <= response.status_code < 500, (path, response.text)
    assert _head(opinion) == before


BAD_FIELDS: dict[str, dict[str, Any]] = {
    "naive-datetime": {"detected_at": "2026-03-02T09:30:00"},
    "epoch": {"detected_at": 1772415000},
    "year-9999": {"detected_at": "9999-01-01T00:00:00+08:00"},
    "impossible-date": {"detected_at": "2026-02-30T09:30:00+08:00"},
    "wrong-case-enum": {"severity": "Major"},
    "unknown-department": {"lead_department": "NOPE"},
    "full-width-department": {"cooperating_departments": ["ＰＳＢ"]},
    "bidi-title": {"title": "舆情\u202e"},
    "bool-as-string": {"emergency": "yes"},
}


@pytest.mark.parametrize("change", BAD_FIELDS.values(), ids=BAD_FIELDS.keys())
def test_bad_fields_on_report_and_alert(opinion: TestClient, settings: Settings, change: dict[str, Any]) -> None:
    assert_problem(
        opinion.post("/opinion/v1/incidents", json=incident_body(**change), headers=auth(settings, "office")), 422
    )
    alert = incident_body(source="provincial", external_id="A-1", **change)
    assert_problem(opinion.post("/opinion/v1/alerts", json=alert, headers=auth(settings, "platform")), 422)
    assert _head(opinion) == 0


def test_an_uninvolved_department_and_an_auditor_record_nothing(opinion: TestClient, settings: Settings) -> None:
    routes = _routes(opinion, settings)
    before = _head(opinion)
    stranger, auditor = auth(settings, "editor", dept="SPORT"), auth(settings, "auditor")
    for path, body, _ in routes[2:]:  # the routes on one incident
        assert opinion.post(path, json=body, headers=stranger).status_code in (403, 404), path
        assert opinion.post(path, json=body, headers=auditor).status_code == 403, path
    assert _head(opinion) == before


def test_a_response_before_detection_is_refused(opinion: TestClient, settings: Settings) -> None:
    incident = opinion.post("/opinion/v1/incidents", json=incident_body(), headers=auth(settings, "office")).json()
    answer = {"kind": "statement", "at": "2026-03-01T10:00:00+08:00", "channel": "官网", "summary": "说明"}
    response = opinion.post(
        f"/opinion/v1/incidents/{incident['id']}/responses", json=answer, headers=auth(settings, "editor", dept="EDU")
    )
    assert_problem(response, 422, "response_before_detection")
