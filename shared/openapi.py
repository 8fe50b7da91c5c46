"""The API documentation every service serves: Swagger UI and ReDoc from assets shipped in the
``fastapi-offline`` package (no CDN: they work on a government intranet), at ``/docs`` and
``/redoc`` and, for the gateway that routes by the first path segment, at ``/{service}/docs``,
``/{service}/redoc`` and ``/{service}/openapi.json``; short stable operation ids (``createRecord``)
and (from ``shared.auth.BEARER``) a bearer security scheme on every operation that reads a token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute

from shared.openapi_fields import FIELDS, example_from_schema

ASSETS = Path(str(resources.files("fastapi_offline") / "static"))


def operation_id(route: APIRoute) -> str:
    """``create_record`` → ``createRecord``: the endpoint's name, stable as long as the code is."""
    head, *rest = route.name.split("_")
    return head + "".join(word.capitalize() for word in rest)


# The problem+json answers an operation may give (RFC 9457, shared.problems), with an example each.
_PROBLEMS: dict[str, tuple[str, str, str]] = {
    "401": ("token_invalid", "Authentication required", "the token is not valid: Signature has expired"),
    "403": ("other_department", "Not allowed", "you act for EDU, not FIN"),
    "404": ("not_found", "Not found", "no record 3f1c2a9e-0d4b-4c8e-9a57-2f8e1b6c4d21"),
    "409": ("invalid_state", "Conflict", "the record is already published"),
    "412": ("precondition_failed", "Precondition failed", "the resource is at version 4, not 3 (If-Match)"),
    "413": ("payload_too_large", "Request body too large", "the body must not exceed 1048576 bytes"),
    "422": ("validation_failed", "Request is not valid", "body.formed_on: Input should be a valid date"),
    "429": ("too_many_requests", "Too many requests", "try again after 1 s"),
    "503": ("store_unavailable", "Service unavailable", "the store cannot be reached; retry shortly"),
}
_MUTATING = {"post", "put", "patch", "delete"}


def _problem_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "RFC 9457 problem details; `code` is stable, `reason` refines it for some codes",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string", "example": "urn:openness:problem:validation_failed"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "code": {"type": "string"},
            "reason": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object"}, "description": "the fields at fault (422)"},
        },
    }


def _document_problems(schema: dict[str, Any]) -> None:
    """Every operation lists the problem+json answers it may give, instead of FastAPI's default 422."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = _problem_schema()
    for methods in schema.get("paths", {}).values():
        for method, operation in methods.items():
            statuses = ["422", "503"]
            if operation.get("security"):
                statuses += ["401", "403"]
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                statuses.append("404")
            if method in _MUTATING:
                statuses += ["409", "412", "413", "429"]
            responses = operation.setdefault("responses", {})
            statuses += [s for s in responses if s[:1] in ("4", "5")]  # what the route declares itself
            for status in sorted(set(statuses)):
                code, title, detail = _PROBLEMS[status]
                example = {
                    "type": f"urn:openness:problem:{code}",
                    "title": title,
                    "status": int(status),
                    "detail": detail,
                    "code": code,
                }
                responses[status] = {
                    "description": title,
                    "content": {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"},
                            "example": example,
                        }
                    },
                }
    for name in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(name, None)


def _document_fields(schema: dict[str, Any]) -> None:
    """Every field of every model and every parameter gets a Chinese description and an example
    (from ``shared.openapi_fields`` where the model does not state them)."""
    for model in schema.get("components", {}).get("schemas", {}).values():
        for name, field in model.get("properties", {}).items():
            _describe(field, name)
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                inner = parameter.get("schema", {})
                description = (
                    parameter.get("description") or inner.get("description") or _glossary(parameter["name"])[0]
                )
                if description:
                    parameter["description"] = description
                if "example" not in parameter:
                    example = _example(parameter["name"], inner)
                    if example is not None:
                        parameter["example"] = example


def _glossary(name: str) -> tuple[str | None, Any]:
    return FIELDS.get(name, (None, None))


def _example(name: str, field: dict[str, Any]) -> Any:
    return example_from_schema(field, _glossary(name)[1])


def _describe(field: dict[str, Any], name: str) -> None:
    description = _glossary(name)[0]
    if not field.get("description") and description:
        field["description"] = description
    if "example" not in field and "examples" not in field:
        example = _example(name, field)
        if example is not None:
            field["examples"] = [example]


def dependants(dependant: Any) -> Iterator[Any]:
    """A route's dependant and every dependency under it (what FastAPI resolves for a request)."""
    yield dependant
    for dependency in dependant.dependencies:
        yield from dependants(dependency)


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route, also those of included routers (which FastAPI may keep as one entry)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from api_routes(included.routes)


def _document_optional_auth(app: FastAPI, schema: dict[str, Any]) -> None:
    """An operation that reads a token but answers without one too (public reads that show more
    to some roles) lists "no security" as an alternative, so a client knows the token is optional."""
    from shared.auth import current_principal

    for route in api_routes(app.routes):
        if not route.include_in_schema:
            continue
        if any(d.call is current_principal for d in dependants(route.dependant)):
            continue  # a token is required
        for method in route.methods or ():
            operation = schema.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if operation and operation.get("security"):
                operation["security"] = [{}, *operation["security"]]


def install(app: FastAPI, service: str) -> None:
    """The documentation pages, their assets, and the OpenAPI document under the service's segment."""
    assets = f"/{service}/docs-assets"
    app.mount(assets, StaticFiles(directory=ASSETS), name="docs-assets")
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            _document_optional_auth(app, document)
            _document_problems(document)
            _document_fields(document)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]

    def swagger(openapi_url: str) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} · API",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
        )

    def redoc(openapi_url: str) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} · API",
            redoc_js_url=f"{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{assets}/favicon.png",
            with_google_fonts=False,
        )

    def page(render: Callable[[str], HTMLResponse], openapi_url: str) -> Callable[[], HTMLResponse]:
        def endpoint() -> HTMLResponse:
            return render(openapi_url)

        return endpoint

    def document() -> JSONResponse:
        return JSONResponse(app.openapi())

    for prefix in ("", f"/{service}"):  # the root, and under the service's segment for the gateway
        openapi_url = f"{prefix}/openapi.json"
        if prefix:
            app.add_api_route(openapi_url, document, include_in_schema=False)
        app.add_api_route(f"{prefix}/docs", page(swagger, openapi_url), include_in_schema=False)
        app.add_api_route(f"{prefix}/redoc", page(redoc, openapi_url), include_in_schema=False)
