"""RFC 9457 problem+json: every error a client sees is shaped here, and only here."""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.persistence import IntegrityError as StoreIntegrityError
from eventsourcing.persistence import InterfaceError as StoreInterfaceError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import OpennessError

log = logging.getLogger("openness.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = "5"

_STATUS_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("payload_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("validation_failed", "Request is not valid"),
    429: ("rate_limited", "Too many requests"),
}


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **members: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:openness:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    body.update(members)  # RFC 9457 extension members, e.g. the reason of an invalid_state
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    # Never echo the rejected input back: it may be huge, binary or personal.
    return [
        {
            "loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in error.errors()
    ]


# How each store says it could not write for want of space: SQLite's SQLITE_FULL, or the I/O error it
# reports when the file may not grow (a file size limit); PostgreSQL's SQLSTATE 53100 disk_full.
_OUT_OF_SPACE = ("database or disk is full", "disk i/o error", "no space left on device", "could not extend file")


def _out_of_space(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if getattr(seen, "sqlstate", None) == "53100" or any(m in str(seen).lower() for m in _OUT_OF_SPACE):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(OpennessError)
    def _openness(_: Request, exc: OpennessError) -> JSONResponse:
        headers = None
        if exc.status == 503:
            headers = {"Retry-After": RETRY_AFTER_SECONDS}
        elif "retry_after" in exc.extra:
            headers = {"Retry-After": str(exc.extra["retry_after"])}
        if exc.status == 401:  # RFC 6750: how to authenticate, and whether the token given was the fault
            challenge = 'Bearer realm="openness"'
            if exc.code in ("token_invalid", "token_expired"):
                challenge += ', error="invalid_token"'
            headers = {"WWW-Authenticate": challenge}
        members = {"reason": exc.extra["reason"]} if "reason" in exc.extra else {}
        return problem(
            exc.status, exc.code, exc.title, exc.detail, errors=exc.extra.get("errors"), headers=headers, **members
        )

    @app.exception_handler(RequestValidationError)
    def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors[:5])
        return problem(
            422, "validation_failed", "Request is not valid", detail or "request is not valid", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = _STATUS_CODES.get(exc.status_code, ("http_error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        return problem(exc.status_code, code, title, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(StoreIntegrityError)
    def _integrity(_: Request, exc: StoreIntegrityError) -> JSONResponse:
        return problem(
            409, "concurrent_modification", "Conflict", "the resource was changed by another request; reload and retry"
        )

    @app.exception_handler(StoreOperationalError)
    @app.exception_handler(StoreInterfaceError)
    @app.exception_handler(DBAPIError)
    def _store_down(_: Request, exc: Exception) -> JSONResponse:
        if _out_of_space(exc):
            log.error("store out of space: %s", type(exc).__name__)  # an operator must act; reads still work
            return problem(
                503,
                "store_full",
                "Service temporarily unavailable",
                "the store has no space left to record this; nothing was recorded; retry later",
                headers={"Retry-After": RETRY_AFTER_SECONDS},
            )
        log.warning("store unavailable: %s", type(exc).__name__)
        return problem(
            503,
            "store_unavailable",
            "Service temporarily unavailable",
            "the event store cannot be reached; retry shortly",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )

    @app.exception_handler(Exception)
    def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error", exc_info=exc)
        return problem(500, "internal_error", "Internal error", "an unexpected error occurred; it has been logged")
