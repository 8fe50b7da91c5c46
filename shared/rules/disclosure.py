"""Proactive disclosure (主动公开): when a record is due, whether it was on time, and what a
catalogue item must name."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared.errors import RuleViolated
from shared.rules.law import Law
from shared.rules.time import Calendar, Due, Status, TimeLimit, due_after, judge
from shared.timeutil import local_date

# 预算法 第十四条: budgets and final accounts are disclosed within 20 *calendar* days of approval.
CALENDAR_DAY_CATEGORIES = frozenset({"budget", "final_account"})
# Rule 16 (seed item 7): the five elements of a social public-welfare item besides its body.
PUBLIC_WELFARE_ELEMENTS = ("content", "basis", "standard", "procedure")


def disclosure_limit(
    category: str, stated: TimeLimit | None, law: Law, *, default_working_days: int | None = None
) -> TimeLimit:
    """The time limit a record runs on (rule 1, 条例 第26条; 预算法 第十四条).

    A limit stated on the record or taken from its catalogue item wins; otherwise budgets and
    final accounts get the calendar-day limit and everything else the working-day limit
    (``default_working_days`` lets a year's assessment scheme set that number).
    """
    if stated is not None:
        return stated
    if category in CALENDAR_DAY_CATEGORIES:
        return TimeLimit(law.budget_disclosure_calendar_days, "calendar")
    return TimeLimit(default_working_days or law.disclosure_working_days, "working")


def disclosure_due(formed_on: date, limit: TimeLimit, calendar: Calendar) -> Due:
    """Rule 1: counted from the day after the information was formed or changed."""
    return due_after(formed_on, limit, calendar)


def disclosure_status(due: Due, published_at: datetime | None, as_of: datetime) -> Status:
    """Published on or before ``due_on`` (in Shanghai) is met; unpublished past it is missed."""
    published_on = None if published_at is None else local_date(published_at)
    return judge(published_on, due.due_on, local_date(as_of))


def check_item_elements(area: str, fields: dict[str, Any]) -> None:
    """Rule 16 (seed item 7, api.md "public-welfare items"): a public-welfare item names its
    content, basis, standard (公开标准) and procedure (公开程序), besides its disclosing body."""
    if area != "public_welfare":
        return
    missing = [name for name in PUBLIC_WELFARE_ELEMENTS if not (fields.get(name) or "").strip()]
    if missing:
        errors = [
            {"loc": ["body", name], "msg": "required for public_welfare items", "type": "missing"} for name in missing
        ]
        raise RuleViolated(
            "a public-welfare item names its " + ", ".join(missing),
            code="public_welfare_elements_missing",
            errors=errors,
        )
