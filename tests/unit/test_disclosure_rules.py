"""Rule 1 (条例 第26条; 预算法 第十四条) and rule 16 (public-welfare items' elements)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from shared.calendar import WorkingCalendar
from shared.errors import RuleViolated
from shared.rules.disclosure import check_item_elements, disclosure_due, disclosure_limit, disclosure_status
from shared.rules.law import Law
from shared.rules.time import TimeLimit


@pytest.mark.parametrize("category", ["budget", "final_account"])
def test_budgets_and_final_accounts_default_to_20_calendar_days(category: str, law: Law) -> None:
    assert disclosure_limit(category, None, law) == TimeLimit(20, "calendar")


def test_other_records_default_to_20_working_days_or_the_schemes_number(law: Law) -> None:
    assert disclosure_limit("policy", None, law) == TimeLimit(20, "working")
    assert disclosure_limit("policy", None, law, default_working_days=15) == TimeLimit(15, "working")
    assert disclosure_limit("budget", None, replace(law, budget_disclosure_calendar_days=30)) == TimeLimit(
        30, "calendar"
    )


def test_a_stated_limit_wins(law: Law) -> None:
    stated = TimeLimit(10, "working")
    assert disclosure_limit("budget", stated, law) is stated
    assert disclosure_limit("policy", TimeLimit(7, "calendar"), law) == TimeLimit(7, "calendar")


def test_a_budget_is_late_on_the_21st_calendar_day(calendar: WorkingCalendar, law: Law) -> None:
    # Approved 2026-06-01; 20 calendar days end on Sunday 06-21, moved to Monday 06-22.
    due = disclosure_due(date(2026, 6, 1), disclosure_limit("budget", None, law), calendar)
    assert due.due_on == date(2026, 6, 22)
    as_of = datetime(2026, 12, 1, tzinfo=UTC)
    assert disclosure_status(due, datetime(2026, 6, 22, 15, 0, tzinfo=UTC), as_of) == "met"  # 23:00 in Shanghai
    assert disclosure_status(due, datetime(2026, 6, 22, 16, 30, tzinfo=UTC), as_of) == "missed"  # 00:30 on 06-23
    # Under the working-day limit it would have had until 06-30 (Dragon Boat Festival 06-19 is a holiday).
    assert disclosure_due(date(2026, 6, 1), TimeLimit(20), calendar).due_on == date(2026, 6, 30)


def test_unpublished_is_pending_until_due_then_missed(calendar: WorkingCalendar, law: Law) -> None:
    due = disclosure_due(date(2026, 6, 1), TimeLimit(20), calendar)
    assert due.due_on == date(2026, 6, 30)
    assert disclosure_status(due, None, datetime(2026, 6, 30, 15, 59, tzinfo=UTC)) == "pending"  # 23:59 in Shanghai
    assert disclosure_status(due, None, datetime(2026, 6, 30, 16, 0, tzinfo=UTC)) == "missed"  # 07-01 begins


def test_public_welfare_items_name_standard_and_procedure() -> None:
    complete = {"content": "招生范围", "basis": "义务教育法", "standard": "公开标准", "procedure": "公开程序"}
    check_item_elements("public_welfare", complete)
    check_item_elements("fiscal_budget", {"content": "x", "basis": "y"})  # other areas: not required
    for missing in ("content", "basis", "standard", "procedure"):
        with pytest.raises(RuleViolated) as error:
            check_item_elements("public_welfare", {**complete, missing: "  "})
        assert error.value.code == "public_welfare_elements_missing"
        assert [e["loc"][-1] for e in error.value.extra["errors"]] == [missing]
