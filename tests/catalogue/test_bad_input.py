"""The bad-input list of testing.md on every catalogue write route: a 4xx problem, nothing recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.bad_input import RAW_BODIES
from tests.catalogue.builders import draft, publish, record_body
from tests.catalogue.test_items import item_body
from tests.catalogue.test_proposals_and_consultations import consultation_body, proposal_body
from tests.catalogue.test_requests import request_body
from tests.support import assert_problem, auth

Route = tuple[str, str, dict[str, Any], dict[str, str]]


def _routes(client: TestClient, settings: Settings) -> list[Route]:
    """Every write route with a valid body and the token that may use it."""
    fin, office, housing = (
        auth(settings, "editor", dept="FIN"),
        auth(settings, "office"),
        auth(settings, "editor", dept="HOUSING"),
    )
    transport = auth(settings, "editor", dept="TRANSPORT")
    record = draft(client, settings)
    published = publish(client, settings, draft(client, settings))
    client.post("/catalogue/v1/items", json=item_body(), headers=office)
    proposal = client.post("/catalogue/v1/proposals", json=proposal_body(), headers=housing).json()
    consultation = client.post("/catalogue/v1/consultations", json=consultation_body(), headers=transport).json()
    request = client.post("/catalogue/v1/requests", json=request_body(), headers=fin).json()
    steps = f"/catalogue/v1/requests/{request['id']}"
    client.post(f"{steps}/replied", json={"on": "2026-10-20", "outcome": "granted"}, headers=fin)
    appeal = {"on": "2026-11-02", "kind": "reconsideration", "result": "pending"}
    [appealed] = client.post(f"{steps}/appealed", json=appeal, headers=fin).json()["appeals"]
    open_request = client.post("/catalogue/v1/requests", json=request_body(), headers=fin).json()
    head = auth(settings, "head", dept="FIN")
    return [
        ("/catalogue/v1/records", "create-record", record_body(), fin),
        (f"/catalogue/v1/records/{record['id']}/publish", "publish", {}, fin),
        (f"/catalogue/v1/records/{published['id']}/correct", "correct", {"title": "改", "reason": "错字"}, fin),
        (f"/catalogue/v1/records/{published['id']}/revoke", "revoke", {"reason": "作废"}, fin),
        ("/catalogue/v1/items", "create-item", item_body(code="FIN-OTHER-01"), office),
        ("/catalogue/v1/items/FIN-BUDGET-01/update", "update-item", {"name": "新名称"}, office),
        ("/catalogue/v1/items/FIN-BUDGET-01/retire", "retire-item", {"reason": "合并"}, office),
        ("/catalogue/v1/proposals", "create-proposal", proposal_body(), housing),
        (f"/catalogue/v1/proposals/{proposal['id']}/publish", "publish-proposal", {}, housing),
        ("/catalogue/v1/consultations", "create-consultation", consultation_body(), transport),
        (f"/catalogue/v1/consultations/{consultation['id']}/comments", "comment", {"text": "意见"}, {}),
        (f"/catalogue/v1/consultations/{consultation['id']}/result", "result", {"adoption_summary": "采纳"}, transport),
        ("/catalogue/v1/requests", "create-request", request_body(), fin),
        (
            f"/catalogue/v1/requests/{open_request['id']}/clarification-requested",
            "clarification",
            {"on": "2026-10-09", "note": "请补正", "reply_by": "2026-10-20"},
            fin,
        ),
        (
            f"{steps}/appeals/{appealed['appeal_id']}/result",
            "appeal-result",
            {"on": "2026-11-20", "result": "upheld"},
            fin,
        ),
        ("/catalogue/v1/annual-reports/2026/publish?department=FIN", "publish-report", {}, head),
    ]


def _head(client: TestClient) -> int:
    return int(client.get("/catalogue/v1/audit/head").json()["position"])


@pytest.mark.parametrize("mangle", RAW_BODIES.values(), ids=RAW_BODIES.keys())
def test_malformed_bodies_on_every_write_route(
    catalogue: TestClient, settings: Settings, mangle: Callable[[dict[str, Any]], bytes]
) -> None:
    routes = _routes(catalogue, settings)
    before = _head(catalogue)
    for path, name, body, headers in routes:
        response = catalogue.post(path, content=mangle(body), headers={**headers, "content-type": "application/json"})
        assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
        assert_problem(response, response.status_code)
    assert _head(catalogue) == before


def test_another_department_on_every_write_route(catalogue: TestClient, settings: Settings) -> None:
    routes = _routes(catalogue, settings)
    before = _head(catalogue)
    stranger = auth(settings, "editor", dept="SPORT")
    for path, name, body, headers in routes:
        if not headers:
            continue  # public comments take no token
        response = catalogue.post(path, json=body, headers=stranger)
        expected = 404 if name == "publish" else 403  # another department's draft is not shown to exist
        assert response.status_code == expected, (name, response.status_code, response.text)
    auditor = auth(settings, "auditor")
    for path, name, body, headers in routes:
        if headers:
            assert catalogue.post(path, json=body, headers=auditor).status_code == 403, name
    assert _head(catalogue) == before


def test_a_huge_body_on_every_write_route(catalogue: TestClient, settings: Settings) -> None:
    routes = _routes(catalogue, settings)
    before = _head(catalogue)
    huge = json.dumps({"text": "长" * 4_000_000}).encode()
    for path, _, _, headers in routes:
        assert_problem(catalogue.post(path, content=huge, headers={**headers, "content-type": "application/json"}), 413)
    assert _head(catalogue) == before
