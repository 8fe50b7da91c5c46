"""Opaque, tamper-evident cursors for ``?cursor=`` (a signed JSON of the last sort key)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from shared.errors import ValidationFailed

MAX_CURSOR_LENGTH = 512


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
