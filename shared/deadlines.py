"""Legal clocks, shared by the service that runs them and the service that judges them.

Deadlines are derived, never stored: from the recorded facts and the working-day calendar
(requests, rules 2-5) or clock hours (opinion incidents, rules 8-9). Standard library only, so
domain modules may use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol


class Calendar(Protocol):
    def add_working_days(self, start_on: date, working_days: int) -> Any: ...
    def working_days_between(self, start_on: date, end_on: date) -> int: ...


@dataclass(frozen=True)
class ClockRules:
    """Rules 2-4 of domain.md (configuration)."""

    reply_working_days: int
    clarification_notice_working_days: int
    consultation_max_working_days: int
    extension_max_working_days: int


@dataclass
class RequestClock:
    """The recorded facts a request's deadline is derived from."""

    received_on: date
    clarification_requested_on: date | None = None
    clarified_on: date | None = None
    consultations: list[dict[str, Any]] = field(default_factory=list)
    extension_working_days: int = 0
    replied_on: date | None = None

    def explain(self, calendar: Calendar, rules: ClockRules, today: date) -> dict[str, Any]:
        notice_due = calendar.add_working_days(self.received_on, rules.clarification_notice_working_days)
        clarification = None
        if self.clarification_requested_on is not None:
            clarification = {
                "requested_on": self.clarification_requested_on,
                "notice_due_on": notice_due.due_on,
                "late_notice": self.clarification_requested_on > notice_due.due_on,
                "clarified_on": self.clarified_on,
            }
        waiting = self.clarification_requested_on is not None and self.clarified_on is None
        start_on = self.clarified_on or self.received_on
        pauses = [self._pause(p, calendar, rules, today) for p in self.consultations]
        paused = sum(p["working_days"] for p in pauses)
        total = rules.reply_working_days + paused + self.extension_working_days
        due = calendar.add_working_days(start_on, total)
        return {
            "start_on": start_on,
            "start_reason": "clarified" if self.clarified_on else "received",
            "working_days": rules.reply_working_days,
            "paused_working_days": paused,
            "pauses": pauses,
            "extension_working_days": self.extension_working_days,
            "clarification": clarification,
            "clock_stopped": waiting,
            "due_on": None if waiting else due.due_on,
            "calendar_provisional": bool(due.calendar_provisional or notice_due.calendar_provisional),
        }

    @staticmethod
    def _pause(p: dict[str, Any], calendar: Calendar, rules: ClockRules, today: date) -> dict[str, Any]:
        until = p.get("ended_on") or today
        days = min(calendar.working_days_between(p["started_on"], until), rules.consultation_max_working_days)
        return {"party": p["party"], "started_on": p["started_on"], "ended_on": p.get("ended_on"), "working_days": days}


@dataclass(frozen=True)
class DeadlineHours:
    """Rule 8 and 9 of domain.md, in clock hours (configuration)."""

    authoritative_release: int
    press_conference: int
    response: int


@dataclass(frozen=True)
class Deadline:
    kind: str
    due_at: datetime
    met_at: datetime | None

    def status(self, as_of: datetime) -> str:
        if self.met_at is not None and self.met_at <= self.due_at:
            return "met"
        if self.met_at is not None or as_of > self.due_at:
            return "missed"
        return "pending"


def deadline_kinds(severity: str, emergency: bool) -> tuple[str, ...]:
    """Especially major / major emergencies: release in 5 h and press conference in 24 h; else any response in 48 h."""
    if emergency and severity in ("especially_major", "major"):
        return ("authoritative_release", "press_conference")
    return ("response",)


def deadlines(
    *, detected_at: datetime, severity: str, emergency: bool, responses: list[dict[str, Any]], hours: DeadlineHours
) -> list[Deadline]:
    """Derived, never stored: recomputed from the detection time, the severity and the responses."""
    result = []
    for kind in deadline_kinds(severity, emergency):
        due_at = detected_at + timedelta(hours=getattr(hours, kind))
        meeting = [r["at"] for r in responses if kind == "response" or r["kind"] == kind]
        result.append(Deadline(kind, due_at, min(meeting) if meeting else None))
    return result
