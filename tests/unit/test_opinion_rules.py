"""Incident deadlines in clock hours (rules 8-9; api.md "emergency release", "re-assessment")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from shared.rules.law import Law
from shared.rules.opinion import IncidentClock

DETECTED = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def _at(hours: float) -> datetime:
    return DETECTED + timedelta(hours=hours)


def clock(severity: str, emergency: bool, *responses: tuple[str, float]) -> IncidentClock:
    folded = IncidentClock.reported({"detected_at": DETECTED.isoformat(), "severity": severity, "emergency": emergency})
    for kind, hours in responses:
        folded.apply("ResponseRecorded", {"kind": kind, "at": _at(hours).isoformat()})
    return folded


def by_kind(folded: IncidentClock, law: Law) -> dict[str, object]:
    return {d.kind: d for d in folded.deadlines(law)}


def test_an_especially_major_emergency_has_a_5h_release_and_a_24h_press_conference(law: Law) -> None:
    due = by_kind(clock("especially_major", True, ("authoritative_release", 3), ("press_conference", 30)), law)
    release, press = due["authoritative_release"], due["press_conference"]
    assert (release.due_at, release.status(_at(40))) == (_at(5), "met")  # type: ignore[attr-defined]
    assert (press.due_at, press.status(_at(40))) == (_at(24), "missed")  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["authoritative_release", "press_conference", "statement"])
def test_any_release_of_authoritative_information_meets_the_5h_duty(kind: str, law: Law) -> None:
    release = by_kind(clock("major", True, (kind, 4)), law)["authoritative_release"]
    assert release.status(_at(6)) == "met"  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["interview", "online_reply"])
def test_an_interview_or_online_reply_does_not_meet_the_5h_duty(kind: str, law: Law) -> None:
    release = by_kind(clock("major", True, (kind, 1)), law)["authoritative_release"]
    assert release.status(_at(6)) == "missed"  # type: ignore[attr-defined]


def test_only_a_press_conference_meets_the_24h_duty(law: Law) -> None:
    press = by_kind(clock("major", True, ("statement", 1)), law)["press_conference"]
    assert press.met_at is None  # type: ignore[attr-defined]
    assert press.status(_at(2)) == "pending"  # type: ignore[attr-defined]
    assert press.status(_at(25)) == "missed"  # type: ignore[attr-defined]


def test_other_incidents_have_one_48h_deadline_met_by_any_response(law: Law) -> None:
    [only] = clock("general", False, ("online_reply", 47)).deadlines(law)
    assert (only.kind, only.due_at, only.status(_at(100))) == ("response", _at(48), "met")
    [not_emergency] = clock("major", False).deadlines(law)
    assert not_emergency.kind == "response"
    assert not_emergency.status(_at(48)) == "pending"  # due_at itself is still on time
    assert not_emergency.status(_at(48.01)) == "missed"


def test_hours_are_configuration(law: Law) -> None:
    [only] = clock("general", False).deadlines(replace(law, response_hours=24))
    assert only.due_at == _at(24)


def test_reassessment_keeps_a_deadline_already_missed(law: Law) -> None:
    folded = clock("major", True)
    # Re-judged 30 hours in as a general incident: the 5 h and 24 h deadlines had passed unmet.
    folded.apply("Assessed", {"severity": "general", "emergency": False, "assessed_at": _at(30).isoformat()})
    due = folded.deadlines(law)
    assert [(d.kind, d.status(_at(31))) for d in due] == [
        ("authoritative_release", "missed"),
        ("press_conference", "missed"),
        ("response", "pending"),
    ]


def test_reassessment_recomputes_deadlines_not_yet_due(law: Law) -> None:
    folded = clock("general", False)
    folded.apply("Assessed", {"severity": "major", "emergency": True, "assessed_at": _at(1).isoformat()})
    assert [(d.kind, d.due_at) for d in folded.deadlines(law)] == [
        ("authoritative_release", _at(5)),
        ("press_conference", _at(24)),
    ]


def test_a_deadline_met_before_the_reassessment_is_not_kept(law: Law) -> None:
    folded = clock("major", True, ("press_conference", 2))
    folded.apply("Assessed", {"severity": "general", "emergency": False, "assessed_at": _at(3).isoformat()})
    assert [d.kind for d in folded.deadlines(law)] == ["response"]


def test_an_assessment_recorded_before_assessed_at_existed_uses_when_it_occurred(law: Law) -> None:
    folded = clock("major", True)
    folded.apply("Assessed", {"severity": "general", "emergency": False}, occurred_at=_at(30))
    assert [d.kind for d in folded.deadlines(law)] == ["authoritative_release", "press_conference", "response"]


def test_the_same_judgement_again_does_not_duplicate_deadlines(law: Law) -> None:
    folded = clock("major", True)
    folded.apply("Assessed", {"severity": "especially_major", "emergency": True, "assessed_at": _at(30).isoformat()})
    assert [d.kind for d in folded.deadlines(law)] == ["authoritative_release", "press_conference"]
