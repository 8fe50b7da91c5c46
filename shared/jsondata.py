"""Plain JSON for event data and the canonical bytes the hash chain is computed over."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol
from uuid import UUID

import orjson

from shared.timeutil import to_shanghai

# Attributes every library event has; they appear in the feed envelope, not in `data`.
ENVELOPE_ATTRIBUTES = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "class_version"}
)


def to_plain(value: Any) -> Any:
    """Turn event attribute values into plain JSON values (no base64, no type tags)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return to_shanghai(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return to_plain(value.value)
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_plain(v) for v in value]
    raise TypeError(f"cannot represent {type(value).__name__} as plain JSON")


class Decodes(Protocol):
    """A transcoding of the event store's JSON: a value of some type from its ``_data_``."""

    def decode(self, data: Any) -> Any: ...


def plain_decoder(transcodings: Mapping[str, Decodes]) -> Callable[[bytes], Any]:
    """Decode the event store's JSON (``{"_type_": name, "_data_": …}`` for the values the
    ``transcodings`` by name encode) straight to plain values: what the store's transcoder and
    then ``to_plain`` give, in one pass (each tagged value is decoded by its transcoding, then
    made plain; the rest is plain already). An unknown name raises, as the transcoder does."""

    def plain(d: dict[str, Any]) -> Any:
        if len(d) == 2 and "_type_" in d and "_data_" in d:
            try:
                transcoding = transcodings[d["_type_"]]
            except (KeyError, TypeError):
                raise ValueError(f"no transcoding for {d['_type_']!r}") from None
            return to_plain(transcoding.decode(d["_data_"]))
        return d

    decoder = json.JSONDecoder(object_hook=plain)
    return lambda raw: decoder.decode(raw.decode("utf-8"))


def canonical_bytes(value: Any) -> bytes:
    """Sorted keys, no insignificant white space, UTF-8 (Chinese text is not escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def fast_canonical_bytes(value: Any) -> bytes:
    """Exactly ``canonical_bytes(value)``, about ten times faster for ordinary event JSON.

    orjson writes the same bytes as the reference encoder for objects with string keys, arrays,
    strings, integers, booleans and null (tests/unit/test_canonical_bytes.py proves it against
    the reference). Anything else (a float, whose text differs between the two, NaN, a
    subclass, a date) goes to the reference encoder, which also raises what it raises.
    """
    if _orjson_safe(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # integers beyond 64 bits, lone surrogates
            pass
    return canonical_bytes(value)


def _orjson_safe(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is dict:
        return all(type(k) is str and _orjson_safe(v) for k, v in value.items())
    if kind is list:
        return all(_orjson_safe(v) for v in value)
    return False


def dumps(value: Any) -> bytes:
    """A JSON document of plain values, UTF-8 (Chinese text is not escaped): orjson, or where
    orjson declines (integers beyond 64 bits, lone surrogates) the standard library, escaping
    what is not ASCII so that a lone surrogate is written as valid JSON and valid UTF-8."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value).encode("ascii")


def loads(text: str | bytes) -> Any:
    """Parse a JSON document (orjson; the standard library where orjson declines, e.g. NaN or
    integers beyond 64 bits). Both keep the last of duplicate keys, as every JSON reader here must."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
