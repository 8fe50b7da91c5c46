"""Opaque, tamper-evident cursors for ``?cursor=`` (a signed JSON of the last sort key)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Annotated, Any

from fastapi import Query

from shared.errors import ValidationFailed

MAX_CURSOR_LENGTH = 512

# The list conventions of api.md: ?limit= (≤ 200, default 50) and an opaque ?cursor=.
Limit = Annotated[int, Query(ge=1, le=200, description="每页条数（≤ 200）")]
Cursor = Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH, description="上一页返回的 next_cursor")]


def encode_cursor(key: bytes, position: dict[str, Any]) -> str:
    payload = json.dumps(position, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    mac = hmac.new(key, payload, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(mac + payload).decode("ascii").rstrip("=")


def decode_cursor(key: bytes, cursor: str) -> dict[str, Any]:
    invalid = ValidationFailed("the cursor is not valid; start again without it", code="invalid_cursor")
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise invalid from None
    mac, payload = raw[:12], raw[12:]
    if not hmac.compare_digest(mac, hmac.new(key, payload, hashlib.sha256).digest()[:12]):
        raise invalid
    try:
        position = json.loads(payload)
    except ValueError:
        raise invalid from None
    if not isinstance(position, dict):
        raise invalid
    return position
