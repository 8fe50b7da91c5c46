"""The request clock (条例 第30-34条) and api.md "Law corner cases", as a fold over facts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shared.calendar import WorkingCalendar
from shared.errors import InvalidState, RuleViolated
from shared.rules.law import Law
from shared.rules.requests import RequestClock, appeal_result_as_of, clarification_reply_by

TODAY = date(2026, 11, 28)


def fold(received_on: str, *facts: tuple[str, dict[str, Any]]) -> RequestClock:
    """Facts as a feed shows them (ISO dates): the same fold the assessment runs."""
    clock = RequestClock.received({"received_on": received_on})
    for name, data in facts:
        clock.apply(name, data)
    return clock


def test_twenty_working_days_from_receipt(calendar: WorkingCalendar, law: Law) -> None:
    clock = fold("2026-09-30")
    # 10-01..07 holiday; the 20th working day after 09-30 is 11-03.
    assert clock.due_on(calendar, law, TODAY) == date(2026, 11, 3)
    assert clock.status == "received"


def test_a_consultation_pause_adds_its_working_days_up_to_15(calendar: WorkingCalendar, law: Law) -> None:
    clock = fold(
        "2026-03-02",
        ("ConsultationStarted", {"on": "2026-03-05", "party": "third_party"}),
        ("ConsultationEnded", {"on": "2026-03-10"}),
    )
    explained = clock.explain(calendar, law, TODAY)
    assert explained["paused_working_days"] == 3  # 03-06, 03-09, 03-10
    assert explained["due_on"] == calendar.add_working_days(date(2026, 3, 2), 23).due_on
    long = fold(
        "2026-03-02",
        ("ConsultationStarted", {"on": "2026-03-03", "party": "other_agency"}),
        ("ConsultationEnded", {"on": "2026-05-29"}),
    )
    assert long.explain(calendar, law, TODAY)["paused_working_days"] == law.consultation_pause_max_working_days


def test_a_pause_that_ended_before_the_clarification_restart_adds_nothing(calendar: WorkingCalendar, law: Law) -> None:
    clock = fold(
        "2026-03-02",
        ("ConsultationStarted", {"on": "2026-03-03", "party": "third_party"}),
        ("ConsultationEnded", {"on": "2026-03-06"}),
        ("ClarificationRequested", {"on": "2026-03-09", "reply_by": "2026-03-20"}),
        ("Clarified", {"on": "2026-03-16"}),
    )
    explained = clock.explain(calendar, law, TODAY)
    assert explained["start_on"] == date(2026, 3, 16)
    assert explained["paused_working_days"] == 0
    assert explained["due_on"] == calendar.add_working_days(date(2026, 3, 16), 20).due_on


def test_only_the_part_of_a_pause_after_the_restart_counts(calendar: WorkingCalendar, law: Law) -> None:
    clock = fold(
        "2026-03-02",
        ("ClarificationRequested", {"on": "2026-03-03", "reply_by": "2026-03-20"}),
        ("Clarified", {"on": "2026-03-11"}),
        ("ConsultationStarted", {"on": "2026-03-12", "party": "third_party"}),
        ("ConsultationEnded", {"on": "2026-03-17"}),
    )
    assert clock.explain(calendar, law, TODAY)["paused_working_days"] == 3  # 03-13, 03-16, 03-17


def test_the_clock_stops_while_a_clarification_is_owed(calendar: WorkingCalendar, law: Law) -> None:
    clock = fold("2026-03-02", ("ClarificationRequested", {"on": "2026-03-04"}))
    explained = clock.explain(calendar, law, TODAY)
    assert explained["clock_stopped"] is True
    assert explained["due_on"] is None
    assert clock.status_at(calendar, law, TODAY) is None
    # Recorded before the notice named a 补正期限: the default, 15 working days after the notice.
    assert explained["clarification"]["reply_by"] == clarification_reply_by(date(2026, 3, 4), calendar, law)
    assert clarification_reply_by(date(2026, 3, 4), calendar, law) == date(2026, 3, 25)


def test_a_late_clarification_notice_is_flagged_and_still_restarts(calendar: WorkingCalendar, law: Law) -> None:
    clock = fold(
        "2026-03-02",
        ("ClarificationRequested", {"on": "2026-03-20", "reply_by": "2026-04-03"}),
        ("Clarified", {"on": "2026-03-25"}),
    )
    explained = clock.explain(calendar, law, TODAY)
    assert explained["clarification"]["late_notice"] is True  # the 7th working day was 03-11
    assert explained["start_on"] == date(2026, 3, 25)


def test_clarification_overdue_closes_only_after_reply_by(calendar: WorkingCalendar, law: Law) -> None:
    clock = fold("2026-03-02", ("ClarificationRequested", {"on": "2026-03-04", "reply_by": "2026-03-18"}))
    with pytest.raises(InvalidState) as early:
        clock.check_reply(date(2026, 3, 18), "other", "clarification_overdue", calendar, law)
    assert early.value.extra["reason"] == "clarification_not_overdue"
    with pytest.raises(InvalidState) as granted:
        clock.check_reply(date(2026, 3, 19), "granted", None, calendar, law)
    assert granted.value.extra["reason"] == "awaiting_clarification"
    clock.check_reply(date(2026, 3, 19), "other", "clarification_overdue", calendar, law)
    clock.apply("Replied", {"on": "2026-03-19", "outcome": "other", "reason": "clarification_overdue"})
    assert clock.status == "replied"
    assert clock.status_at(calendar, law, TODAY) is None  # no clock ran: not judged late or on time


def test_clarification_overdue_needs_a_pending_clarification(calendar: WorkingCalendar, law: Law) -> None:
    with pytest.raises(InvalidState) as error:
        fold("2026-03-02").check_reply(date(2026, 3, 19), "other", "clarification_overdue", calendar, law)
    assert error.value.extra["reason"] == "no_clarification_pending"


def test_an_extension_after_the_deadline_is_refused(calendar: WorkingCalendar, law: Law) -> None:
    clock = fold("2026-09-30")  # due 11-03
    clock.check_extension(date(2026, 11, 3), 20, calendar, law)
    with pytest.raises(InvalidState) as late:
        clock.check_extension(date(2026, 11, 4), 20, calendar, law)
    assert late.value.extra["reason"] == "deadline_passed"
    with pytest.raises(RuleViolated):
        clock.check_extension(date(2026, 10, 20), law.request_extension_max_working_days + 1, calendar, law)
    clock.apply("Extended", {"on": "2026-10-20", "working_days": 10})
    assert clock.due_on(calendar, law, TODAY) == calendar.add_working_days(date(2026, 9, 30), 30).due_on
    with pytest.raises(InvalidState) as twice:
        clock.check_extension(date(2026, 10, 21), 5, calendar, law)
    assert twice.value.extra["reason"] == "already_extended"


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [("refused", None), ("granted", "state_secret"), ("refused", "not_held"), ("approved", None)],
)
def test_outcomes_come_from_the_closed_lists(
    calendar: WorkingCalendar, law: Law, outcome: str, reason: str | None
) -> None:
    with pytest.raises(RuleViolated):
        fold("2026-03-02").check_reply(date(2026, 3, 10), outcome, reason, calendar, law)


def test_a_reply_judged_against_the_deadline(calendar: WorkingCalendar, law: Law) -> None:
    on_time = fold("2026-09-30", ("Replied", {"on": "2026-11-03", "outcome": "granted", "reason": None}))
    late = fold("2026-09-30", ("Replied", {"on": "2026-11-04", "outcome": "granted", "reason": None}))
    assert on_time.status_at(calendar, law, TODAY) == "met"
    assert late.status_at(calendar, law, TODAY) == "missed"
    assert fold("2026-09-30").status_at(calendar, law, date(2026, 11, 3)) == "pending"
    assert fold("2026-09-30").status_at(calendar, law, date(2026, 11, 4)) == "missed"


def test_an_appeal_counts_under_its_latest_result_by_a_day() -> None:
    results = [(date(2026, 3, 1), "pending"), (date(2027, 2, 1), "corrected"), (date(2026, 9, 1), "upheld")]
    assert appeal_result_as_of(results, date(2026, 12, 31)) == "upheld"
    assert appeal_result_as_of(results, date(2027, 12, 31)) == "corrected"
    assert appeal_result_as_of(results, date(2026, 2, 1)) is None
