"""Small HTTP conventions of api.md: ETag/If-Match, created responses, list pages."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Header, Response

from shared.errors import ValidationFailed

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


def created(response: Response, location: str, version: int) -> None:
    response.status_code = 201
    response.headers["Location"] = location
    set_etag(response, version)


def page(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}
