"""Idempotency-Key on every create route of every service, from the one kernel helper; and a
create that committed is answered 201 even when reading it back fails."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from shared.settings import Settings
from tests.catalogue.builders import record_body
from tests.catalogue.test_items import item_body
from tests.catalogue.test_proposals_and_consultations import consultation_body, proposal_body
from tests.catalogue.test_requests import request_body
from tests.opinion.test_api import incident_body
from tests.support import assert_problem, auth, service_client

Case = tuple[str, str, Callable[[], dict[str, Any]], tuple[str, str | None], str]

CASES: list[Case] = [
    ("catalogue", "/catalogue/v1/records", record_body, ("editor", "FIN"), "title"),
    ("catalogue", "/catalogue/v1/items", item_body, ("office", None), "name"),
    (
        "catalogue",
        "/catalogue/v1/proposals",
        lambda: proposal_body(handler_department="FIN"),
        ("editor", "FIN"),
        "title",
    ),
    (
        "catalogue",
        "/catalogue/v1/consultations",
        lambda: consultation_body(department="FIN"),
        ("editor", "FIN"),
        "title",
    ),
    ("catalogue", "/catalogue/v1/requests", request_body, ("editor", "FIN"), "description"),
    ("opinion", "/opinion/v1/incidents", incident_body, ("office", None), "title"),
    (
        "opinion",
        "/opinion/v1/webhooks",
        lambda: {"url": "https://93.184.216.34/hooks", "description": "省平台"},
        ("platform", None),
        "description",
    ),
    (
        "assessment",
        "/assessment/v1/actions",
        lambda: {"department": "EDU", "kind": "circulated_criticism", "reason": "新闻发布会未在24小时内召开"},
        ("office", None),
        "reason",
    ),
]


def _head(client: TestClient, service: str) -> int:
    return int(client.get(f"/{service}/v1/audit/head").json()["position"])


@pytest.mark.parametrize(("service", "path", "body", "who", "field"), CASES, ids=[c[1] for c in CASES])
def test_the_same_key_creates_once_and_another_body_is_422(
    settings: Settings,
    service: str,
    path: str,
    body: Callable[[], dict[str, Any]],
    who: tuple[str, str | None],
    field: str,
) -> None:
    with service_client(service, settings) as client:
        headers = {**auth(settings, who[0], dept=who[1]), "Idempotency-Key": f"retry-{service}-1"}
        first = client.post(path, json=body(), headers=headers)
        assert first.status_code == 201, first.text
        position = _head(client, service)
        again = client.post(path, json=body(), headers=headers)
        assert again.status_code == 201, again.text
        assert again.json()["id"] == first.json()["id"]
        assert again.headers["location"] == first.headers["location"]
        assert _head(client, service) == position  # nothing recorded twice
        changed = {**body(), field: "另一份内容（同一键）"}
        assert_problem(client.post(path, json=changed, headers=headers), 422, "idempotency_key_reused")
        assert _head(client, service) == position
        other_key = {**headers, "Idempotency-Key": f"retry-{service}-2"}
        if path.endswith("/items"):
            return  # an item's code is its identity: a second one with the same code is 409
        assert client.post(path, json=body(), headers=other_key).json()["id"] != first.json()["id"]


def test_a_committed_create_is_201_even_when_reading_it_back_fails(
    catalogue: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = importlib.import_module("services.catalogue.api.records")  # the module, not its router

    def store_gone(*_: object) -> None:
        raise OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))

    headers = {**auth(settings, "editor", dept="FIN"), "Idempotency-Key": "committed-then-blip"}
    with monkeypatch.context() as patch:
        patch.setattr(records, "record_view", store_gone)
        blip = catalogue.post("/catalogue/v1/records", json=record_body(), headers=headers)
    assert blip.status_code == 201, blip.text
    record_id = blip.json()["id"]
    assert blip.headers["location"] == f"/catalogue/v1/records/{record_id}"
    assert _head(catalogue, "catalogue") == 1
    retry = catalogue.post("/catalogue/v1/records", json=record_body(), headers=headers)  # the client retries
    assert (retry.status_code, retry.json()["id"], retry.json()["version"]) == (201, record_id, 1)
    assert _head(catalogue, "catalogue") == 1  # committed once, reported as created both times


def test_a_citizens_retried_comment_is_recorded_once(catalogue: TestClient, settings: Settings) -> None:
    consultation = catalogue.post(
        "/catalogue/v1/consultations", json=consultation_body(), headers=auth(settings, "editor", dept="TRANSPORT")
    ).json()
    url = f"/catalogue/v1/consultations/{consultation['id']}/comments"
    retry = {"Idempotency-Key": "comment-attempt-7f3a"}
    assert catalogue.post(url, json={"text": "建议保留老年人优惠。"}, headers=retry).status_code == 202
    position = _head(catalogue, "catalogue")
    assert catalogue.post(url, json={"text": "建议保留老年人优惠。"}, headers=retry).status_code == 202
    assert _head(catalogue, "catalogue") == position  # the retry recorded nothing
    assert_problem(catalogue.post(url, json={"text": "另一条意见"}, headers=retry), 422, "idempotency_key_reused")
    assert catalogue.post(url, json={"text": "另一条意见"}).status_code == 202  # no key: a new comment
    assert _head(catalogue, "catalogue") == position + 1
