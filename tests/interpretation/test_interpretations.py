"""Interpretations in step with their policies (三同步), the heads' quota, and what still awaits one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.calendar import WorkingCalendar
from shared.rules.interpretation import lag_working_days
from shared.settings import Settings
from tests.bad_input import RAW_BODIES
from tests.catalogue.builders import draft, publish
from tests.support import assert_problem, auth, service_client


class Clocks:
    """Sets the server clock of both services (published_at is the server's, not the client's)."""

    def __init__(self, *clients: TestClient) -> None:
        self.apps = [c.app.state.application for c in clients]  # type: ignore[attr-defined]

    def set(self, moment: str) -> None:
        at = datetime.fromisoformat(moment).astimezone(UTC)
        for app in self.apps:
            app.clock = lambda at=at: at


@pytest.fixture
def world(settings: Settings) -> Iterator[tuple[TestClient, TestClient, Clocks]]:
    with (
        service_client("catalogue", settings) as catalogue,
        service_client("interpretation", settings) as interpretation,
    ):
        for follower in interpretation.app.state.followers:  # type: ignore[attr-defined]
            follower.client, follower.base_url = catalogue, "http://testserver"
        yield catalogue, interpretation, Clocks(catalogue, interpretation)


def _policy(catalogue: TestClient, settings: Settings, clocks: Clocks, at: str, dept: str = "FIN") -> dict[str, Any]:
    clocks.set(at)
    return publish(
        catalogue, settings, draft(catalogue, settings, dept=dept, category="policy", title="关于促进消费的若干政策")
    )


def _interpret(
    client: TestClient, settings: Settings, policy_id: str, principal: bool = False, dept: str = "FIN"
) -> dict[str, Any]:
    body = {
        "department": dept,
        "policy_record_id": policy_id,
        "title": "政策解读",
        "form": "press_conference",
        "interpreter": {"name": "局长", "position": "局长", "principal": principal},
        "media_url": "https://example.gov.cn/v/1",
    }
    response = client.post("/interpretation/v1/interpretations", json=body, headers=auth(settings, "editor", dept=dept))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _publish(
    client: TestClient, settings: Settings, clocks: Clocks, interpretation: dict[str, Any], at: str, role: str = "head"
) -> dict[str, Any]:
    clocks.set(at)
    response = client.post(
        f"/interpretation/v1/interpretations/{interpretation['id']}/publish",
        headers=auth(settings, role, dept=interpretation["department"]),
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_the_sync_rule_counts_working_days_across_national_day() -> None:
    calendar = WorkingCalendar()
    policy = datetime(2026, 9, 30, 10, 0, tzinfo=UTC)
    # 10-01..07 holiday: 10-08 is working day 1, 10-09 is 2, Saturday 10-10 (调休) is 3, 10-12 is 4.
    assert lag_working_days(calendar, policy, datetime(2026, 10, 10, 2, 0, tzinfo=UTC)) == 3
    assert lag_working_days(calendar, policy, datetime(2026, 10, 12, 2, 0, tzinfo=UTC)) == 4
    assert lag_working_days(calendar, policy, datetime(2026, 9, 29, 2, 0, tzinfo=UTC)) == 0  # before the policy


def test_published_within_3_working_days_across_the_holiday_is_in_sync(world: Any, settings: Settings) -> None:
    catalogue, interpretation, clocks = world
    policy = _policy(catalogue, settings, clocks, "2026-09-30T10:00:00+08:00")
    on_time = _publish(
        interpretation,
        settings,
        clocks,
        _interpret(interpretation, settings, policy["id"]),
        "2026-10-10T16:00:00+08:00",
    )
    assert (on_time["lag_working_days"], on_time["in_sync"]) == (3, True)
    late = _publish(
        interpretation,
        settings,
        clocks,
        _interpret(interpretation, settings, policy["id"]),
        "2026-10-12T09:00:00+08:00",
    )
    assert (late["lag_working_days"], late["in_sync"]) == (4, False)
    together = _policy(catalogue, settings, clocks, "2026-11-02T09:00:00+08:00")
    ahead = _interpret(interpretation, settings, together["id"])
    assert _publish(interpretation, settings, clocks, ahead, "2026-11-02T08:00:00+08:00")["lag_working_days"] == 0


def test_withdrawal_and_department_rules(world: Any, settings: Settings) -> None:
    catalogue, interpretation, clocks = world
    policy = _policy(catalogue, settings, clocks, "2026-11-02T09:00:00+08:00")
    item = _interpret(interpretation, settings, policy["id"])
    url = f"/interpretation/v1/interpretations/{item['id']}"
    assert_problem(interpretation.get(url), 404)  # a draft is not public
    edu = auth(settings, "editor", dept="EDU")
    assert_problem(interpretation.post(f"{url}/publish", headers=edu), 404)
    other = {**_body(policy["id"]), "department": "FIN"}
    assert_problem(interpretation.post("/interpretation/v1/interpretations", json=other, headers=edu), 403)
    _publish(interpretation, settings, clocks, item, "2026-11-03T09:00:00+08:00", role="editor")
    assert interpretation.get(url).status_code == 200
    assert_problem(interpretation.post(f"{url}/withdraw", json={"reason": "x"}, headers=edu), 403)
    withdrawn = interpretation.post(
        f"{url}/withdraw", json={"reason": "口径调整"}, headers=auth(settings, "editor", dept="FIN")
    )
    assert withdrawn.json()["status"] == "withdrawn"
    assert interpretation.get("/interpretation/v1/interpretations").json()["items"] == []


def _body(policy_id: str) -> dict[str, Any]:
    return {
        "department": "FIN",
        "policy_record_id": policy_id,
        "title": "解读",
        "form": "text",
        "interpreter": {"name": "王", "position": "处长", "principal": False},
        "body": "正文",
    }


def test_the_quota_counts_principal_interpretations_published_in_the_year(world: Any, settings: Settings) -> None:
    catalogue, interpretation, clocks = world
    for n, month in enumerate(("2026-03", "2026-06", "2026-09")):
        policy = _policy(catalogue, settings, clocks, f"{month}-01T09:00:00+08:00")
        _publish(
            interpretation,
            settings,
            clocks,
            _interpret(interpretation, settings, policy["id"], principal=True),
            f"{month}-02T09:00:00+08:00",
        )
        if n == 0:  # one by the head of EDU too, and one not principal
            edu_policy = _policy(catalogue, settings, clocks, f"{month}-01T10:00:00+08:00", dept="EDU")
            _publish(
                interpretation,
                settings,
                clocks,
                _interpret(interpretation, settings, edu_policy["id"], True, "EDU"),
                f"{month}-03T09:00:00+08:00",
            )
            _publish(
                interpretation,
                settings,
                clocks,
                _interpret(interpretation, settings, policy["id"]),
                f"{month}-03T09:00:00+08:00",
            )
    new_year = _policy(catalogue, settings, clocks, "2026-12-31T09:00:00+08:00")
    _publish(
        interpretation,
        settings,
        clocks,
        _interpret(interpretation, settings, new_year["id"], principal=True),
        "2027-01-01T00:30:00+08:00",
    )
    quota = {q["department"]: q for q in interpretation.get("/interpretation/v1/quota/2026").json()["items"]}
    assert quota["FIN"] == {"department": "FIN", "principal_published": 3, "required": 3, "met": True}
    assert quota["EDU"] == {"department": "EDU", "principal_published": 1, "required": 3, "met": False}
    assert quota["HEALTH"]["principal_published"] == 0
    assert interpretation.get("/interpretation/v1/quota/2027").json()["items"][2]["principal_published"] == 1
    assert_problem(interpretation.get("/interpretation/v1/quota/99999"), 422)


def test_awaiting_lists_policies_without_an_interpretation(world: Any, settings: Settings) -> None:
    catalogue, interpretation, clocks = world
    explained = _policy(catalogue, settings, clocks, "2026-09-30T10:00:00+08:00")
    _publish(
        interpretation,
        settings,
        clocks,
        _interpret(interpretation, settings, explained["id"]),
        "2026-10-08T10:00:00+08:00",
    )
    overdue = _policy(catalogue, settings, clocks, "2026-09-30T11:00:00+08:00")
    fresh = _policy(catalogue, settings, clocks, "2026-10-09T11:00:00+08:00")
    publish(catalogue, settings, draft(catalogue, settings, category="budget", title="不需解读的预算"))
    clocks.set("2026-10-12T09:00:00+08:00")
    interpretation.app.state.followers[0].catch_up()
    listed = interpretation.get(
        "/interpretation/v1/awaiting?department=FIN", headers=auth(settings, "editor", dept="FIN")
    ).json()["items"]
    by_id = {i["policy_record_id"]: i for i in listed}
    assert set(by_id) == {overdue["id"], fresh["id"]}
    assert by_id[overdue["id"]]["due_on"] == "2026-10-10"
    assert by_id[overdue["id"]]["overdue_working_days"] == 1
    assert by_id[fresh["id"]]["due_on"] == "2026-10-13"  # 3 after 10-09: 10-10 (调休), 10-12, 10-13
    assert by_id[fresh["id"]]["working_days_left"] == 1  # seen on 10-12
    assert_problem(
        interpretation.get("/interpretation/v1/awaiting?department=FIN", headers=auth(settings, "editor", dept="EDU")),
        403,
    )
    assert_problem(interpretation.get("/interpretation/v1/awaiting?department=FIN"), 401)


def test_a_revoked_policy_takes_no_new_interpretation(world: Any, settings: Settings) -> None:
    catalogue, interpretation, clocks = world
    policy = _policy(catalogue, settings, clocks, "2026-11-02T09:00:00+08:00")
    catalogue.post(
        f"/catalogue/v1/records/{policy['id']}/revoke", json={"reason": "废止"}, headers=auth(settings, "office")
    )
    interpretation.app.state.followers[0].catch_up()
    response = interpretation.post(
        "/interpretation/v1/interpretations", json=_body(policy["id"]), headers=auth(settings, "editor", dept="FIN")
    )
    assert_problem(response, 422, "policy_revoked")


@pytest.mark.parametrize("mangle", RAW_BODIES.values(), ids=RAW_BODIES.keys())
def test_bad_input_on_every_write_route(world: Any, settings: Settings, mangle: Any) -> None:
    catalogue, interpretation, clocks = world
    policy = _policy(catalogue, settings, clocks, "2026-11-02T09:00:00+08:00")
    item = _interpret(interpretation, settings, policy["id"])
    head = interpretation.get("/interpretation/v1/audit/head").json()["position"]
    fin = {**auth(settings, "head", dept="FIN"), "content-type": "application/json"}
    for path, body in (
        ("/interpretation/v1/interpretations", _body(policy["id"])),
        (f"/interpretation/v1/interpretations/{item['id']}/publish", {}),
        (f"/interpretation/v1/interpretations/{item['id']}/withdraw", {"reason": "r"}),
    ):
        response = interpretation.post(path, content=mangle(body), headers=fin)
        assert_problem(response, response.status_code)
        assert 400 <= response.status_code < 500
    for change in (
        {"form": "Video"},
        {"media_url": "javascript:alert(1)", "body": None},
        {"policy_record_id": "x"},
        {"interpreter": {"name": "a", "position": "b", "principal": "yes"}},
        {"body": None},
    ):
        assert_problem(
            interpretation.post(
                "/interpretation/v1/interpretations", json={**_body(policy["id"]), **change}, headers=fin
            ),
            422,
        )
    assert interpretation.get("/interpretation/v1/audit/head").json()["position"] == head


def test_the_policy_view_follows_exactly_once(world: Any, settings: Settings) -> None:
    catalogue, interpretation, clocks = world
    _policy(catalogue, settings, clocks, "2026-11-02T09:00:00+08:00")
    follower = interpretation.app.state.followers[0]
    follower.catch_up()
    follower.catch_up()
    app = interpretation.app.state.application
    assert app._policy(catalogue.get("/catalogue/v1/records").json()["items"][0]["id"]).published_at is not None
    assert follower.position() == 2
    assert (
        date(2026, 11, 2)
        == app._policy(catalogue.get("/catalogue/v1/records").json()["items"][0]["id"])
        .published_at.astimezone(UTC)
        .date()
    )


def test_an_interpretation_is_created_once_per_idempotency_key(world: Any, settings: Settings) -> None:
    catalogue, interpretation, clocks = world
    policy = _policy(catalogue, settings, clocks, "2026-10-09T10:00:00+08:00")
    body = {
        "department": "FIN",
        "policy_record_id": policy["id"],
        "title": "政策解读",
        "form": "graphic",
        "interpreter": {"name": "局长", "position": "局长", "principal": False},
        "body": "要点",
    }
    headers = {**auth(settings, "editor", dept="FIN"), "Idempotency-Key": "interpretation-1"}
    first = interpretation.post("/interpretation/v1/interpretations", json=body, headers=headers)
    again = interpretation.post("/interpretation/v1/interpretations", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert interpretation.get("/interpretation/v1/audit/head").json()["tree_size"] == 1
    other = interpretation.post("/interpretation/v1/interpretations", json={**body, "title": "另一个"}, headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")


def test_a_department_interprets_only_its_own_policies(world: Any, settings: Settings) -> None:
    catalogue, interpretation, clocks = world
    policy = _policy(catalogue, settings, clocks, "2026-10-09T10:00:00+08:00", dept="FIN")
    body = {
        "department": "EDU",
        "policy_record_id": policy["id"],
        "title": "替财政局解读",
        "form": "graphic",
        "interpreter": {"name": "局长", "position": "局长", "principal": False},
        "body": "要点",
    }
    refused = interpretation.post(
        "/interpretation/v1/interpretations", json=body, headers=auth(settings, "editor", dept="EDU")
    )
    assert_problem(refused, 422, "policy_of_other_department")
    assert interpretation.get("/interpretation/v1/audit/head").json()["position"] == 0


def test_a_principal_interpretation_the_head_published_is_withdrawn_by_a_head(world: Any, settings: Settings) -> None:
    catalogue, interpretation, clocks = world
    policy = _policy(catalogue, settings, clocks, "2026-10-09T10:00:00+08:00")
    made = _interpret(interpretation, settings, policy["id"], principal=True)
    url = f"/interpretation/v1/interpretations/{made['id']}"
    assert interpretation.post(f"{url}/publish", headers=auth(settings, "head", dept="FIN")).status_code == 200
    by_editor = interpretation.post(
        f"{url}/withdraw", json={"reason": "撤回"}, headers=auth(settings, "editor", dept="FIN")
    )
    assert_problem(by_editor, 403, "head_required")
    by_head = interpretation.post(
        f"{url}/withdraw", json={"reason": "撤回"}, headers=auth(settings, "head", dept="FIN")
    )
    assert by_head.status_code == 200, by_head.text
