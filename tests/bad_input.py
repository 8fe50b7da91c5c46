"""Request bodies from the bad-input list of testing.md, made from a valid body."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

RAW_BODIES: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "truncated": lambda body: json.dumps(body, ensure_ascii=False).encode()[:-3] or b"{",
    "array": lambda body: json.dumps([body]).encode(),
    "null": lambda body: b"null",
    "trailing-comma": lambda body: json.dumps(body).encode()[:-1] + b', "x": 1,}',
    "bom": lambda body: b"\xef\xbb\xbf" + json.dumps(body).encode(),
    "duplicate-key": lambda body: (
        json.dumps(body).encode()[:-1] + (b', "a": 1, "a": 2}' if body else b'"a": 1, "a": 2}')
    ),
    "unknown-field": lambda body: json.dumps({**body, "unknown_field": "x"}).encode(),
    "nan": lambda body: json.dumps({**body, "n": float("nan")}).encode(),
    "deep": lambda body: b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "nul": lambda body: json.dumps({**body, "t": "\u0000"}).encode(),
}
