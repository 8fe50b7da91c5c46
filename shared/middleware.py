"""ASGI middleware: request id + access log + metrics, and the request-body guard."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.clientaddr import client_address
from shared.jsonguard import BadJson, parse_strict
from shared.observability import Metrics, request_facts, request_id
from shared.problems import problem

log = logging.getLogger("openness.http")

_BODY_METHODS = {"POST", "PUT", "PATCH"}


class RequestContext:
    """Gives every request an id (``X-Request-ID``), logs it as JSON and counts it."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, trusted_proxies: str = "") -> None:
        self.app = app
        self.metrics = metrics
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if 0 < len(incoming) <= 100 and incoming.isprintable() else uuid.uuid4().hex
        token = request_id.set(rid)
        facts: dict[str, str] = {}
        facts_token = request_facts.set(facts)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            service = self.metrics.service
            self.metrics.requests.labels(service, scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(service, scope["method"], route).observe(elapsed)
            log.info(
                "request",
                extra={
                    "service": service,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "client": client_address(Request(scope), self.trusted_proxies),
                    **facts,
                },
            )
            request_facts.reset(facts_token)
            request_id.reset(token)


def _has_nul(scope: Scope) -> bool:
    """NUL in a path or a query parameter: no store keeps it (PostgreSQL refuses it outright),
    so it is bad input, answered here for every route and filter at once."""
    query: bytes = scope.get("query_string") or b""
    return "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query


class BodyGuard:
    """Bounds request bodies (413) and refuses JSON that is technically parseable but wrong (422)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_depth: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _has_nul(scope):
            response = problem(422, "nul_in_request", "Request is not valid", "the URL must not contain NUL characters")
            await response(scope, receive, send)
            return
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if body and (content_type == b"application/json" or content_type.endswith(b"+json")):
            try:
                parse_strict(body, self.max_depth)
            except BadJson as error:
                response = problem(422, "invalid_json", "Request body is not acceptable JSON", str(error))
                await response(scope, receive, send)
                return
        await self.app(scope, _replay(body, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413, "payload_too_large", "Request body too large", f"the body must not exceed {self.max_bytes} bytes"
        )
        await response(scope, receive, send)


def _replay(body: bytes, original: Receive) -> Any:
    """Hand the app the body we already read, then pass through (a disconnect, later)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive


class SecurityHeaders:
    """Headers every answer carries: ``X-Content-Type-Options: nosniff``, and ``Cache-Control:
    no-store`` on an answer to a request with credentials (a bearer token, or a cookie: the only
    cookie the services set holds one), which may hold what only that caller may see, unless the
    route chose its own caching."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = dict(scope.get("headers") or [])
        private = b"authorization" in request_headers or b"cookie" in request_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                names = {name.lower() for name, _ in headers}
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if private and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
