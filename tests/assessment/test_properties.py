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
    """Facts of two departments, recorded in increasing time: records (some under catalogue
    items, some policies), their interpretations (some by a principal, some withdrawn), catalogue
    items (some retired), proposal replies, requests (with consultations, clarifications and
    extensions) and incidents (some re-assessed)."""
    facts: list[tuple[datetime, str, str, dict[str, Any]]] = []
    records: list[str] = []
    start = clock = START

    def later(most_hours: int) -> datetime:
        """The entity's next step: its facts interleave with the next entities' facts."""
        nonlocal clock
        clock += timedelta(hours=draw(st.integers(1, most_hours)))
        return clock

    def add(type_: str, stream: str, at: datetime, data: dict[str, Any]) -> None:
        facts.append((at, type_, stream, data))

    for n in range(draw(st.integers(1, 10))):
        stream = str(uuid.uuid5(uuid.NAMESPACE_URL, f"stream-{n}"))
        dept = draw(st.sampled_from(DEPARTMENTS))
        start += timedelta(hours=draw(st.integers(1, 400)))
        at = clock = start
        kind = draw(st.sampled_from(["record", "request", "incident", "interpretation", "item", "proposal"]))
        if kind == "interpretation" and not records:
            kind = "record"
        if kind == "record":
            formed = (at - timedelta(days=draw(st.integers(0, 30)))).date()
            data = {
                "department": dept,
                "formed_on": formed.isoformat(),
                "time_limit_working_days": None,
                "disclosure": draw(st.sampled_from(["proactive", "proactive", "on_request"])),
                "needs_interpretation": draw(st.booleans()),
                "item_code": draw(st.sampled_from([None, "C1", "C2"])),
            }
            add("catalogue.RecordDrafted", stream, at, data)
            records.append(stream)
            step = draw(st.sampled_from(["published", "revoked", "none"]))
            if step == "published":
                published = later(900)
                add("catalogue.RecordPublished", stream, published, {"published_at": published.isoformat()})
            elif step == "revoked":
                add("catalogue.RecordRevoked", stream, later(900), {})
        elif kind == "interpretation":
            policy = draw(st.sampled_from(records))
            interpreter = {"principal": draw(st.booleans())}
            add(
                "interpretation.InterpretationDrafted",
                stream,
                at,
                {"department": dept, "policy_record_id": policy, "interpreter": interpreter},
            )
            if draw(st.booleans()):
                published = later(400)
                add(
                    "interpretation.InterpretationPublished", stream, published, {"published_at": published.isoformat()}
                )
                if draw(st.booleans()):
                    add("interpretation.InterpretationWithdrawn", stream, later(400), {})
        elif kind == "item":
            code = draw(st.sampled_from(["C1", "C2"]))
            add("catalogue.CatalogueItemRegistered", stream, at, {"department": dept, "code": code})
            if draw(st.booleans()):
                add("catalogue.CatalogueItemRetired", stream, later(900), {})
        elif kind == "proposal":
            add(
                "catalogue.ProposalReplyRecorded",
                stream,
                at,
                {"handler_department": dept, "replied_on": at.date().isoformat()},
            )
            if draw(st.booleans()):
                published = later(900)
                add("catalogue.ProposalReplyPublished", stream, published, {"published_at": published.isoformat()})
        elif kind == "request":
            add(
                "catalogue.InformationRequestReceived",
                stream,
                at,
                {"department": dept, "received_on": at.date().isoformat()},
            )
            for step in draw(st.lists(st.sampled_from(["consult", "clarify", "extend"]), max_size=2, unique=True)):
                on = later(300).date().isoformat()
                if step == "consult":
                    add(
                        "catalogue.InformationRequestConsultationStarted",
                        stream,
                        clock,
                        {"on": on, "party": "third_party"},
                    )
                    if draw(st.booleans()):
                        ended = later(300).date().isoformat()
                        add("catalogue.InformationRequestConsultationEnded", stream, clock, {"on": ended})
                elif step == "clarify":
                    add(
                        "catalogue.InformationRequestClarificationRequested",
                        stream,
                        clock,
                        {"on": on, "reply_by": None},
                    )
                    if draw(st.booleans()):
                        clarified = later(300).date().isoformat()
                        add("catalogue.InformationRequestClarified", stream, clock, {"on": clarified})
                else:
                    add(
                        "catalogue.InformationRequestExtended",
                        stream,
                        clock,
                        {"on": on, "working_days": draw(st.integers(1, 20))},
                    )
            if draw(st.booleans()):
                replied = later(900).date().isoformat()
                add(
                    "catalogue.InformationRequestReplied",
                    stream,
                    clock,
                    {"on": replied, "outcome": "granted", "reason": None},
                )
        else:
            detected = {"lead_department": dept, "detected_at": at.isoformat()}
            severity = {"severity": draw(st.sampled_from(["major", "general"])), "emergency": draw(st.booleans())}
            add("opinion.IncidentReported", stream, at, {**detected, **severity})
            if draw(st.booleans()):
                assessed = later(10)
                severity = {"severity": draw(st.sampled_from(["major", "general"])), "emergency": draw(st.booleans())}
                add("opinion.IncidentAssessed", stream, assessed, {**severity, "assessed_at": assessed.isoformat()})
            if draw(st.booleans()):
                responded = later(60)
                response = draw(st.sampled_from(["authoritative_release", "press_conference", "statement"]))
                add(
                    "opinion.IncidentResponseRecorded",
                    stream,
                    responded,
                    {"kind": response, "at": responded.isoformat()},
                )
    facts.sort(key=lambda f: f[0])  # recorded in increasing time
    return [_item(n, type_, stream, at, data) for n, (at, type_, stream, data) in enumerate(facts, start=1)]


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
                    # Facts of two entities may share an instant: one recorded at ``moment`` but
                    # applied in the next batch is not a later event, and would change the answer.
                    if position == len(history) or datetime.fromisoformat(history[position]["occurred_at"]) > moment:
                        answers.append((moment, _scores(app, settings, moment)))
                assert _scores(app, settings, end) == from_scratch
                for moment, answered_then in answers:
                    assert _scores(app, settings, moment) == answered_then  # later events do not change the past

            check()
    finally:
        drop_schemas(settings)
