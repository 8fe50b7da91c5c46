"""Small HTTP conventions of api.md: ETag/If-Match, created responses, list pages."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated

from fastapi import Header, Response
from pydantic import BaseModel

from shared.errors import ValidationFailed
from shared.jsondata import canonical_bytes

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
