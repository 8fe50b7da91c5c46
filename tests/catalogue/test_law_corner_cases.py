"""api.md "Law corner cases" through HTTP: what an editor, the office and the public see."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.rules.contacts import REDACTION
from shared.settings import Settings
from tests.catalogue.builders import draft, publish
from tests.catalogue.test_requests import _receive, _step, request_body
from tests.support import assert_problem, auth


def _set_today(client: TestClient, instant: datetime) -> None:
    client.app.state.application.clock = lambda: instant  # type: ignore[attr-defined]


def _head(client: TestClient) -> int:
    return int(client.get("/catalogue/v1/audit/head").json()["position"])


# --- requests ---------------------------------------------------------------------------------------


def test_clarification_names_reply_by_and_an_abandoned_request_closes_under_line_6_1(
    catalogue: TestClient, settings: Settings
) -> None:
    request = _receive(catalogue, settings, received_on="2026-03-02")
    waiting = _step(catalogue, settings, request, "clarification-requested", on="2026-03-04", note="请说明所需信息")
    assert waiting.status_code == 200, waiting.text
    # No reply_by given: 15 working days after the notice.
    assert waiting.json()["clarification_reply_by"] == "2026-03-25"
    assert waiting.json()["deadline"]["clarification"]["reply_by"] == "2026-03-25"
    assert_problem(
        _step(
            catalogue, settings, request, "replied", on="2026-03-25", outcome="other", reason="clarification_overdue"
        ),
        409,
        "invalid_state",
        "clarification_not_overdue",
    )
    assert_problem(
        _step(catalogue, settings, request, "replied", on="2026-03-26", outcome="granted"),
        409,
        "invalid_state",
        "awaiting_clarification",
    )
    closed = _step(
        catalogue, settings, request, "replied", on="2026-03-26", outcome="other", reason="clarification_overdue"
    )
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["due_on"], closed.json()["on_time"]) == ("replied", None, None)
    table3 = catalogue.get("/catalogue/v1/annual-reports/2026?department=FIN").json()["table3"]["rows"]
    assert table3["outcome.other.clarification_overdue"]["total"] == 1
    assert table3["carried_over_to_next_year"]["total"] == 0
    assert table3["new"]["total"] == 1


def test_reply_by_is_a_date_after_the_notice(catalogue: TestClient, settings: Settings) -> None:
    request = _receive(catalogue, settings, received_on="2026-03-02")
    before = _head(catalogue)
    bad = _step(
        catalogue, settings, request, "clarification-requested", on="2026-03-04", note="补正", reply_by="2026-03-04"
    )
    assert_problem(bad, 409, "invalid_state")
    assert _head(catalogue) == before
    named = _step(
        catalogue, settings, request, "clarification-requested", on="2026-03-04", note="补正", reply_by="2026-03-11"
    )
    assert named.json()["clarification_reply_by"] == "2026-03-11"
    closed = _step(
        catalogue, settings, request, "replied", on="2026-03-12", outcome="other", reason="clarification_overdue"
    )
    assert closed.status_code == 200, closed.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/catalogue/v1/requests", {"received_on": "2026-11-29"}),
        ("/catalogue/v1/proposals", {"replied_on": "2026-11-29"}),
    ],
)
def test_creates_dated_in_the_future_are_422_in_future(
    catalogue: TestClient, settings: Settings, path: str, body: dict[str, Any]
) -> None:
    _set_today(catalogue, datetime(2026, 11, 28, 15, 59, tzinfo=UTC))  # 23:59 on 11-28 in Shanghai
    payloads = {
        "/catalogue/v1/requests": request_body(**body),
        "/catalogue/v1/proposals": {
            "kind": "npc_suggestion",
            "number": "第0001号",
            "title": "关于加快老旧小区改造的建议",
            "handler_department": "FIN",
            "reply_text": "已采纳",
            **body,
        },
    }
    before = _head(catalogue)
    response = catalogue.post(path, json=payloads[path], headers=auth(settings, "editor", dept="FIN"))
    assert_problem(response, 422, "in_future")
    assert _head(catalogue) == before


def test_a_step_dated_tomorrow_is_422_in_future(catalogue: TestClient, settings: Settings) -> None:
    _set_today(catalogue, datetime(2026, 11, 28, 2, 0, tzinfo=UTC))
    request = _receive(catalogue, settings, received_on="2026-11-27")
    before = _head(catalogue)
    for verb, body in (
        ("replied", {"on": "2026-11-29", "outcome": "granted"}),
        ("consultation-started", {"on": "2026-11-29", "party": "third_party"}),
        ("extended", {"on": "2026-11-29", "working_days": 5, "approved_by": "主任", "reason": "需要协调"}),
    ):
        assert_problem(_step(catalogue, settings, request, verb, **body), 422, "in_future")
    assert _head(catalogue) == before
    assert _step(catalogue, settings, request, "replied", on="2026-11-28", outcome="granted").status_code == 200


def test_an_extension_after_the_deadline_is_409_deadline_passed(catalogue: TestClient, settings: Settings) -> None:
    request = _receive(catalogue, settings)  # received 09-28, due 10-30
    extension = {"working_days": 10, "approved_by": "公开办主任", "reason": "需要协调"}
    before = _head(catalogue)
    assert_problem(
        _step(catalogue, settings, request, "extended", on="2026-11-02", **extension),
        409,
        "invalid_state",
        "deadline_passed",
    )
    assert _head(catalogue) == before
    extended = _step(catalogue, settings, request, "extended", on="2026-10-30", **extension)
    assert extended.status_code == 200, extended.text
    assert extended.json()["due_on"] == "2026-11-13"


def test_a_pause_that_ended_before_the_restart_adds_nothing(catalogue: TestClient, settings: Settings) -> None:
    request = _receive(catalogue, settings, received_on="2026-03-02")
    _step(catalogue, settings, request, "consultation-started", on="2026-03-03", party="third_party")
    _step(catalogue, settings, request, "consultation-ended", on="2026-03-06")
    _step(catalogue, settings, request, "clarification-requested", on="2026-03-09", note="补正", reply_by="2026-03-20")
    restarted = _step(catalogue, settings, request, "clarified", on="2026-03-16").json()
    assert restarted["deadline"]["start_on"] == "2026-03-16"
    assert restarted["deadline"]["paused_working_days"] == 0
    # 20 working days after 03-16: 04-13 (Qingming 04-04..06; no work on Saturday 04-04).
    assert restarted["due_on"] == "2026-04-14"


def test_an_appeal_result_is_updated_and_counted_once(catalogue: TestClient, settings: Settings) -> None:
    _set_today(catalogue, datetime(2026, 11, 28, 2, 0, tzinfo=UTC))  # so that 11-29 below is tomorrow
    request = _receive(catalogue, settings)
    _step(catalogue, settings, request, "replied", on="2026-10-20", outcome="refused", reason="state_secret")
    appealed = _step(
        catalogue, settings, request, "appealed", on="2026-11-02", kind="reconsideration", result="pending"
    )
    [appeal] = appealed.json()["appeals"]
    assert (appeal["kind"], appeal["result"]) == ("reconsideration", "pending")
    url = f"/catalogue/v1/requests/{request['id']}/appeals/{appeal['appeal_id']}/result"
    fin = auth(settings, "editor", dept="FIN")
    updated = catalogue.post(url, json={"on": "2026-11-20", "result": "corrected"}, headers=fin)
    assert updated.status_code == 200, updated.text
    [appeal] = updated.json()["appeals"]
    assert appeal["result"] == "corrected"
    assert [r["result"] for r in appeal["results"]] == ["pending", "corrected"]
    table4 = catalogue.get("/catalogue/v1/annual-reports/2026?department=FIN").json()["table4"]
    assert table4["reconsideration"] == {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1}
    assert_problem(catalogue.post(url, json={"on": "2026-11-29", "result": "upheld"}, headers=fin), 422, "in_future")
    missing = f"/catalogue/v1/requests/{request['id']}/appeals/99/result"
    assert_problem(catalogue.post(missing, json={"on": "2026-11-20", "result": "upheld"}, headers=fin), 404)
    other = auth(settings, "editor", dept="EDU")
    assert_problem(catalogue.post(url, json={"on": "2026-11-20", "result": "upheld"}, headers=other), 403)


def test_a_result_recorded_after_the_year_end_does_not_change_that_years_table(
    catalogue: TestClient, settings: Settings
) -> None:
    _set_today(catalogue, datetime(2027, 3, 1, 2, 0, tzinfo=UTC))
    request = _receive(catalogue, settings)
    _step(catalogue, settings, request, "replied", on="2026-10-20", outcome="refused", reason="state_secret")
    appeal = _step(catalogue, settings, request, "appealed", on="2026-11-02", kind="litigation", result="pending")
    appeal_id = appeal.json()["appeals"][0]["appeal_id"]
    url = f"/catalogue/v1/requests/{request['id']}/appeals/{appeal_id}/result"
    catalogue.post(url, json={"on": "2027-02-01", "result": "upheld"}, headers=auth(settings, "editor", dept="FIN"))
    y2026 = catalogue.get("/catalogue/v1/annual-reports/2026?department=FIN").json()["table4"]["litigation"]
    assert (y2026["pending"], y2026["upheld"], y2026["total"]) == (1, 0, 1)


# --- the annual report -----------------------------------------------------------------------------


def test_the_annual_report_is_published_by_the_head_and_judged_against_31_january(
    catalogue: TestClient, settings: Settings
) -> None:
    _set_today(catalogue, datetime(2027, 1, 20, 2, 0, tzinfo=UTC))
    report = catalogue.get("/catalogue/v1/annual-reports/2026?department=FIN").json()
    assert (report["due_on"], report["published_at"], report["on_time"]) == ("2027-01-31", None, None)
    city = catalogue.get("/catalogue/v1/annual-reports/2026").json()
    assert city["due_on"] == "2027-03-31"
    url = "/catalogue/v1/annual-reports/2026/publish?department=FIN"
    assert_problem(catalogue.post(url, headers=auth(settings, "editor", dept="FIN")), 403)
    assert_problem(catalogue.post(url, headers=auth(settings, "head", dept="EDU")), 403)
    published = catalogue.post(url, headers=auth(settings, "head", dept="FIN"))
    assert published.status_code == 200, published.text
    assert published.json()["on_time"] is True
    assert published.json()["published_at"].startswith("2027-01-20T10:00:00")
    assert_problem(catalogue.post(url, headers=auth(settings, "head", dept="FIN")), 409, "invalid_state")
    assert catalogue.get("/catalogue/v1/annual-reports/2026?department=FIN").json()["on_time"] is True
    # The city's report: the office publishes it, here late.
    _set_today(catalogue, datetime(2027, 4, 1, 2, 0, tzinfo=UTC))
    assert catalogue.get("/catalogue/v1/annual-reports/2026").json()["on_time"] is False
    assert_problem(
        catalogue.post("/catalogue/v1/annual-reports/2026/publish", headers=auth(settings, "head", dept="FIN")), 403
    )
    late = catalogue.post("/catalogue/v1/annual-reports/2026/publish", headers=auth(settings, "office"))
    assert late.json()["on_time"] is False


# --- records and items -----------------------------------------------------------------------------


def test_budgets_default_to_20_calendar_days_and_a_stated_limit_wins(catalogue: TestClient, settings: Settings) -> None:
    budget = draft(catalogue, settings, category="budget", formed_on="2026-09-15")
    # 09-15 + 20 days = 10-05, inside the National Day holiday: moved to 10-08.
    assert budget["deadline"] == {
        "start_on": "2026-09-15",
        "kind": "calendar",
        "days": 20,
        "working_days": None,
        "due_on": "2026-10-08",
        "calendar_provisional": False,
    }
    final_account = draft(catalogue, settings, category="final_account", formed_on="2026-09-15")
    assert final_account["deadline"]["kind"] == "calendar"
    stated = draft(
        catalogue, settings, category="budget", formed_on="2026-09-15", time_limit_days={"days": 5, "kind": "working"}
    )
    # Sunday 09-20 is worked (调休 for National Day): 09-16, 17, 18, 20, 21.
    assert (stated["deadline"]["kind"], stated["due_on"]) == ("working", "2026-09-21")
    late = publish(catalogue, settings, budget)
    assert late["on_time"] is False


def test_an_items_calendar_day_limit_reaches_its_records(catalogue: TestClient, settings: Settings) -> None:
    office = auth(settings, "office")
    item = {
        "code": "FIN-ACCOUNTS",
        "name": "部门决算",
        "area": "fiscal_budget",
        "content": "决算报表及说明",
        "basis": "预算法 第十四条",
        "department": "FIN",
        "time_limit_days": {"days": 20, "kind": "calendar"},
        "channels": ["website"],
    }
    registered = catalogue.post("/catalogue/v1/items", json=item, headers=office)
    assert registered.status_code == 201, registered.text
    assert registered.json()["time_limit_days"] == {"days": 20, "kind": "calendar"}
    record = draft(catalogue, settings, category="announcement", item_code="FIN-ACCOUNTS", formed_on="2026-09-15")
    assert (record["deadline"]["kind"], record["due_on"]) == ("calendar", "2026-10-08")


def test_public_welfare_items_need_standard_and_procedure(catalogue: TestClient, settings: Settings) -> None:
    office = auth(settings, "office")
    item = {
        "code": "EDU-ENROL-02",
        "name": "义务教育招生",
        "area": "public_welfare",
        "content": "招生范围、条件",
        "basis": "义务教育法",
        "department": "EDU",
        "channels": ["website"],
    }
    before = _head(catalogue)
    problem = assert_problem(catalogue.post("/catalogue/v1/items", json=item, headers=office), 422)
    assert problem["code"] == "public_welfare_elements_missing"
    assert [e["loc"] for e in problem["errors"]] == [["body", "standard"], ["body", "procedure"]]
    assert _head(catalogue) == before
    full = {**item, "standard": "招生计划、划片范围", "procedure": "报名、审核、公示、录取"}
    created = catalogue.post("/catalogue/v1/items", json=full, headers=office)
    assert created.status_code == 201, created.text
    assert (created.json()["standard"], created.json()["procedure"]) == ("招生计划、划片范围", "报名、审核、公示、录取")
    emptied = catalogue.post("/catalogue/v1/items/EDU-ENROL-02/update", json={"procedure": " "}, headers=office)
    assert_problem(emptied, 422, "public_welfare_elements_missing")


def test_published_replies_drop_contact_details_in_any_written_form(catalogue: TestClient, settings: Settings) -> None:
    fin = auth(settings, "editor", dept="FIN")
    text = "经研究已采纳。联系人：王五，电话（０２１）６４３２１２３４，手机 +86 138-1234-5678，邮箱 wang5@example.gov.cn。"
    body = {
        "kind": "cppcc_proposal",
        "number": "第0042号",
        "title": "关于完善社区养老服务的提案",
        "handler_department": "FIN",
        "replied_on": "2026-10-20",
        "reply_text": text,
    }
    made = catalogue.post("/catalogue/v1/proposals", json=body, headers=fin).json()
    published = catalogue.post(f"/catalogue/v1/proposals/{made['id']}/publish", headers=fin).json()
    assert published["published_text"] == (
        f"经研究已采纳。联系人：王五，电话{REDACTION}，手机 {REDACTION}，邮箱 {REDACTION}。"
    )
    public = catalogue.get(f"/catalogue/v1/proposals/{made['id']}").json()
    assert public["reply_text"] is None
    for detail in ("６４３２", "1234-5678", "wang5"):
        assert detail not in str(public)
