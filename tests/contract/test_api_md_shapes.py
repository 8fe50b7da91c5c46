"""api.md names some commands without their bodies: the natural minimal calls must work."""

from __future__ import annotations

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.catalogue.test_proposals_and_consultations import consultation_body
from tests.opinion.test_api import incident_body
from tests.support import auth


def test_minimal_command_bodies(
    opinion: TestClient, assessment: TestClient, catalogue: TestClient, settings: Settings
) -> None:
    office = auth(settings, "office")
    incident = opinion.post("/opinion/v1/incidents", json=incident_body(), headers=office).json()
    url = f"/opinion/v1/incidents/{incident['id']}"
    edu = auth(settings, "editor", dept="EDU")
    assert opinion.post(f"{url}/warnings", headers=edu).json()["warning_level"] == "yellow"
    judged = opinion.post(f"{url}/assessments", json={"severity": "general"}, headers=edu).json()
    assert (judged["severity"], judged["emergency"]) == ("general", True)  # emergency kept when not given
    assert opinion.post(f"{url}/close", headers=edu).json()["status"] == "closed"
    action = assessment.post(
        "/assessment/v1/actions",
        json={"department": "EDU", "kind": "rectification_interview", "reason": "约谈", "refs": [incident["id"]]},
        headers=office,
    )
    assert action.status_code == 201, action.text
    assert action.json()["refs"] == [{"service": None, "ref_id": incident["id"], "kind": None}]
    rectified = assessment.post(f"/assessment/v1/actions/{action.json()['id']}/rectified", headers=office)
    assert rectified.status_code == 200, rectified.text
    assert rectified.json()["rectified_on"] is not None
    consultation = catalogue.post(
        "/catalogue/v1/consultations", json=consultation_body(), headers=auth(settings, "editor", dept="TRANSPORT")
    ).json()
    comment = catalogue.post(f"/catalogue/v1/consultations/{consultation['id']}/comments", json={"comment": "赞成"})
    assert comment.status_code == 202, comment.text
