"""The API documentation of every service: a valid OpenAPI 3.1 document with short stable
operation ids, a bearer security scheme and the problem+json errors each operation may give;
Swagger UI and ReDoc served from the service's own assets (no internet), also under the
service's path segment for the gateway."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from lxml import html as lxml_html
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

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


def _request_models(document: dict[str, Any]) -> set[str]:
    """The models a request body uses, and the models inside them."""
    schemas = document["components"]["schemas"]
    found: set[str] = set()
    pending = [
        content["schema"]["$ref"].rsplit("/", 1)[-1]
        for ops in document["paths"].values()
        for op in ops.values()
        for content in op.get("requestBody", {}).get("content", {}).values()
        if "$ref" in content["schema"]
    ]
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending += re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(schemas[name]))
    return found


def _is_reference(field: dict[str, Any]) -> bool:
    options = field.get("anyOf", [field])
    return any("$ref" in option for option in options)


@pytest.mark.parametrize("service", SERVICES)
def test_every_request_field_has_a_chinese_description_and_an_example_that_fits(
    settings: Settings, service: str
) -> None:
    with service_client(service, settings) as client:
        document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    registry = Registry().with_resource("openapi", Resource.from_contents(document, DRAFT202012))
    chinese = re.compile(r"[\u4e00-\u9fff]")

    def fits(example: object, schema: dict[str, Any]) -> bool:
        return Draft202012Validator(schema, registry=registry).is_valid(example)

    checked = 0
    for model in sorted(_request_models(document)):
        for name, field in schemas[model].get("properties", {}).items():
            assert chinese.search(field.get("description", "")), f"{model}.{name} has no Chinese description"
            if _is_reference(field):
                continue  # a nested model: its own fields are checked
            assert field.get("examples"), f"{model}.{name} has no example"
            resolvable = json.loads(json.dumps(field).replace("#/components/", "openapi#/components/"))
            assert fits(field["examples"][0], resolvable), (model, name, field["examples"][0])
            checked += 1
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            for parameter in op.get("parameters", []):
                where = (path, method, parameter["name"])
                assert chinese.search(parameter.get("description", "")), where
                assert "example" in parameter, where
                assert fits(parameter["example"], parameter["schema"]), where
                checked += 1
    assert checked > 10


def test_downloads_and_metrics_document_their_content_types(settings: Settings) -> None:
    with service_client("catalogue", settings) as client:
        document = client.get("/openapi.json").json()
        metrics = client.get("/metrics")
        export = client.get("/catalogue/v1/records/export", params={"format": "xlsx"})

    def types(path: str) -> set[str]:
        return set(document["paths"][path]["get"]["responses"]["200"]["content"])

    assert types("/metrics") == {metrics.headers["content-type"]}
    assert export.headers["content-type"] in types("/catalogue/v1/records/export")
    assert types("/catalogue/v1/records/export") == {
        "text/csv; charset=utf-8",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    assert {"application/json", "text/html; charset=utf-8"} <= types("/catalogue/v1/annual-reports/{year}")
    assert "application/vnd.openxmlformats-officedocument.wordprocessingml.document" in types(
        "/catalogue/v1/annual-reports/{year}"
    )
    assert types("/catalogue/v1/audit/export") == {"application/gzip"}
