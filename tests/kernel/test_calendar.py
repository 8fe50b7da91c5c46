"""The working-day calendar: State Council 调休, counting from the day after, years without data."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.calendar import CalendarFileError, WorkingCalendar


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


def test_2026_adjusted_weekend_days_are_working_days(calendar: WorkingCalendar) -> None:
    assert date(2026, 1, 4).weekday() == 6  # a Sunday...
    assert calendar.is_working_day(date(2026, 1, 4))  # ...worked for the New Year holiday
    assert date(2026, 10, 10).weekday() == 5  # a Saturday...
    assert calendar.is_working_day(date(2026, 10, 10))  # ...worked for National Day


def test_2026_national_day_week_is_not_worked(calendar: WorkingCalendar) -> None:
    for day in range(1, 8):
        assert not calendar.is_working_day(date(2026, 10, day)), f"2026-10-0{day}"
    assert calendar.is_working_day(date(2026, 10, 8))


def test_counting_starts_the_next_day_and_skips_the_holiday(calendar: WorkingCalendar) -> None:
    # Formed Wednesday 2026-09-30; 10-01..10-07 are National Day, so the working days run
    # 10-08 (1), 10-09 (2), Saturday 10-10 调休 (3), 10-12 (4), 10-13 (5).
    deadline = calendar.add_working_days(date(2026, 9, 30), 5)
    assert deadline.due_on == date(2026, 10, 13)
    assert not deadline.calendar_provisional


def test_a_deadline_running_into_2027_is_provisional_monday_to_friday(calendar: WorkingCalendar) -> None:
    # Working days of December 2026 after the 17th: 18, 21-25, 28-31 = 10; then 2027 Mon-Fri:
    # 01-01 Fri (11), 01-04..01-08 (12-16), 01-11..01-14 (17-20).
    deadline = calendar.add_working_days(date(2026, 12, 17), 20)
    assert deadline.due_on == date(2027, 1, 14)
    assert deadline.calendar_provisional


def test_a_loaded_2027_notice_redates_the_deadline(tmp_path: Path) -> None:
    notice = {"2027": {"holidays": ["2027-01-01"], "workdays": []}}
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps(notice), encoding="utf-8")
    calendar = WorkingCalendar(path)
    deadline = calendar.add_working_days(date(2026, 12, 17), 20)
    assert deadline.due_on == date(2027, 1, 15)  # New Year's Day 2027 no longer counts
    assert not deadline.calendar_provisional


def test_a_year_with_no_data_at_all_is_counted_not_refused(calendar: WorkingCalendar) -> None:
    deadline = calendar.add_working_days(date(2031, 5, 1), 3)  # Thursday
    assert deadline.due_on == date(2031, 5, 6)
    assert deadline.calendar_provisional


def test_a_broken_calendar_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "calendar.json"
    path.write_text('{"2027": {"holidays": ["2027-02-30"]}}', encoding="utf-8")
    with pytest.raises(CalendarFileError, match="not valid"):
        WorkingCalendar(path)


def test_working_days_between(calendar: WorkingCalendar) -> None:
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert calendar.working_days_between(date(2026, 10, 8), date(2026, 10, 8)) == 0
    assert calendar.working_days_between(date(2026, 10, 9), date(2026, 10, 8)) == 0


@settings(max_examples=400, deadline=None)
@given(start=st.dates(date(1990, 1, 1), date(2040, 12, 31)), span=st.integers(-60, 1200))
def test_working_days_between_counts_each_day_after_the_start(start: date, span: int) -> None:
    """The running count answers what counting day by day answers, before 2000, across it and after."""
    calendar = WorkingCalendar()
    end = start + timedelta(days=span)
    counted = sum(calendar.is_working_day(start + timedelta(days=n)) for n in range(1, span + 1))
    assert calendar.working_days_between(start, end) == counted
