"""Time limits (民法典 第201、203条), the met/missed/pending judgement, no future facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shared.calendar import WorkingCalendar
from shared.errors import RuleViolated
from shared.rules.law import Law
from shared.rules.time import TimeLimit, due_after, due_within, judge, on_time, refuse_future, remaining


def test_working_days_count_from_the_next_day_and_skip_national_day(calendar: WorkingCalendar) -> None:
    # 10-01..07 holiday; 10-08, 10-09 and Saturday 10-10 (调休) are working days 1-3.
    due = due_after(date(2026, 9, 30), TimeLimit(3), calendar)
    assert (due.due_on, due.calendar_provisional) == (date(2026, 10, 10), False)
    assert due.as_dict()["working_days"] == 3


def test_calendar_days_end_on_the_next_working_day_when_the_last_falls_on_a_holiday(
    calendar: WorkingCalendar,
) -> None:
    # 2026-09-20 + 20 days = 10-10, a worked Saturday (调休): it stays.
    assert due_after(date(2026, 9, 20), TimeLimit(20, "calendar"), calendar).due_on == date(2026, 10, 10)
    # 2026-09-15 + 20 days = 10-05, inside the National Day holiday: moved to 10-08.
    moved = due_after(date(2026, 9, 15), TimeLimit(20, "calendar"), calendar)
    assert moved.due_on == date(2026, 10, 8)
    assert moved.as_dict() == {
        "start_on": date(2026, 9, 15),
        "kind": "calendar",
        "days": 20,
        "working_days": None,
        "due_on": date(2026, 10, 8),
        "calendar_provisional": False,
    }
    # 2026-11-08 + 20 = 11-28, a Saturday: the next working day is Monday 11-30.
    assert due_after(date(2026, 11, 8), TimeLimit(20, "calendar"), calendar).due_on == date(2026, 11, 30)


def test_a_limit_reaching_a_year_without_calendar_data_is_provisional(calendar: WorkingCalendar) -> None:
    assert due_after(date(2026, 12, 20), TimeLimit(20), calendar).calendar_provisional is True
    assert due_after(date(2026, 12, 20), TimeLimit(20, "calendar"), calendar).calendar_provisional is True


@pytest.mark.parametrize(
    ("done", "now", "status"),
    [
        (date(2026, 5, 1), date(2026, 6, 1), "met"),
        (date(2026, 5, 10), date(2026, 6, 1), "met"),  # on the day itself
        (date(2026, 5, 11), date(2026, 6, 1), "missed"),
        (None, date(2026, 5, 10), "pending"),
        (None, date(2026, 5, 11), "missed"),
    ],
)
def test_judge(done: date | None, now: date, status: str) -> None:
    assert judge(done, date(2026, 5, 10), now) == status


def test_on_time_is_null_while_pending() -> None:
    assert (on_time("met"), on_time("missed"), on_time("pending")) == (True, False, None)


def test_no_fact_may_be_dated_in_the_future(law: Law) -> None:
    now = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    today = date(2026, 11, 28)
    skew = law.future_skew_seconds
    refuse_future(now, today, skew, on=today, at=now + timedelta(minutes=4), received_on=None)
    with pytest.raises(RuleViolated) as tomorrow:
        refuse_future(now, today, skew, on=today + timedelta(days=1))
    assert tomorrow.value.code == "in_future"
    assert tomorrow.value.extra["errors"][0]["loc"] == ["body", "on"]
    with pytest.raises(RuleViolated):
        refuse_future(now, today, skew, detected_at=now + timedelta(minutes=6))


def test_remaining_working_days_and_the_due_soon_horizon(calendar: WorkingCalendar) -> None:
    due = date(2026, 10, 9)
    # From 09-30: 10-08 and 10-09 are the working days left (the holiday does not count).
    assert remaining(due, date(2026, 9, 30), calendar).working_days_left == 2
    late = remaining(due, date(2026, 10, 12), calendar)
    assert (late.late, late.working_days_left, late.late_working_days) == (True, 0, 2)  # 10-10 (调休), 10-12
    assert due_within(due, date(2026, 9, 30), 2, calendar) is True
    assert due_within(due, date(2026, 9, 30), 1, calendar) is False
    assert due_within(due, date(2026, 10, 10), 5, calendar) is False  # already late
