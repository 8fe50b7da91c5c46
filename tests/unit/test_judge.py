"""The assessment's judge over hand-built worlds, and the rank function (api.md "Default scheme")."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.assessment.counting import Rules
from services.assessment.scores import default_scheme
from services.assessment.scoring import ActionFact, Judge, proposed_actions, rank
from services.assessment.world import World
from shared.calendar import WorkingCalendar
from shared.rules.law import Law
from shared.settings import Settings

AS_OF = datetime(2026, 12, 1, tzinfo=UTC)
T = datetime(2026, 1, 1, tzinfo=UTC)  # when facts "occurred" (only re-assessments read it)


def replay(*facts: tuple[str, str, dict[str, Any]]) -> World:
    return World.replay((type_, stream, data, T) for type_, stream, data in facts)


def judge(world: World, calendar: WorkingCalendar, law: Law, as_of: datetime = AS_OF) -> Judge:
    return Judge(world, default_scheme(Settings()), Rules(calendar, law), 2026, as_of)


def drafted(dept: str, formed_on: str, category: str = "policy", **extra: Any) -> dict[str, Any]:
    return {
        "department": dept,
        "category": category,
        "formed_on": formed_on,
        "disclosure": "proactive",
        "needs_interpretation": False,
        "item_code": None,
        "time_limit": None,
        **extra,
    }


def published(at: str) -> dict[str, Any]:
    return {"published_at": at}


def test_disclosure_timeliness_uses_the_records_own_kind_of_limit(calendar: WorkingCalendar, law: Law) -> None:
    v2_fact = {k: v for k, v in drafted("FIN", "2026-06-01").items() if k != "time_limit"}
    world = replay(
        # A budget approved 06-01: 20 calendar days end Sunday 06-21, moved to Monday 06-22.
        ("catalogue.RecordDrafted", "b", drafted("FIN", "2026-06-01", "budget")),
        ("catalogue.RecordPublished", "b", published("2026-06-23T02:00:00+00:00")),  # late
        # A policy formed 06-01: 20 working days end 06-30 (Dragon Boat Festival 06-19).
        ("catalogue.RecordDrafted", "p", drafted("FIN", "2026-06-01")),
        ("catalogue.RecordPublished", "p", published("2026-06-30T02:00:00+00:00")),  # on time
        # A fact recorded as RecordDrafted v2 still counts: 3 working days, unpublished, past due.
        ("catalogue.RecordDrafted", "old", {**v2_fact, "time_limit_working_days": 3}),
    )
    result = judge(world, calendar, law).department("FIN", [])
    disclosure = result["indicators"]["disclosure_timeliness"]
    assert (disclosure["numerator"], disclosure["denominator"]) == (1, 3)
    assert sorted((v["ref_id"], v["kind"]) for v in disclosure["violations"]) == [
        ("b", "late_disclosure"),
        ("old", "unpublished_past_due"),
    ]
    assert "due 2026-06-22" in next(v["detail"] for v in disclosure["violations"] if v["ref_id"] == "b")


def test_request_timeliness_skips_requests_closed_for_an_overdue_clarification(
    calendar: WorkingCalendar, law: Law
) -> None:
    dept = {"department": "EDU"}
    world = replay(
        ("catalogue.InformationRequestReceived", "late", {**dept, "received_on": "2026-09-30"}),
        ("catalogue.InformationRequestReplied", "late", {"on": "2026-11-04", "outcome": "granted", "reason": None}),
        ("catalogue.InformationRequestReceived", "ok", {**dept, "received_on": "2026-09-30"}),
        ("catalogue.InformationRequestExtended", "ok", {"on": "2026-10-30", "working_days": 5}),
        ("catalogue.InformationRequestReplied", "ok", {"on": "2026-11-04", "outcome": "granted", "reason": None}),
        ("catalogue.InformationRequestReceived", "gone", {**dept, "received_on": "2026-03-02"}),
        ("catalogue.InformationRequestClarificationRequested", "gone", {"on": "2026-03-04", "reply_by": "2026-03-18"}),
        (
            "catalogue.InformationRequestReplied",
            "gone",
            {"on": "2026-03-19", "outcome": "other", "reason": "clarification_overdue"},
        ),
    )
    requests = judge(world, calendar, law).department("EDU", [])["indicators"]["request_timeliness"]
    assert (requests["numerator"], requests["denominator"]) == (1, 2)
    assert [v["ref_id"] for v in requests["violations"]] == ["late"]


def test_a_reassessed_incident_keeps_its_missed_emergency_deadlines(calendar: WorkingCalendar, law: Law) -> None:
    detected = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    world = World.replay(
        [
            (
                "opinion.IncidentReported",
                "i",
                {"lead_department": "ENV", "detected_at": detected.isoformat(), "severity": "major", "emergency": True},
                detected,
            ),
            # Recorded before IncidentAssessed carried assessed_at: when it occurred counts (30 h in).
            (
                "opinion.IncidentAssessed",
                "i",
                {"severity": "general", "emergency": False},
                datetime(2026, 3, 3, 7, 30, tzinfo=UTC),
            ),
            ("opinion.IncidentResponseRecorded", "i", {"kind": "online_reply", "at": "2026-03-03T08:00:00+00:00"}, T),
        ]
    )
    opinion = judge(world, calendar, law).department("ENV", [])["indicators"]["opinion_timeliness"]
    assert (opinion["numerator"], opinion["denominator"]) == (1, 3)
    assert sorted(v["kind"] for v in opinion["violations"]) == [
        "missed_authoritative_release",
        "missed_press_conference",
    ]
    proposals = proposed_actions(world, 2026, AS_OF, law, acted_on=set())
    assert [(p["ref_id"], p["reasons"]) for p in proposals] == [
        ("i", ["missed_authoritative_release", "missed_press_conference"])
    ]
    assert proposed_actions(world, 2026, AS_OF, law, acted_on={"i"}) == []


def test_interpretation_sync_and_the_score_formula(calendar: WorkingCalendar, law: Law) -> None:
    world = replay(
        ("catalogue.RecordDrafted", "r1", drafted("FIN", "2026-09-25", needs_interpretation=True)),
        ("catalogue.RecordPublished", "r1", published("2026-09-30T02:00:00+00:00")),
        (
            "interpretation.InterpretationDrafted",
            "x",
            {"department": "FIN", "policy_record_id": "r1", "interpreter": {"principal": True}},
        ),
        ("interpretation.InterpretationPublished", "x", published("2026-10-10T02:00:00+00:00")),  # 3rd working day
    )
    result = judge(world, calendar, law).department(
        "FIN", [ActionFact("FIN", "circulated_criticism", date(2026, 5, 1))]
    )
    indicators = result["indicators"]
    assert indicators["interpretation_sync"]["rate"] == 1.0
    assert indicators["disclosure_timeliness"]["rate"] == 1.0  # formed 09-25, published 09-30
    assert indicators["principal_interpretations"]["rate"] == pytest.approx(1 / 3, abs=1e-4)
    # Applicable: disclosure 20, sync 15, principal 10 (others have no denominator).
    expected = 100 * (20 * 1 + 15 * 1 + 10 * (1 / 3)) / 45 - 5
    assert result["score"] == round(expected, 2)
    assert result["deductions"]["circulated_criticism"] == 1


def test_equal_scores_share_a_rank() -> None:
    table = rank(
        [
            {"department": "EDU", "score": 80.0},
            {"department": "FIN", "score": 92.5},
            {"department": "CIV", "score": 80.0},
            {"department": "ENV", "score": 10.0},
        ]
    )
    assert [(e["department"], e["rank"]) for e in table] == [("FIN", 1), ("CIV", 2), ("EDU", 2), ("ENV", 4)]
