"""The HTTP shell: problem+json for every bad request, nothing recorded, tokens, health, metrics."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from shared.settings import Settings
from shared.timeutil import utcnow
from tests.catalogue.builders import record_body
from tests.support import assert_problem, auth, service_client


@pytest.fixture
def client(settings: Settings) -> Any:
    with service_client("catalogue", settings) as c:
        yield c


def _head(client: TestClient) -> int:
    return int(client.get("/catalogue/v1/audit/head").json()["position"])


def _post_raw(client: TestClient, settings: Settings, raw: bytes) -> Any:
    headers = {**auth(settings, "editor", dept="FIN"), "content-type": "application/json"}
    return client.post("/catalogue/v1/records", content=raw, headers=headers)


BAD_BODIES = {
    "truncated": '{"title": "政务'.encode(),
    "top-level-array": b"[]",
    "null": b"null",
    "trailing-comma": b'{"title": "x",}',
    "bom": b"\xef\xbb\xbf" + json.dumps(record_body(), ensure_ascii=False).encode(),
    "duplicate-keys": b'{"department": "FIN", "department": "EDU"}',
    "nan": json.dumps({**record_body(), "title": "x"}).replace('"x"', "NaN").encode(),
    "huge-number": b'{"size": 1e309}',
    "deep-nesting": b"[" * 10_000 + b"]" * 10_000,
    "nul-byte": json.dumps(record_body(title="标题\u0000")).encode(),
    "lone-surrogate": b'{"title": "\\ud800"}',
    "not-utf8": b'{"title": "\xff\xfe"}',
}


@pytest.mark.parametrize("raw", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_malformed_json_is_422_and_records_nothing(client: TestClient, settings: Settings, raw: bytes) -> None:
    assert_problem(_post_raw(client, settings, raw), 422)
    assert _head(client) == 0


BAD_FIELDS: dict[str, dict[str, Any]] = {
    "unknown-field": {"colour": "red"},
    "wrong-case-enum": {"category": "Budget"},
    "impossible-date": {"formed_on": "2026-02-30"},
    "year-9999": {"formed_on": "9999-01-01"},
    "epoch-number": {"formed_on": 1767225600},
    "full-width-department": {"department": "ＦＩＮ"},
    "department-with-space": {"department": "FIN "},
    "rtl-override-title": {"title": "通知\u202etxt.exe"},
    "zero-width-department": {"department": "F\u200bIN"},
    "blank-title": {"title": "   "},
    "long-title": {"title": "长" * 501},
    "withheld-without-reason": {"disclosure": "withheld"},
    "path-in-attachment": {
        "attachments": [{"name": "../../etc/passwd", "sha256": "a" * 64, "media_type": "text/plain", "size": 1}]
    },
}


@pytest.mark.parametrize("change", BAD_FIELDS.values(), ids=BAD_FIELDS.keys())
def test_invalid_fields_are_422_and_record_nothing(
    client: TestClient, settings: Settings, change: dict[str, Any]
) -> None:
    response = client.post(
        "/catalogue/v1/records", json=record_body(**change), headers=auth(settings, "editor", dept="FIN")
    )
    assert_problem(response, 422)
    assert _head(client) == 0


def test_unknown_department_is_named(client: TestClient, settings: Settings) -> None:
    response = client.post(
        "/catalogue/v1/records", json=record_body(department="XYZ"), headers=auth(settings, "editor", dept="XYZ")
    )
    body = assert_problem(response, 422, "unknown_department")
    assert "XYZ" in body["detail"]
    assert _head(client) == 0


def test_chinese_text_round_trips_exactly(client: TestClient, settings: Settings) -> None:
    title = "关于𠮷野家🍜与\u200b零宽字符的通知"  # CJK Extension B, emoji, zero-width space
    response = client.post(
        "/catalogue/v1/records", json=record_body(title=title), headers=auth(settings, "editor", dept="FIN")
    )
    assert response.status_code == 201, response.text
    assert response.json()["title"] == title
    assert (
        client.get(response.headers["location"], headers=auth(settings, "editor", dept="FIN")).json()["title"] == title
    )


def test_an_oversized_body_is_413(client: TestClient, settings: Settings) -> None:
    raw = json.dumps(record_body(body="长" * 4_000_000)).encode()  # about 12 MB
    assert_problem(_post_raw(client, settings, raw), 413, "payload_too_large")
    assert _head(client) == 0


def test_a_field_longer_than_its_limit_is_422(settings: Settings) -> None:
    roomy = settings.model_copy(update={"max_body_bytes": 2_000_000})
    with service_client("catalogue", roomy) as client:
        response = client.post(
            "/catalogue/v1/records", json=record_body(body="x" * 1_000_000), headers=auth(roomy, "editor", dept="FIN")
        )
        assert_problem(response, 422)


def _token(settings: Settings, **changes: Any) -> str:
    claims = {
        "sub": "u",
        "roles": ["editor"],
        "dept": "FIN",
        "iss": "openness",
        "aud": "openness",
        "exp": int((utcnow() + timedelta(hours=1)).timestamp()),
    }
    key = changes.pop("key", settings.jwt_secret)
    algorithm = changes.pop("algorithm", "HS256")
    claims.update(changes)
    return jwt.encode(claims, key, algorithm=algorithm)


BAD_TOKENS = {
    "wrong-audience": {"aud": "another-platform"},
    "wrong-issuer": {"iss": "someone"},
    "expired": {"exp": int((utcnow() - timedelta(minutes=5)).timestamp())},
    "wrong-key": {"key": "a-different-secret-that-is-long-enough"},
    "unknown-role": {"roles": ["admin"]},
}


@pytest.mark.parametrize("change", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_bad_tokens_are_401(client: TestClient, settings: Settings, change: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {_token(settings, **change)}"}
    assert_problem(client.post("/catalogue/v1/records", json=record_body(), headers=headers), 401)
    assert _head(client) == 0


def test_alg_none_and_garbage_tokens_are_401(client: TestClient, settings: Settings) -> None:
    unsigned = jwt.encode(
        {"sub": "u", "roles": ["office"], "aud": "openness", "iss": "openness"}, None, algorithm="none"
    )
    for value in (f"Bearer {unsigned}", "Bearer not.a.token", "Basic dXNlcjpwdw==", "Bearer "):
        assert_problem(client.post("/catalogue/v1/records", json=record_body(), headers={"Authorization": value}), 401)


def test_missing_token_is_401_and_wrong_role_is_403(client: TestClient, settings: Settings) -> None:
    assert_problem(client.post("/catalogue/v1/records", json=record_body()), 401)
    assert_problem(client.post("/catalogue/v1/records", json=record_body(), headers=auth(settings, "auditor")), 403)
    assert_problem(client.get("/catalogue/v1/events"), 401)
    assert_problem(client.get("/catalogue/v1/events", headers=auth(settings, "editor", dept="FIN")), 403)
    assert _head(client) == 0


@pytest.mark.parametrize(
    "query",
    [
        "limit=-1",
        "limit=0",
        "limit=100000",
        "cursor=" + "A" * 4096,
        "cursor=bm90LWEtY3Vyc29y",
        "published_from=2026-02-30",
    ],
)
def test_bad_list_parameters_are_422(client: TestClient, query: str) -> None:
    assert_problem(client.get(f"/catalogue/v1/records?{query}"), 422)


def test_unknown_routes_and_methods_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/catalogue/v1/nothing-here"), 404)
    assert_problem(client.delete("/catalogue/v1/records"), 405)
    assert_problem(client.get("/catalogue/v1/records/not-a-uuid"), 422)


def test_health_readiness_metrics_and_request_id(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "service": "catalogue"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["store"] == "ok"
    response = client.get("/catalogue/v1/records", headers={"X-Request-ID": "trace-42"})
    assert response.headers["x-request-id"] == "trace-42"
    assert client.get("/healthz").headers["x-request-id"]  # one is made when none is given
    metrics = client.get("/metrics").text
    assert (
        'openness_http_requests_total{method="GET",route="/catalogue/v1/records",service="catalogue",status="200"}'
        in metrics
    )


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/catalogue/v1/records" in spec["paths"]
    assert "/catalogue/v1/events" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_an_unknown_query_parameter_is_422_and_names_what_the_operation_takes(client: TestClient) -> None:
    answer = client.get("/catalogue/v1/records", params={"departmnet": "FIN"})
    problem = assert_problem(answer, 422, "unknown_query_parameter")
    assert "departmnet" in problem["detail"]
    assert "department" in problem["detail"]
    assert client.get("/catalogue/v1/records", params={"department": "FIN"}).status_code == 200
