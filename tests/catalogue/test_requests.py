"""Information requests through every path, with deadlines computed by hand across National Day 2026."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.support import assert_problem, auth

# Working days of autumn 2026 (National Day 10-01..10-07; Saturday 10-10 worked):
# 09-28 Mon, 09-29, 09-30 | 10-08 Thu, 10-09, 10-10 Sat | 10-12..10-16 | 10-19..10-23 | 10-26..10-30 | 11-02..


def request_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "department": "FIN",
        "applicant": {"type": "natural_person", "name": "李四", "contact": "13912345678"},
        "description": "申请公开2025年度部门决算",
        "channel": "online",
        "received_on": "2026-09-28",
    }
    body.update(overrides)
    return body


def _receive(client: TestClient, settings: Settings, **overrides: Any) -> dict[str, Any]:
    response = client.post(
        "/catalogue/v1/requests", json=request_body(**overrides), headers=auth(settings, "editor", dept="FIN")
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _step(client: TestClient, settings: Settings, request: dict[str, Any], verb: str, **body: Any) -> Any:
    return client.post(
        f"/catalogue/v1/requests/{request['id']}/{verb}", json=body, headers=auth(settings, "editor", dept="FIN")
    )


def test_plain_reply_within_20_working_days(catalogue: TestClient, settings: Settings) -> None:
    request = _receive(catalogue, settings)
    # 09-29 (1), 09-30 (2), 10-08 (3), 10-09 (4), 10-10 (5), 10-12..16 (6-10), 10-19..23 (11-15), 10-26..30 (16-20)
    assert request["due_on"] == "2026-10-30"
    assert len(request["query_code"]) == 12
    replied = _step(catalogue, settings, request, "replied", on="2026-10-30", outcome="granted").json()
    assert (replied["status"], replied["outcome"], replied["on_time"]) == ("replied", "granted", True)
    assert_problem(_step(catalogue, settings, request, "replied", on="2026-10-30", outcome="granted"), 409)


def test_clarification_restarts_the_clock_and_a_late_notice_is_flagged(
    catalogue: TestClient, settings: Settings
) -> None:
    request = _receive(catalogue, settings)
    # The notice is due 7 working days after 09-28: 09-29, 09-30, 10-08, 10-09, 10-10, 10-12, 10-13.
    waiting = _step(
        catalogue, settings, request, "clarification-requested", on="2026-10-14", note="请明确所需信息的年度"
    ).json()
    clarification = waiting["deadline"]["clarification"]
    assert (clarification["notice_due_on"], clarification["late_notice"]) == ("2026-10-13", True)
    assert waiting["status"] == "awaiting_clarification"
    assert waiting["due_on"] is None
    assert waiting["deadline"]["clock_stopped"] is True
    assert_problem(
        _step(catalogue, settings, request, "replied", on="2026-10-15", outcome="granted"),
        409,
        "invalid_state",
        "awaiting_clarification",
    )
    restarted = _step(catalogue, settings, request, "clarified", on="2026-10-16").json()
    # 20 working days after 10-16: 10-19..23 (5), 10-26..30 (10), 11-02..06 (15), 11-09..13 (20).
    assert (restarted["deadline"]["start_on"], restarted["deadline"]["start_reason"]) == ("2026-10-16", "clarified")
    assert restarted["due_on"] == "2026-11-13"
    on_time = _step(catalogue, settings, request, "clarified", on="2026-10-17")
    assert_problem(on_time, 409)
    other = _receive(catalogue, settings)
    timely = _step(catalogue, settings, other, "clarification-requested", on="2026-10-13", note="请补正").json()
    assert timely["deadline"]["clarification"]["late_notice"] is False


def test_a_consultation_pauses_the_clock(catalogue: TestClient, settings: Settings) -> None:
    request = _receive(catalogue, settings)
    _step(catalogue, settings, request, "consultation-started", on="2026-10-09", party="third_party")
    ended = _step(catalogue, settings, request, "consultation-ended", on="2026-10-16").json()
    # Paused working days after 10-09 up to 10-16: 10-10, 10-12, 10-13, 10-14, 10-15, 10-16 = 6.
    assert ended["deadline"]["paused_working_days"] == 6
    # 26 working days after 09-28: 10-30 is the 20th, then 11-02..11-06 (21-25), 11-09 (26).
    assert ended["due_on"] == "2026-11-09"
    assert_problem(_step(catalogue, settings, request, "consultation-ended", on="2026-10-17"), 409)


def test_one_extension_and_a_second_is_refused(catalogue: TestClient, settings: Settings) -> None:
    request = _receive(catalogue, settings)
    too_long = _step(
        catalogue,
        settings,
        request,
        "extended",
        on="2026-10-20",
        working_days=21,
        approved_by="办公室主任",
        reason="量大",
    )
    assert_problem(too_long, 422, "extension_too_long")
    extended = _step(
        catalogue,
        settings,
        request,
        "extended",
        on="2026-10-20",
        working_days=10,
        approved_by="办公室主任",
        reason="需调取档案",
    ).json()
    assert extended["deadline"]["extension_working_days"] == 10
    assert extended["due_on"] == "2026-11-13"  # 10-30 + 10 working days: 11-02..06, 11-09..13
    again = _step(
        catalogue, settings, request, "extended", on="2026-10-21", working_days=5, approved_by="主任", reason="再延"
    )
    assert_problem(again, 409, "invalid_state", "already_extended")


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        ("granted", None),
        ("partially_granted", None),
        ("refused", "third_party_rights"),
        ("unable_to_provide", "not_held"),
        ("not_processed", "petition_or_complaint"),
        ("other", "fee_overdue"),
    ],
)
def test_each_outcome_family(catalogue: TestClient, settings: Settings, outcome: str, reason: str | None) -> None:
    replied = _step(
        catalogue, settings, _receive(catalogue, settings), "replied", on="2026-11-02", outcome=outcome, reason=reason
    )
    assert replied.status_code == 200, replied.text
    assert (replied.json()["outcome"], replied.json()["outcome_reason"], replied.json()["on_time"]) == (
        outcome,
        reason,
        False,
    )


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        ("refused", None),
        ("granted", "state_secret"),
        ("refused", "not_held"),
        ("approved", None),
        ("refused", "Because"),
    ],
)
def test_outcomes_outside_the_closed_lists_are_422(
    catalogue: TestClient, settings: Settings, outcome: str, reason: str | None
) -> None:
    request = _receive(catalogue, settings)
    assert_problem(_step(catalogue, settings, request, "replied", on="2026-10-20", outcome=outcome, reason=reason), 422)
    assert catalogue.get("/catalogue/v1/audit/head").json()["position"] == 1


def test_appeals_after_the_reply(catalogue: TestClient, settings: Settings) -> None:
    request = _receive(catalogue, settings)
    assert_problem(
        _step(catalogue, settings, request, "appealed", on="2026-10-20", kind="reconsideration", result="pending"), 409
    )
    _step(catalogue, settings, request, "replied", on="2026-10-20", outcome="refused", reason="state_secret")
    assert (
        _step(
            catalogue, settings, request, "appealed", on="2026-11-20", kind="reconsideration", result="upheld"
        ).status_code
        == 200
    )
    assert (
        _step(
            catalogue,
            settings,
            request,
            "appealed",
            on="2026-11-25",
            kind="litigation_after_reconsideration",
            result="pending",
        ).status_code
        == 200
    )
    assert_problem(
        _step(catalogue, settings, request, "appealed", on="2026-10-01", kind="litigation", result="other"), 422
    )
    table4 = catalogue.get("/catalogue/v1/annual-reports/2026?department=FIN").json()["table4"]
    assert table4["reconsideration"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}
    assert table4["litigation_after_reconsideration"]["pending"] == 1


def test_dates_out_of_order_and_other_departments(catalogue: TestClient, settings: Settings) -> None:
    request = _receive(catalogue, settings)
    assert_problem(
        _step(catalogue, settings, request, "replied", on="2026-09-01", outcome="granted"), 422, "date_out_of_order"
    )
    edu = auth(settings, "editor", dept="EDU")
    assert_problem(
        catalogue.post(
            f"/catalogue/v1/requests/{request['id']}/replied",
            json={"on": "2026-10-01", "outcome": "granted"},
            headers=edu,
        ),
        403,
    )
    assert_problem(catalogue.post("/catalogue/v1/requests", json=request_body(), headers=edu), 403)
    assert_problem(catalogue.get(f"/catalogue/v1/requests/{request['id']}", headers=edu), 404)
    assert catalogue.get("/catalogue/v1/audit/head").json()["position"] == 1


def test_overdue_and_due_soon_for_a_department(catalogue: TestClient, settings: Settings) -> None:
    late = _receive(catalogue, settings, received_on="2026-09-28")
    soon = _receive(catalogue, settings, received_on="2026-11-01")
    later = _receive(catalogue, settings, received_on="2026-11-20")
    app = catalogue.app.state.application  # type: ignore[attr-defined]
    from datetime import UTC, datetime

    app.clock = lambda: datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    lists = catalogue.get(
        "/catalogue/v1/requests/overdue?department=FIN", headers=auth(settings, "head", dept="FIN")
    ).json()
    assert [r["id"] for r in lists["late"]] == [late["id"]]
    assert [r["id"] for r in lists["due_soon"]] == [soon["id"]]  # due 11-27, within 5 working days
    assert later["id"] not in [r["id"] for r in lists["late"] + lists["due_soon"]]
    assert_problem(
        catalogue.get("/catalogue/v1/requests/overdue?department=FIN", headers=auth(settings, "editor", dept="EDU")),
        403,
    )
