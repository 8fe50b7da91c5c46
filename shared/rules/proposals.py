"""NPC suggestions and CPPCC proposals (建议提案): publication of the reply (rule 13)."""

from __future__ import annotations

from datetime import date, datetime

from shared.rules.law import Law
from shared.rules.time import Calendar, Due, Status, TimeLimit, due_after, judge
from shared.timeutil import local_date


def reply_publication_due(replied_on: date, calendar: Calendar, law: Law, *, working_days: int | None = None) -> Due:
    """Rule 13 (国办发〔2014〕46号 as implemented locally): the full reply is published within 20
    working days after it was given (``working_days``: a year's scheme may set another number)."""
    return due_after(replied_on, TimeLimit(working_days or law.proposal_publication_working_days), calendar)


def reply_publication_status(due: Due, published_at: datetime | None, as_of: datetime) -> Status:
    published_on = None if published_at is None else local_date(published_at)
    return judge(published_on, due.due_on, local_date(as_of))
