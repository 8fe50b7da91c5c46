"""Rules 7, 10, 11, 12 and 13: interpretation sync and quota, the comment period, NPC/CPPCC
publication and the annual report's due date."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from shared.calendar import WorkingCalendar
from shared.errors import RuleViolated
from shared.rules.annual_report import annual_report_due_on, annual_report_status
from shared.rules.consultations import check_comment_period, open_for_comment
from shared.rules.interpretation import in_sync, lag_working_days, principal_quota_met, sync_status
from shared.rules.law import Law
from shared.rules.proposals import reply_publication_due, reply_publication_status

POLICY = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, the eve of National Day


def test_the_sync_lag_counts_working_days_across_national_day(calendar: WorkingCalendar) -> None:
    # 10-01..07 holiday: 10-08 is working day 1, 10-09 is 2, Saturday 10-10 (调休) is 3, 10-12 is 4.
    assert lag_working_days(calendar, POLICY, datetime(2026, 10, 10, 2, 0, tzinfo=UTC)) == 3
    assert lag_working_days(calendar, POLICY, datetime(2026, 10, 12, 2, 0, tzinfo=UTC)) == 4
    assert lag_working_days(calendar, POLICY, datetime(2026, 9, 29, 2, 0, tzinfo=UTC)) == 0


def test_sync_status(calendar: WorkingCalendar, law: Law) -> None:
    as_of = datetime(2026, 12, 1, tzinfo=UTC)
    on_time = sync_status(POLICY, [datetime(2026, 10, 10, 2, 0, tzinfo=UTC)], as_of, calendar, law)
    assert (on_time.status, on_time.lag_working_days, on_time.window.due_on) == ("met", 3, date(2026, 10, 10))
    first_counts = [datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 10, 9, tzinfo=UTC)]
    assert sync_status(POLICY, first_counts, as_of, calendar, law).status == "met"
    assert sync_status(POLICY, [datetime(2026, 10, 12, 2, 0, tzinfo=UTC)], as_of, calendar, law).status == "missed"
    assert sync_status(POLICY, [], datetime(2026, 10, 10, 15, 0, tzinfo=UTC), calendar, law).status == "pending"
    assert sync_status(POLICY, [], datetime(2026, 10, 10, 16, 0, tzinfo=UTC), calendar, law).status == "missed"
    assert sync_status(POLICY, [], as_of, calendar, law, working_days=5).window.due_on == date(2026, 10, 13)
    assert (in_sync(3, law), in_sync(4, law), in_sync(None, law)) == (True, False, None)


def test_the_principal_interpreter_quota(law: Law) -> None:
    assert (principal_quota_met(2, law), principal_quota_met(3, law), principal_quota_met(1, law, required=1)) == (
        False,
        True,
        True,
    )


def test_the_comment_period_is_30_days_unless_shortened_with_a_reason(law: Law) -> None:
    check_comment_period(date(2026, 3, 1), date(2026, 3, 31), None, law)
    check_comment_period(date(2026, 3, 1), date(2026, 3, 11), "应急决策", law)
    for closes, code in ((date(2026, 3, 30), "comment_period_too_short"), (date(2026, 3, 1), "window_inverted")):
        with pytest.raises(RuleViolated) as error:
            check_comment_period(date(2026, 3, 1), closes, None, law)
        assert error.value.code == code
    assert open_for_comment(date(2026, 3, 1), date(2026, 3, 31), False, date(2026, 3, 31)) is True
    assert open_for_comment(date(2026, 3, 1), date(2026, 3, 31), True, date(2026, 3, 15)) is False
    assert open_for_comment(date(2026, 3, 1), date(2026, 3, 31), False, date(2026, 4, 1)) is False


def test_an_npc_reply_is_published_within_20_working_days(calendar: WorkingCalendar, law: Law) -> None:
    due = reply_publication_due(date(2026, 9, 30), calendar, law)
    assert due.due_on == date(2026, 11, 3)
    as_of = datetime(2026, 12, 1, tzinfo=UTC)
    assert reply_publication_status(due, datetime(2026, 11, 3, 10, 0, tzinfo=UTC), as_of) == "met"
    assert reply_publication_status(due, None, as_of) == "missed"
    assert reply_publication_due(date(2026, 9, 30), calendar, law, working_days=3).due_on == date(2026, 10, 10)


def test_annual_reports_are_due_on_31_january_and_31_march(law: Law) -> None:
    assert annual_report_due_on(2026, "FIN", law) == date(2027, 1, 31)
    assert annual_report_due_on(2026, None, law) == date(2027, 3, 31)
    assert annual_report_due_on(2026, "FIN", replace(law, annual_report_department_due="02-15")) == date(2027, 2, 15)
    due = date(2027, 1, 31)
    assert (
        annual_report_status(due, datetime(2027, 1, 31, 15, 0, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC)) == "met"
    )
    assert (
        annual_report_status(due, datetime(2027, 1, 31, 16, 0, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC))
        == "missed"
    )
    assert annual_report_status(due, None, datetime(2027, 1, 20, tzinfo=UTC)) == "pending"
    assert annual_report_status(due, None, datetime(2027, 2, 1, tzinfo=UTC)) == "missed"
