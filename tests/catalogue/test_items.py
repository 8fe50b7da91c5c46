"""The office keeps the disclosure catalogue; records take their time limit from their item."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.catalogue.builders import draft, record_body
from tests.support import assert_problem, auth


def item_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "FIN-BUDGET-01",
        "name": "部门预算",
        "area": "fiscal_budget",
        "content": "预算报表及说明",
        "basis": "《预算法》第十四条",
        "department": "FIN",
        "time_limit_working_days": 10,
        "channels": ["website", "gazette"],
        "audience": "public",
        "method": "proactive",
        "level": "city",
    }
    body.update(overrides)
    return body


def test_register_update_retire_and_filter(catalogue: TestClient, settings: Settings) -> None:
    office = auth(settings, "office")
    created = catalogue.post("/catalogue/v1/items", json=item_body(), headers=office)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/catalogue/v1/items/FIN-BUDGET-01"
    other = item_body(
        code="EDU-ENROL-01",
        name="招生入学",
        area="public_welfare",
        department="EDU",
        time_limit_working_days=None,
        standard="招生计划、范围、条件",
        procedure="报名、审核、公示、录取",
    )
    assert catalogue.post("/catalogue/v1/items", json=other, headers=office).json()["time_limit_working_days"] == 20
    updated = catalogue.post(
        "/catalogue/v1/items/FIN-BUDGET-01/update", json={"name": "部门预算及三公经费"}, headers=office
    )
    assert updated.json()["name"] == "部门预算及三公经费"
    assert updated.json()["version"] == 2
    assert [i["code"] for i in catalogue.get("/catalogue/v1/items?department=EDU").json()["items"]] == ["EDU-ENROL-01"]
    assert [i["code"] for i in catalogue.get("/catalogue/v1/items?area=fiscal_budget").json()["items"]] == [
        "FIN-BUDGET-01"
    ]
    retired = catalogue.post("/catalogue/v1/items/FIN-BUDGET-01/retire", json={"reason": "并入新事项"}, headers=office)
    assert retired.json()["retired"] is True
    assert [i["code"] for i in catalogue.get("/catalogue/v1/items").json()["items"]] == ["EDU-ENROL-01"]
    assert len(catalogue.get("/catalogue/v1/items?include_retired=true").json()["items"]) == 2


def test_only_the_office_keeps_the_catalogue(catalogue: TestClient, settings: Settings) -> None:
    editor = auth(settings, "editor", dept="FIN")
    assert_problem(catalogue.post("/catalogue/v1/items", json=item_body(), headers=editor), 403)
    catalogue.post("/catalogue/v1/items", json=item_body(), headers=auth(settings, "office"))
    assert_problem(catalogue.post("/catalogue/v1/items/FIN-BUDGET-01/update", json={"name": "x"}, headers=editor), 403)
    assert_problem(
        catalogue.post("/catalogue/v1/items/FIN-BUDGET-01/retire", json={"reason": "x"}, headers=editor), 403
    )
    assert_problem(
        catalogue.post("/catalogue/v1/items", json=item_body(), headers=auth(settings, "office")), 409, "item_exists"
    )
    assert catalogue.get("/catalogue/v1/audit/head").json()["position"] == 1


def test_a_record_of_an_item_is_due_within_the_items_limit(catalogue: TestClient, settings: Settings) -> None:
    catalogue.post("/catalogue/v1/items", json=item_body(), headers=auth(settings, "office"))
    record = draft(catalogue, settings, item_code="FIN-BUDGET-01", formed_on="2026-09-30")
    # 10 working days after 2026-09-30: 10-08, 10-09, 10-10 (调休), 10-12..10-16, 10-19, 10-20.
    assert record["deadline"]["working_days"] == 10
    assert record["due_on"] == "2026-10-20"
    assert_problem(
        catalogue.post(
            "/catalogue/v1/records",
            json={**record_body(), "item_code": "NOPE"},
            headers=auth(settings, "editor", dept="FIN"),
        ),
        422,
        "unknown_item",
    )
    edu = auth(settings, "editor", dept="EDU")
    response = catalogue.post(
        "/catalogue/v1/records", json={**record_body(), "department": "EDU", "item_code": "FIN-BUDGET-01"}, headers=edu
    )
    assert_problem(response, 422, "item_of_other_department")


def test_bad_item_input(catalogue: TestClient, settings: Settings) -> None:
    office = auth(settings, "office")
    for change in (
        {"channels": []},
        {"channels": ["fax"]},
        {"code": "../etc"},
        {"time_limit_working_days": 0},
        {"level": "province"},
        {"department": "ＦＩＮ"},
        {"extra": 1},
    ):
        assert_problem(catalogue.post("/catalogue/v1/items", json=item_body(**change), headers=office), 422)
    for traversal in ("/catalogue/v1/items/..%2Fetc", "/catalogue/v1/items/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd"):
        response = catalogue.get(traversal)
        assert_problem(response, response.status_code)  # a problem, 404 or 422, never a file
        assert response.status_code in (404, 422)
    assert catalogue.get("/catalogue/v1/audit/head").json()["position"] == 0
