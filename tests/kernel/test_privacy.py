"""Personal data in free text never reaches platform readers or webhooks (one kernel scrubbing,
the same as for published replies), store errors carry no bound values, and the run's log check
really catches a leak."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared.rules.contacts import REDACTION
from shared.settings import Settings
from shared.webhooks.deliverer import _platform_view
from tests.support import LogLeaks, auth, open_application, service_client

APPLICANT = "王小明"
DESCRIPTION = (
    "本人王小明申请公开拆迁补偿方案。联系电话13700001111，身份证号110101199003077777，"
    "住幸福小区3栋2单元501室，邮箱wangxm@example.com。"
)


def _feed(client: TestClient, settings: Settings, role: str, type_: str) -> list[dict[str, object]]:
    answer = client.get(
        "/catalogue/v1/events" if "catalogue" in type_ else "/opinion/v1/events",
        params={"types": type_},
        headers=auth(settings, role, sub=f"{role}-1"),
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, object]] = answer.json()["items"]
    return items


def test_a_platform_reader_gets_free_text_scrubbed_and_an_auditor_everything(
    catalogue: TestClient, settings: Settings
) -> None:
    body = {
        "department": "FIN",
        "applicant": {"type": "natural_person", "name": APPLICANT, "contact": "13700001111"},
        "description": DESCRIPTION,
        "channel": "online",
        "received_on": "2026-09-28",
    }
    assert (
        catalogue.post("/catalogue/v1/requests", json=body, headers=auth(settings, "editor", dept="FIN")).status_code
        == 201
    )
    [platform] = _feed(catalogue, settings, "platform", "catalogue.InformationRequestReceived")
    [auditor] = _feed(catalogue, settings, "auditor", "catalogue.InformationRequestReceived")
    data = platform["data"]
    assert isinstance(data, dict)
    assert (data["applicant_name"], data["applicant_contact"]) == ("***", "***")
    assert data["description"] == (
        f"本人{REDACTION}申请公开拆迁补偿方案。联系电话{REDACTION}，身份证号{REDACTION}，"
        f"住幸福小区{REDACTION}，邮箱{REDACTION}。"
    )
    assert platform["redacted"] is True
    assert auditor["data"]["description"] == DESCRIPTION  # type: ignore[index]
    assert auditor["redacted"] is False
    app = catalogue.app.state.application  # type: ignore[attr-defined]
    [item] = [i for i in app.read_feed(after=0, limit=100) if i.type == "catalogue.InformationRequestReceived"]
    assert _platform_view(app, item)["data"] == data  # a webhook carries exactly what a platform reads


def test_an_incident_summary_reaches_platforms_without_a_citizens_phone(settings: Settings) -> None:
    with service_client("opinion", settings) as opinion:
        incident = {
            "title": "小区停水引发投诉",
            "summary": "市民反映停水三天，来电13912345678，要求尽快恢复供水。",
            "source": "hotline_12345",
            "detected_at": "2026-11-20T08:00:00+08:00",
            "topic": "housing",
            "severity": "general",
            "emergency": False,
            "lead_department": "FIN",
        }
        made = opinion.post("/opinion/v1/incidents", json=incident, headers=auth(settings, "office"))
        assert made.status_code == 201, made.text
        [platform] = _feed(opinion, settings, "platform", "opinion.IncidentReported")
        assert platform["data"]["summary"] == f"市民反映停水三天，来电{REDACTION}，要求尽快恢复供水。"  # type: ignore[index]
        assert platform["data"]["title"] == "小区停水引发投诉"  # type: ignore[index]
        assert platform["redacted"] is True


def test_store_errors_carry_no_bound_values(settings: Settings) -> None:
    with (
        open_application("catalogue", settings) as app,
        app.store.engine.connect() as connection,
        pytest.raises(DBAPIError) as failed,
    ):
        connection.execute(text("INSERT INTO no_such_table (x) VALUES (:x)"), {"x": "13700001111"})
    assert "13700001111" not in str(failed.value)  # its text is what a log line would show
    assert "hidden" in str(failed.value)  # SQLAlchemy says the parameters were left out


def test_the_log_check_catches_a_leak() -> None:
    check = LogLeaks()
    logger = logging.getLogger("openness.test-leak")
    logger.addHandler(check)
    logger.propagate = False  # this one deliberate leak stays out of the run's own check
    try:
        logger.warning("request", extra={"path": "/catalogue/v1/records", "principal": "li.si"})
        assert check.leaks == []
        logger.warning("failed for %s", "13700001111")
        assert len(check.leaks) == 1
        assert "13700001111" in check.leaks[0]
    finally:
        logger.removeHandler(check)
