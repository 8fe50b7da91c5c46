"""Properties: scores from incrementally followed facts equal scores from scratch, and an as_of
answer never changes when later events arrive."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import delete

from services.assessment.projection import record_fact
from services.assessment.read_models import fact
from services.assessment.scores import league
from shared.calendar import WorkingCalendar
from shared.settings import Settings
from tests.support import drop_schemas, make_settings, open_application

DEPARTMENTS = ["FIN", "EDU"]
CALENDAR = WorkingCalendar()
START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def _item(position: int, type_: str, stream: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "position": position,
        "type": type_,
        "stream_id": stream,
        "occurred_at": at.isoformat(),
        "recorded_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "data": data,
    }


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Records, requests and incidents of two departments, recorded in increasing time."""
    items: list[dict[str, Any]] = []
    clock = START
    for n in range(draw(st.integers(1, 10))):
        stream = str(uuid.uuid5(uuid.NAMESPACE_URL, f"stream-{n}"))
        dept = draw(st.sampled_from(DEPARTMENTS))
        clock += timedelta(hours=draw(st.integers(1, 400)))
        kind = draw(st.sampled_from(["record", "request", "incident"]))
        if kind == "record":
            formed = (clock - timedelta(days=draw(st.integers(0, 30)))).date()
            items.append(
                _item(
                    len(items) + 1,
                    "catalogue.RecordDrafted",
                    stream,
                    clock,
                    {
                        "department": dept,
                        "formed_on": formed.isoformat(),
                        "time_limit_working_days": None,
                        "disclosure": "proactive",
                        "needs_interpretation": draw(st.booleans()),
                        "item_code": None,
                    },
                )
            )
            if draw(st.booleans()):
                clock += timedelta(hours=draw(st.integers(1, 900)))
                items.append(
                    _item(
                        len(items) + 1, "catalogue.RecordPublished", stream, clock, {"published_at": clock.isoformat()}
                    )
                )
        elif kind == "request":
            items.append(
                _item(
                    len(items) + 1,
                    "catalogue.InformationRequestReceived",
                    stream,
                    clock,
                    {"department": dept, "received_on": clock.date().isoformat()},
                )
            )
            if draw(st.booleans()):
                clock += timedelta(hours=draw(st.integers(1, 900)))
                items.append(
                    _item(
                        len(items) + 1,
                        "catalogue.InformationRequestReplied",
                        stream,
                        clock,
                        {"on": clock.date().isoformat(), "outcome": "granted", "reason": None},
                    )
                )
        else:
            items.append(
                _item(
                    len(items) + 1,
                    "opinion.IncidentReported",
                    stream,
                    clock,
                    {
                        "lead_department": dept,
                        "detected_at": clock.isoformat(),
                        "severity": draw(st.sampled_from(["major", "general"])),
                        "emergency": draw(st.booleans()),
                    },
                )
            )
            if draw(st.booleans()):
                clock += timedelta(hours=draw(st.integers(1, 60)))
                items.append(
                    _item(
                        len(items) + 1,
                        "opinion.IncidentResponseRecorded",
                        stream,
                        clock,
                        {
                            "kind": draw(st.sampled_from(["authoritative_release", "press_conference", "statement"])),
                            "at": clock.isoformat(),
                        },
                    )
                )
    return items


def _apply(app: Any, items: list[dict[str, Any]]) -> None:
    handler = record_fact("catalogue")
    with app.transaction() as session:
        for item in items:
            handler(app, session, item)


def _scores(app: Any, settings: Settings, as_of: datetime) -> list[dict[str, Any]]:
    with app.reading() as session:
        return league(session, settings=settings, calendar=CALENDAR, departments=DEPARTMENTS, year=2026, as_of=as_of)[
            "items"
        ]


def _reset(app: Any) -> None:
    with app.transaction() as session:
        session.execute(delete(fact))


def test_incremental_following_equals_from_scratch_and_as_of_is_stable(tmp_path: Path) -> None:
    settings = make_settings("sqlite", tmp_path)
    try:
        with open_application("assessment", settings) as app:

            @hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
            @given(history=histories(), data=st.data())
            def check(history: list[dict[str, Any]], data: st.DataObject) -> None:
                end = datetime.fromisoformat(history[-1]["occurred_at"]) + timedelta(days=400)
                # from scratch: every fact in one batch
                _reset(app)
                _apply(app, history)
                from_scratch = _scores(app, settings, end)
                # incrementally: batches of random sizes, asking as_of at each batch's last instant
                _reset(app)
                answers: list[tuple[datetime, list[dict[str, Any]]]] = []
                position = 0
                while position < len(history):
                    size = data.draw(st.integers(1, len(history) - position))
                    batch = history[position : position + size]
                    _apply(app, batch)
                    position += size
                    moment = datetime.fromisoformat(batch[-1]["occurred_at"])
                    answers.append((moment, _scores(app, settings, moment)))
                assert _scores(app, settings, end) == from_scratch
                for moment, answered_then in answers:
                    assert _scores(app, settings, moment) == answered_then  # later events do not change the past

            check()
    finally:
        drop_schemas(settings)
