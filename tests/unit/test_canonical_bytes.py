"""The fast canonical encoder writes exactly the reference encoder's bytes, or fails as it fails."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.jsondata import canonical_bytes, fast_canonical_bytes


class Kind(StrEnum):
    RECORD = "record"


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # beyond 64 bits too
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),  # the reference refuses NaN; the texts of floats differ
    st.text(),  # control characters, U+2028, astral planes, lone surrogates
    st.text(alphabet='政府信息公开条例第二十条\u2028\x00\x1f"\\/é'),
    st.just(Kind.RECORD),
    st.just(datetime(2026, 3, 2, tzinfo=UTC)),
)
keys = st.one_of(st.text(), st.text(alphabet="bBaA政府é_"), st.integers(-3, 3))
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5), max_leaves=30
)


def _outcome(encode: Any, value: Any) -> tuple[str, Any]:
    try:
        return "bytes", encode(value)
    except Exception as error:  # the same kind of failure is part of "the same"
        return "raises", type(error)


@settings(max_examples=1500, deadline=None)
@given(values)
def test_fast_bytes_are_the_reference_bytes(value: Any) -> None:
    assert _outcome(fast_canonical_bytes, value) == _outcome(canonical_bytes, value)


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": [True, None, "政府信息公开"], "é": {"z": '\u2028\x00\n\t"\\'}},
        {"n": 2**63, "m": -(2**63) - 1, "big": 2**64},
        {"x": 1e16, "y": 0.1, "z": -0.0},
        {"nan": float("nan")},
        {"surrogate": "\ud800"},
        {1: "int key"},
        {"at": datetime(2026, 3, 2, tzinfo=UTC)},
        {"kind": Kind.RECORD},
        ("a", "tuple"),
    ],
)
def test_the_cases_where_orjson_alone_would_differ(value: Any) -> None:
    assert _outcome(fast_canonical_bytes, value) == _outcome(canonical_bytes, value)
