"""Strict JSON for request bodies: what ``json.loads`` lets through but a government record must not.

Rejected: a BOM, duplicate keys, ``NaN``/``Infinity``, numbers that overflow to infinity,
nesting deeper than the limit, lone surrogates and NUL characters in strings.
"""

from __future__ import annotations

import json
import math
from typing import Any


class BadJson(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise BadJson(f"duplicate key {key!r}")
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise BadJson(f"{name} is not a valid JSON number")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise BadJson(f"number {text[:20]} is out of range")
    return value


def _check_depth_and_text(value: Any, max_depth: int) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                raise BadJson(f"nesting deeper than {max_depth}")
            children = list(item.items()) if isinstance(item, dict) else [(None, v) for v in item]
            for key, child in children:
                if key is not None:
                    _check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(item, str):
            _check_text(item)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise BadJson("text must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadJson("text must not contain lone surrogates") from None


def _quick_depth(raw: str, max_depth: int) -> None:
    """Refuse absurd nesting before the recursive parser sees it (it would hit the recursion limit)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in raw:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > max_depth:
                raise BadJson(f"nesting deeper than {max_depth}")
        elif char in "]}":
            depth -= 1


def parse_strict(body: bytes, max_depth: int) -> Any:
    if body.startswith(b"\xef\xbb\xbf"):
        raise BadJson("the body starts with a byte order mark")
    try:
        raw = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadJson("the body is not UTF-8") from None
    _quick_depth(raw, max_depth)
    try:
        value = json.loads(raw, object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float)
    except BadJson:
        raise
    except (ValueError, RecursionError) as error:
        raise BadJson(f"the body is not valid JSON: {error}") from None
    _check_depth_and_text(value, max_depth)
    return value
