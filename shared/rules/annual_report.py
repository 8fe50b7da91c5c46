"""The statutory annual report (政府信息公开工作年度报告), rule 7."""

from __future__ import annotations

from datetime import date, datetime

from shared.rules.law import Law
from shared.rules.time import Status, judge
from shared.timeutil import local_date


def annual_report_due_on(year: int, department: str | None, law: Law) -> date:
    """条例 第49条: a department's report for ``year`` by 31 January of the next year, the city
    government's by 31 March (month-days are settings)."""
    month_day = law.annual_report_department_due if department else law.annual_report_city_due
    month, day = (int(part) for part in month_day.split("-"))
    return date(year + 1, month, day)


def annual_report_status(due_on: date, published_at: datetime | None, as_of: datetime) -> Status:
    published_on = None if published_at is None else local_date(published_at)
    return judge(published_on, due_on, local_date(as_of))
