"""Valid-looking input never reaches the store as a 500/503: every string field of every create
at the longest its schema allows, NUL characters in URLs, over-long token claims."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.auth import issue_token
from shared.settings import Settings
from shared.types import LINE_PATTERN, TEXT_PATTERN
from tests.catalogue.builders import record_body
from tests.catalogue.test_items import item_body
from tests.catalogue.test_proposals_and_consultations import consultation_body, proposal_body
from tests.catalogue.test_requests import request_body
from tests.opinion.test_api import incident_body
from tests.support import assert_problem, auth, service_client

CREATES = [
    ("catalogue", "/catalogue/v1/records", record_body, ("editor", "FIN")),
    ("catalogue", "/catalogue/v1/items", item_body, ("office", None)),
    ("catalogue", "/catalogue/v1/proposals", lambda: proposal_body(handler_department="FIN"), ("editor", "FIN")),
    ("catalogue", "/catalogue/v1/consultations", lambda: consultation_body(department="FIN"), ("editor", "FIN")),
    ("catalogue", "/catalogue/v1/requests", request_body, ("editor", "FIN")),
    ("opinion", "/opinion/v1/incidents", incident_body, ("office", None)),
]


REFERENCES = {"item_code"}  # names of other objects: an unknown one is a 422 of its own


def _variants(schema: dict[str, Any], definitions: dict[str, Any], body: dict[str, Any]) -> list[dict[str, Any]]:
    """``body`` once per free-text string field (no code pattern, no enum), that field at its maxLength."""
    variants = []
    for name, field in schema.get("properties", {}).items():
        for option in field.get("anyOf", [field]):
            if "$ref" in option and isinstance(body.get(name), dict):
                nested = definitions[option["$ref"].rsplit("/", 1)[-1]]
                variants += [{**body, name: inner} for inner in _variants(nested, definitions, body[name])]
            text = option.get("pattern") in (None, LINE_PATTERN, TEXT_PATTERN)  # prose, not a code
            free = option.get("type") == "string" and text and not {"enum", "format"} & set(option)
            if free and "maxLength" in option and name not in REFERENCES:
                variants.append({**body, name: "长" * option["maxLength"]})
    return variants


@pytest.mark.parametrize(("service", "path", "body", "who"), CREATES, ids=[c[1] for c in CREATES])
def test_every_string_at_its_maximum_length_is_stored(
    settings: Settings, service: str, path: str, body: Any, who: Any
) -> None:
    with service_client(service, settings) as client:
        openapi = client.get("/openapi.json").json()
        operation = openapi["paths"][path]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        definitions = openapi["components"]["schemas"]
        variants = _variants(definitions[ref], definitions, body())
        assert variants, "the schema has free-text fields"
        for n, variant in enumerate(variants):
            if "code" in variant:
                variant = {**variant, "code": f"LIMIT-{n}"}  # an item's code is its identity
            response = client.post(path, json=variant, headers=auth(settings, who[0], dept=who[1]))
            assert response.status_code == 201, response.text[:300]


@pytest.mark.parametrize(
    "url",
    [
        "/catalogue/v1/records?department=FIN%00",
        "/catalogue/v1/records?q=%E5%85%AC%E5%BC%80%00",
        "/catalogue/v1/events?types=catalogue.RecordPublished%00",
        "/catalogue/v1/items?area=other%00",
    ],
)
def test_nul_in_any_filter_is_422(catalogue: TestClient, settings: Settings, url: str) -> None:
    response = catalogue.get(url, headers=auth(settings, "auditor"))
    assert_problem(response, 422, "nul_in_request")


def test_a_token_with_an_overlong_sub_is_401(catalogue: TestClient, settings: Settings) -> None:
    token = issue_token(settings, sub="x" * 201, roles=["editor"], dept="FIN")
    response = catalogue.post(
        "/catalogue/v1/records",
        json=record_body(),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "long-sub"},
    )
    assert_problem(response, 401, "token_invalid")
    assert catalogue.get("/catalogue/v1/audit/head").json()["position"] == 0
