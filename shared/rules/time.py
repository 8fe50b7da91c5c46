"""Time limits and the one judgement of timeliness every rule shares.

Counting starts the day after the starting event and a limit ending on a non-working day
moves to the next working day (民法典 第201、203条; domain.md "Rules and numbers"). A limit is a
number and a kind: working days (条例) or calendar days (预算法 第十四条).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol

from shared.errors import RuleViolated
from shared.timeutil import local_date

DayKind = Literal["working", "calendar"]
Status = Literal["met", "missed", "pending"]


class CalendarDay(Protocol):
    @property
    def due_on(self) -> date: ...
    @property
    def calendar_provisional(self) -> bool: ...


class Calendar(Protocol):
    """What the rules need of the working-day calendar (``shared.calendar.WorkingCalendar``)."""

    def add_working_days(self, start_on: date, working_days: int) -> CalendarDay: ...
    def working_days_between(self, start_on: date, end_on: date) -> int: ...
    def next_working_day_from(self, day: date) -> CalendarDay: ...
    @property
    def fingerprint(self) -> str:
        """Equal for two calendars that count every day alike (judgements kept across them)."""


@dataclass(frozen=True, slots=True)
class TimeLimit:
    days: int
    kind: DayKind = "working"

    def as_dict(self) -> dict[str, Any]:
        return {"days": self.days, "kind": self.kind}

    @classmethod
    def of(cls, value: Any) -> TimeLimit | None:
        """From a recorded ``{"days", "kind"}`` (or None)."""
        if value is None:
            return None
        if isinstance(value, TimeLimit):
            return value
        return cls(int(value["days"]), value.get("kind", "working"))


@dataclass(frozen=True, slots=True)
class Due:
    """A derived deadline and how it was computed (shown to users as ``deadline``)."""

    start_on: date
    limit: TimeLimit
    due_on: date
    calendar_provisional: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "start_on": self.start_on,
            "kind": self.limit.kind,
            "days": self.limit.days,
            # api.md names the working-day count; a calendar-day limit has none.
            "working_days": self.limit.days if self.limit.kind == "working" else None,
            "due_on": self.due_on,
            "calendar_provisional": self.calendar_provisional,
        }


def due_after(start_on: date, limit: TimeLimit, calendar: Calendar) -> Due:
    """The last day of ``limit`` counted from the day after ``start_on``.

    Working days: the ``days``-th working day after the start. Calendar days: ``start_on + days``,
    moved to the next working day when it is not one (民法典 第203条).
    """
    if limit.kind == "working":
        day = calendar.add_working_days(start_on, limit.days)
    else:
        day = calendar.next_working_day_from(start_on + timedelta(days=limit.days))
    return Due(start_on, limit, day.due_on, day.calendar_provisional)


def judge(done: date | datetime | None, due: date | datetime, now: date | datetime) -> Status:
    """api.md "Default scheme": ``met`` when done by the deadline, ``missed`` when done later or
    still undone after it, ``pending`` otherwise; always judged at ``now`` (the as_of)."""
    if done is not None and done <= due:
        return "met"
    if done is not None or now > due:
        return "missed"
    return "pending"


def undone_at(due: date | datetime, as_of: datetime) -> Status:
    """``judge`` of a duty still undone, at ``as_of``: pending until ``due`` passes, then missed.
    A due day is compared with the day in Shanghai (as the day-counted rules judge), a due instant
    with the instant (the opinion deadlines)."""
    return judge(None, due, as_of if isinstance(due, datetime) else local_date(as_of))


def on_time(status: Status) -> bool | None:
    """The views' ``on_time``: true when met, false when missed, null while pending."""
    return None if status == "pending" else status == "met"


@dataclass(frozen=True)
class Remaining:
    """Where today stands against a due date, in working days (what to-do lists show)."""

    late: bool
    working_days_left: int  # 0 once late
    late_working_days: int  # 0 while not late


def remaining(due_on: date, today: date, calendar: Calendar) -> Remaining:
    if today > due_on:
        return Remaining(True, 0, calendar.working_days_between(due_on, today))
    return Remaining(False, calendar.working_days_between(today, due_on), 0)


def due_within(due_on: date, today: date, working_days: int, calendar: Calendar) -> bool:
    """Due today or within the next ``working_days`` working days (and not yet late)."""
    return today <= due_on <= calendar.add_working_days(today, working_days).due_on


def refuse_future(now: datetime, today: date, skew_seconds: int, **facts: date | datetime | None) -> None:
    """No fact may be dated in the future (domain.md "Refinements"; api.md "dates in the future").

    Dates are compared with the server's day in Shanghai (``today``), instants with ``now``
    plus the tolerated clock skew of a platform.
    """
    for name, value in facts.items():
        if value is None:
            continue
        late = value > now + timedelta(seconds=skew_seconds) if isinstance(value, datetime) else value > today
        if late:
            detail = f"{name} {value.isoformat()} is in the future"
            errors = [{"loc": ["body", name], "msg": detail, "type": "in_future"}]
            raise RuleViolated(detail, code="in_future", errors=errors)
