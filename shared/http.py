"""Small HTTP conventions of api.md: ETag/If-Match, created responses, list pages."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from typing import Annotated, Any

from eventsourcing.persistence import OperationalError as StoreOperationalError
from fastapi import Header, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError

from shared.errors import ServiceUnavailable, ValidationFailed
from shared.jsondata import canonical_bytes

log = logging.getLogger("openness.http")
_ETAG = re.compile(r'^(?:W/)?"?(\d{1,18})"?$')


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def parse_if_match(value: str | None) -> int | None:
    if value is None or value.strip() == "*":
        return None
    match = _ETAG.match(value.strip())
    if match is None:
        raise ValidationFailed('If-Match must be a version such as "3"', code="invalid_if_match")
    return int(match.group(1))


IfMatch = Annotated[str | None, Header(alias="If-Match", description="资源版本（ETag），过期则 412")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="同一键与同一请求体重试时返回首次创建的资源；键相同而请求体不同为 422",
    ),
]


def request_hash(body: BaseModel) -> str:
    """Fingerprint of a parsed request body, for Idempotency-Key comparison."""
    return hashlib.sha256(canonical_bytes(body.model_dump(mode="json"))).hexdigest()


def created(response: Response, location: str, version: int) -> None:
    response.status_code = 201
    response.headers["Location"] = location
    set_etag(response, version)


def create_once(
    app: Any,
    response: Response,
    *,
    key: str | None,
    principal: str,
    body: BaseModel,
    create: Callable[[], str],
    location: Callable[[str], str],
    read: Callable[[str], dict[str, Any]],
) -> Any:
    """Every create route of every service: honour ``Idempotency-Key`` (the same key and body give
    the first resource again, another body is 422), then answer 201 with the resource read back.

    A write that committed is never reported as failed: if reading it back fails (the store
    went away between the commit and the read), the answer is still 201 with its id and
    ``Location``, so a client's retry with the same key finds it instead of making another.
    """
    resource_id, _ = app.once(key=key, principal=principal, request_hash=request_hash(body), create=create)
    where = location(resource_id)
    try:
        view = read(resource_id)
    except (DBAPIError, StoreOperationalError, ServiceUnavailable) as error:
        log.warning("created %s but could not read it back: %s", where, type(error).__name__)
        return JSONResponse(
            {"id": resource_id, "detail": "created; reading it back failed, GET the Location for the resource"},
            status_code=201,
            headers={"Location": where},
        )
    created(response, where, int(view["version"]))
    return view
