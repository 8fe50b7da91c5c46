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


def test_a_platform_reader_gets_a_request_hidden_and_free_text_scrubbed_and_an_auditor_everything(
    catalogue: TestClient, settings: Settings
) -> None:
    body = {
        "department": "FIN",
        "applicant": {"type": "natural_person", "name": APPLICANT, "contact": "13700001111"},
        "description": DESCRIPTION,
        "channel": "online",
        "received_on": "2026-09-28",
    }
    made = catalogue.post("/catalogue/v1/requests", json=body, headers=auth(settings, "editor", dept="FIN"))
    assert made.status_code == 201, made.text
    note = "请补正：申请人称其邻居李四（电话13800002222，住和平里5号楼3单元101室）也需要此信息。"
    step = catalogue.post(
        f"/catalogue/v1/requests/{made.json()['id']}/clarification-requested",
        json={"on": "2026-09-29", "note": note},
        headers=auth(settings, "editor", dept="FIN"),
    )
    assert step.status_code == 200, step.text
    [platform] = _feed(catalogue, settings, "platform", "catalogue.InformationRequestReceived")
    [auditor] = _feed(catalogue, settings, "auditor", "catalogue.InformationRequestReceived")
    data = platform["data"]
    assert isinstance(data, dict)
    # The description is the citizen's own account (it names third parties as it likes): hidden whole.
    assert (data["applicant_name"], data["applicant_contact"], data["description"]) == ("***", "***", "***")
    assert "李四" not in str(platform)
    assert "110101199003077777" not in str(platform)
    assert platform["redacted"] is True
    assert auditor["data"]["description"] == DESCRIPTION  # type: ignore[index]
    assert auditor["redacted"] is False
    # A note about the request keeps its sense; phones, flats and e-mails are scrubbed.
    [clarification] = _feed(catalogue, settings, "platform", "catalogue.InformationRequestClarificationRequested")
    assert clarification["data"]["note"] == (  # type: ignore[index]
        f"请补正：申请人称其邻居李四（电话{REDACTION}，住和平里{REDACTION}）也需要此信息。"
    )
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


# Field names that hold a code, an enumeration, an identifier, a number, a flag or a moment, never
# prose a person wrote: the vocabulary the classification check below leaves alone.
_STRUCTURAL = {
    "originator_id", "originator_version", "originator_topic", "timestamp",
    "department", "lead_department", "cooperating_departments", "handler_department", "reporter_department",
    "category", "area", "item_code", "doc_number", "index_number", "code", "query_code", "number", "year",
    "kind", "form", "outcome", "party", "channel", "source", "external_id", "topic", "severity", "level",
    "rating", "section", "applicant_type", "disclosure", "needs_interpretation", "time_limit",
    "time_limit_working_days", "time_limit_kind", "working_days", "emergency", "incomplete_explanation",
    "result", "refs", "figures", "scheme", "policy_record_id", "decision_record_id", "appeal_id",
    "media_url", "types", "departments", "start_position", "reply_by", "on", "at",
}  # fmt: skip
# ... and names ending in _by (the account or the official who acted), _at and _on (moments).


def _event_classes(application: type) -> list[type]:
    from eventsourcing.domain import DomainEvent

    from shared.webhooks.domain import webhook_aggregate

    aggregates = (*application.aggregate_classes, webhook_aggregate(application.service))  # type: ignore[attr-defined]
    return [
        value
        for aggregate in aggregates
        for value in vars(aggregate).values()
        if isinstance(value, type) and issubclass(value, DomainEvent) and value.__name__ not in ("Event", "Created")
    ]


@pytest.mark.parametrize("service", ["catalogue", "interpretation", "opinion", "assessment"])
def test_every_text_field_of_every_event_is_classified(service: str) -> None:
    """Each field of each event type is structure (a code, id, number, moment) or text, and each
    text field is exactly one of: personal (hidden), free text (scrubbed), official (shown)."""
    import dataclasses
    import importlib

    from shared.application import type_name

    application = importlib.import_module(f"services.{service}.main").SPEC.application_class
    classified = 0
    for event_class in _event_classes(application):
        type_ = type_name(event_class.TOPIC)
        names = {f.name for f in dataclasses.fields(event_class)}
        maps = [
            set(application.personal_fields.get(type_, ())),
            set(application.free_text_fields.get(type_, ())),
            set(application.official_text_fields.get(type_, ())),
        ]
        for field in dataclasses.fields(event_class):
            name = field.name
            if name in _STRUCTURAL or name.endswith(("_by", "_at", "_on")):
                assert not any(name in m for m in maps), f"{type_}.{name} is structure, not text"
                continue
            homes = [m for m in maps if name in m]
            assert len(homes) == 1, f"{type_}.{name}: classify it as personal, free text or official text"
            classified += 1
        for m in maps:
            assert m <= names, f"{type_}: {sorted(m - names)} are classified but not fields of the event"
    assert classified >= 2  # the check looked at real text fields
