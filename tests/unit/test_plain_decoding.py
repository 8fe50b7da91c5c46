"""The feed's one-pass decoding gives what the event store's transcoder and then ``to_plain``
give, and event ids are ``uuid.uuid5``'s."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.application import DateAsISO, event_id
from shared.jsondata import dumps, plain_decoder, to_plain

transcoder = JSONTranscoder()
for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
    transcoder.register(transcoding)

aware = st.datetimes(
    min_value=datetime(1900, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.text(alphabet='政府信息公开条例_type_data"\\'),
    st.uuids(),
    aware,
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False),
)
keys = st.one_of(st.text(), st.sampled_from(["_type_", "_data_", "timestamp", "title"]))
states = st.dictionaries(
    keys,
    st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4)),
    max_size=8,
)


@settings(max_examples=200)
@given(state=states)
def test_one_pass_decoding_is_the_transcoder_then_to_plain(state: dict[str, Any]) -> None:
    recorded = transcoder.encode(state)
    try:
        expected: Any = to_plain(transcoder.decode(recorded))
    except Exception:  # a user's dict that looks tagged, with a name no transcoding has
        expected = Exception
    try:
        got: Any = plain_decoder(transcoder.names)(recorded)
    except ValueError:
        got = Exception
    assert got == expected


def test_a_recorded_event_decodes_to_its_plain_values() -> None:
    stream = uuid.UUID("6f1c3c0e-8a3b-4a57-9d7e-2f1a1c0b5e11")
    state = {
        "originator_id": stream,
        "timestamp": datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
        "formed_on": date(2026, 2, 27),
        "title": "关于财政预算公开的通知",
        "amount": Decimal("12.50"),
        "attachments": [{"name": "附件一", "size": 3}],
    }
    assert plain_decoder(transcoder.names)(transcoder.encode(state)) == {
        "originator_id": str(stream),
        "timestamp": "2026-03-02T09:30:00+08:00",  # Shanghai, as the feed shows instants
        "formed_on": "2026-02-27",
        "title": "关于财政预算公开的通知",
        "amount": "12.50",
        "attachments": [{"name": "附件一", "size": 3}],
    }


@given(stream=st.uuids(), version=st.integers(0, 2**40))
def test_an_event_id_is_the_uuid5_of_its_stream_and_version(stream: uuid.UUID, version: int) -> None:
    assert event_id(stream, version) == str(uuid.uuid5(uuid.NAMESPACE_URL, f"openness:{stream}:{version}"))


def test_a_page_orjson_declines_is_still_valid_json_and_utf8() -> None:
    page = {"items": [{"big": 2**70, "title": "政府信息公开", "lone": "\ud800"}]}
    written = dumps(page)
    assert json.loads(written.decode("utf-8")) == page
    assert dumps({"title": "政府信息公开"}).decode("utf-8") == '{"title":"政府信息公开"}'  # Chinese unescaped
