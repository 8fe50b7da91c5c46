"""The information-request clock (依申请公开), as one fold over the request's facts.

Rules 2-5 of domain.md (条例 第30-34条) and api.md "Law corner cases". The aggregate, the
catalogue's read model and the assessment's world all fold the same facts with
``RequestClock.apply``, and all derive the deadline with ``RequestClock.explain``: nothing else
computes a request deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.errors import InvalidState, RuleViolated
from shared.rules.law import Law
from shared.rules.time import Calendar, Status, judge
from shared.rules.vocabulary import CLARIFICATION_OVERDUE, OUTCOME_REASONS


def _day(value: Any) -> date | None:
    """A fact's date, whether folded from an aggregate (``date``) or from a feed item (ISO text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass(slots=True)
class Pause:
    """A third-party or other-agency consultation (条例 第32、34条): the reply clock stops."""

    party: str
    started_on: date
    ended_on: date | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "started_on": self.started_on.isoformat(),
            "ended_on": self.ended_on and self.ended_on.isoformat(),
        }


@dataclass(slots=True)
class RequestClock:
    """The recorded facts a request's deadline is derived from (never the deadline itself)."""

    received_on: date
    clarification_requested_on: date | None = None
    clarification_reply_by: date | None = None
    clarified_on: date | None = None
    pauses: list[Pause] = field(default_factory=list)
    extension_working_days: int = 0
    replied_on: date | None = None
    outcome: tuple[str, str | None] | None = None

    # --- the fold --------------------------------------------------------------------------------

    @classmethod
    def received(cls, data: Mapping[str, Any]) -> RequestClock:
        received_on = _day(data["received_on"])
        assert received_on is not None
        return cls(received_on=received_on)

    def apply(self, fact: str, data: Mapping[str, Any]) -> None:
        """Fold one recorded fact (the event's name without its aggregate, e.g. ``Extended``)."""
        on = _day(data.get("on"))
        if fact == "ClarificationRequested":
            self.clarification_requested_on = on
            self.clarification_reply_by = _day(data.get("reply_by"))
        elif fact == "Clarified":
            self.clarified_on = on
        elif fact == "ConsultationStarted":
            assert on is not None
            self.pauses.append(Pause(str(data["party"]), on))
        elif fact == "ConsultationEnded" and self.pauses:
            self.pauses[-1].ended_on = on
        elif fact == "Extended":
            self.extension_working_days = int(data["working_days"])
        elif fact == "Replied":
            self.replied_on = on
            self.outcome = (str(data["outcome"]), data.get("reason"))
            if self.pauses and self.pauses[-1].ended_on is None:
                self.pauses[-1].ended_on = on

    FACTS = ("ClarificationRequested", "Clarified", "ConsultationStarted", "ConsultationEnded", "Extended", "Replied")

    # --- derived state ----------------------------------------------------------------------------

    @property
    def awaiting_clarification(self) -> bool:
        return self.clarification_requested_on is not None and self.clarified_on is None

    @property
    def consulting(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].ended_on is None

    @property
    def due_moves(self) -> bool:
        """Whether the due date still moves with ``today``: while a consultation is open its
        working days count up to the day asked about (``paused_working_days``)."""
        return any(p.ended_on is None for p in self.pauses)

    @property
    def status(self) -> str:
        if self.replied_on is not None:
            return "replied"
        if self.awaiting_clarification:
            return "awaiting_clarification"
        if self.consulting:
            return "in_consultation"
        return "in_progress" if self.clarified_on or self.pauses else "received"

    @property
    def start_on(self) -> date:
        """条例 第30条: the clock restarts when the clarified request arrives."""
        return self.clarified_on or self.received_on

    def reply_by(self, calendar: Calendar, law: Law) -> date | None:
        """The 补正期限 named in the notice (events recorded before it was named get the default)."""
        if self.clarification_requested_on is None:
            return None
        return self.clarification_reply_by or clarification_reply_by(self.clarification_requested_on, calendar, law)

    def paused_working_days(self, pause: Pause, calendar: Calendar, law: Law, today: date) -> int:
        """Rule 4 and api.md "consultation pauses": only the part of a pause after the clock's
        (re)start counts, capped at the legal length of a consultation."""
        start = max(pause.started_on, self.start_on)
        until = pause.ended_on or today
        return min(calendar.working_days_between(start, until), law.consultation_pause_max_working_days)

    def due_on(self, calendar: Calendar, law: Law, today: date) -> date | None:
        return self.explain(calendar, law, today)["due_on"]  # type: ignore[no-any-return]

    def explain(self, calendar: Calendar, law: Law, today: date) -> dict[str, Any]:
        """The deadline and how it was computed (start, pauses, extension, calendar used).

        条例 第33条: 20 working days from receipt (or from the clarified request), plus the
        working days of consultations (第32、34条), plus one extension. While the applicant
        owes a clarification the clock is stopped and there is no due date.
        """
        notice_due = calendar.add_working_days(self.received_on, law.clarification_notice_working_days)
        clarification = None
        if self.clarification_requested_on is not None:
            clarification = {
                "requested_on": self.clarification_requested_on,
                "notice_due_on": notice_due.due_on,
                "late_notice": self.clarification_requested_on > notice_due.due_on,
                "reply_by": self.reply_by(calendar, law),
                "clarified_on": self.clarified_on,
            }
        pauses: list[dict[str, Any]] = [
            {
                "party": p.party,
                "started_on": p.started_on,
                "ended_on": p.ended_on,
                "working_days": self.paused_working_days(p, calendar, law, today),
            }
            for p in self.pauses
        ]
        paused = sum(p["working_days"] for p in pauses)
        due = calendar.add_working_days(
            self.start_on, law.request_reply_working_days + paused + self.extension_working_days
        )
        waiting = self.awaiting_clarification
        return {
            "start_on": self.start_on,
            "start_reason": "clarified" if self.clarified_on else "received",
            "working_days": law.request_reply_working_days,
            "paused_working_days": paused,
            "pauses": pauses,
            "extension_working_days": self.extension_working_days,
            "clarification": clarification,
            "clock_stopped": waiting,
            "due_on": None if waiting else due.due_on,
            "calendar_provisional": bool(due.calendar_provisional or notice_due.calendar_provisional),
        }

    def status_at(self, calendar: Calendar, law: Law, today: date) -> Status | None:
        """Replied by ``due_on`` is met; unreplied past it is missed. None while no clock runs
        (awaiting clarification, or closed because the clarification never came)."""
        return self.judged_at(calendar, law, today)[0]

    def judged_at(self, calendar: Calendar, law: Law, today: date) -> tuple[Status | None, date | None]:
        """``status_at`` and the due date it judged against (both None while no clock runs)."""
        due_on = self.due_on(calendar, law, today)
        if due_on is None:
            return None, None
        return judge(self.replied_on, due_on, today), due_on

    # --- the guards of each step --------------------------------------------------------------------

    def check_open(self, on: date) -> None:
        if self.replied_on is not None:
            raise InvalidState("the request has been replied to")
        if self.awaiting_clarification:
            raise InvalidState("the request awaits the applicant's clarification", reason="awaiting_clarification")
        check_order(on, after=self.received_on)

    def check_extension(self, on: date, working_days: int, calendar: Calendar, law: Law) -> None:
        """Rule 2: one extension of at most 20 working days, granted before the deadline passes."""
        self.check_open(on)
        if self.extension_working_days:
            raise InvalidState("a request may be extended once", reason="already_extended")
        if not 1 <= working_days <= law.request_extension_max_working_days:
            raise RuleViolated(
                f"an extension is 1 to {law.request_extension_max_working_days} working days",
                code="extension_too_long",
            )
        due_on = self.due_on(calendar, law, on)
        if due_on is not None and on > due_on:
            raise InvalidState(f"the reply was due on {due_on}; it can no longer be extended", reason="deadline_passed")

    def check_reply(self, on: date, outcome: str, reason: str | None, calendar: Calendar, law: Law) -> None:
        """Closed outcome lists (2021 format, table 3); while a clarification is owed only the
        ``clarification_overdue`` close is possible, and only once the 补正期限 has passed."""
        allowed = OUTCOME_REASONS.get(outcome)
        if allowed is None:
            raise RuleViolated(f"unknown outcome {outcome!r}", code="invalid_outcome")
        if (reason is None) != (not allowed) or (reason is not None and reason not in allowed):
            expected = ", ".join(allowed) if allowed else "no reason"
            raise RuleViolated(f"outcome {outcome} takes {expected}", code="invalid_outcome_reason")
        abandoning = (outcome, reason) == CLARIFICATION_OVERDUE
        if not (abandoning and self.awaiting_clarification):
            if abandoning and self.replied_on is None:
                raise InvalidState("no clarification is owed by the applicant", reason="no_clarification_pending")
            self.check_open(on)
            return
        check_order(on, after=self.clarification_requested_on)
        reply_by = self.reply_by(calendar, law)
        if reply_by is not None and on <= reply_by:
            raise InvalidState(
                f"the applicant may clarify until {reply_by}",
                reason="clarification_not_overdue",
                reply_by=reply_by.isoformat(),
            )


def clarification_reply_by(requested_on: date, calendar: Calendar, law: Law) -> date:
    """Rule 3 refinement: the default 补正期限, a number of working days after the notice."""
    return calendar.add_working_days(requested_on, law.clarification_reply_working_days).due_on


def check_order(on: date, *, after: date | None) -> None:
    if after is not None and on < after:
        raise RuleViolated(f"{on} is before {after}", code="date_out_of_order")


def appeal_result_as_of(results: list[tuple[date, str]], day: date) -> str | None:
    """api.md "appeals": an appeal counts under its latest result recorded on or before ``day``."""
    known = [result for on, result in sorted(results, key=lambda r: r[0]) if on <= day]
    return known[-1] if known else None
