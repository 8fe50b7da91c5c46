"""Incident deadlines in clock hours, alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.opinion.domain import DeadlineHours, deadlines

DETECTED = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
HOURS = DeadlineHours(authoritative_release=5, press_conference=24, response=48)


def _at(hours: float) -> datetime:
    return DETECTED + timedelta(hours=hours)


def test_an_especially_major_emergency_has_a_5h_release_and_a_24h_press_conference() -> None:
    responses = [{"kind": "authoritative_release", "at": _at(3)}, {"kind": "press_conference", "at": _at(30)}]
    due = {
        d.kind: d
        for d in deadlines(
            detected_at=DETECTED, severity="especially_major", emergency=True, responses=responses, hours=HOURS
        )
    }
    assert due["authoritative_release"].due_at == _at(5)
    assert due["authoritative_release"].status(_at(40)) == "met"
    assert due["press_conference"].due_at == _at(24)
    assert due["press_conference"].status(_at(40)) == "missed"


def test_a_statement_does_not_meet_the_press_conference_deadline() -> None:
    responses = [{"kind": "statement", "at": _at(1)}]
    due = {
        d.kind: d
        for d in deadlines(detected_at=DETECTED, severity="major", emergency=True, responses=responses, hours=HOURS)
    }
    assert due["press_conference"].met_at is None
    assert due["press_conference"].status(_at(2)) == "pending"
    assert due["press_conference"].status(_at(25)) == "missed"


def test_other_incidents_have_one_48h_deadline_met_by_any_response() -> None:
    [only] = deadlines(
        detected_at=DETECTED,
        severity="general",
        emergency=False,
        responses=[{"kind": "online_reply", "at": _at(47)}],
        hours=HOURS,
    )
    assert (only.kind, only.due_at, only.status(_at(100))) == ("response", _at(48), "met")
    [major_but_not_emergency] = deadlines(
        detected_at=DETECTED, severity="major", emergency=False, responses=[], hours=HOURS
    )
    assert major_but_not_emergency.kind == "response"
    assert major_but_not_emergency.status(_at(48)) == "pending"  # due_at itself is still on time
    assert major_but_not_emergency.status(_at(48.01)) == "missed"
