"""The API documentation of every service: a valid OpenAPI 3.1 document with short stable
operation ids, a bearer security scheme and the problem+json errors each operation may give;
Swagger UI and ReDoc served from the service's own assets (no internet), also under the
service's path segment for the gateway."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from lxml import html as lxml_html
from openapi_spec_validator import validate

from shared.settings import SERVICES, Settings
from tests.support import service_client


@pytest.mark.parametrize("service", SERVICES)
def test_the_openapi_document_is_valid_and_documents_errors(settings: Settings, service: str) -> None:
    with service_client(service, settings) as client:
        document = client.get("/openapi.json").json()
        assert client.get(f"/{service}/openapi.json").json() == document  # through the gateway too
    validate(document)
    operations = [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]
    ids = [op["operationId"] for _, _, op in operations]
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]{2,40}", i) for i in ids), ids
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "身份令牌（JWT），Authorization: Bearer <token>",
    }
    assert "HTTPValidationError" not in document["components"]["schemas"]
    secured = 0
    for path, method, op in operations:
        responses = op["responses"]
        for status, answer in responses.items():
            if status.startswith(("4", "5")):
                content = answer["content"]["application/problem+json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Problem"}
                assert content["example"]["status"] == int(status)
        assert "422" in responses, (path, method)
        if op.get("security"):
            secured += 1
            assert {"401", "403"} <= responses.keys(), (path, method)
        if "{" in path:
            assert "404" in responses, (path, method)
    assert secured > 0


def test_short_operation_ids_name_what_they_do(settings: Settings) -> None:
    with service_client("catalogue", settings) as client:
        document = client.get("/openapi.json").json()
    assert document["paths"]["/catalogue/v1/records"]["post"]["operationId"] == "createRecord"
    assert document["paths"]["/catalogue/v1/events"]["get"]["operationId"] == "readEvents"


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/opinion/docs", "/opinion/redoc"])
def test_the_docs_load_nothing_from_the_internet(settings: Settings, page: str) -> None:
    with service_client("opinion", settings) as client:
        answer = client.get(page)
        assert answer.status_code == 200
        tree = lxml_html.fromstring(answer.text)
        sources = tree.xpath("//script/@src") + tree.xpath("//link/@href")
        assert sources
        assert all(s.startswith("/opinion/docs-assets/") for s in sources), sources
        assert "https://" not in answer.text
        assert "http://" not in answer.text
        for source in sources:
            asset = client.get(source)
            assert asset.status_code == 200, source
            assert len(asset.content) > 1000
        expected = "/opinion/openapi.json" if page.startswith("/opinion") else "/openapi.json"
        assert expected in answer.text
