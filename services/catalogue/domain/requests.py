"""Information requests (依申请公开) and their legal clocks.

Deadlines are never stored: the rules' ``RequestClock`` folds the recorded facts (receipt,
clarification, consultations, extension, reply) and derives the deadline with the working-day
calendar, so a new holiday notice re-dates every open request. The guards of each step are
rules too (``shared.rules.requests``); this aggregate records what passed them.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidState, NotFound
from shared.rules.law import Law
from shared.rules.requests import RequestClock, check_order
from shared.rules.time import Calendar

__all__ = ["InformationRequest", "new_query_code"]

QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(12))


class InformationRequest(Aggregate):
    TOPIC = "catalogue.InformationRequest"

    class Event(Aggregate.Event):
        TOPIC = "catalogue.InformationRequest.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "catalogue.InformationRequest.Created"

    class ClarificationRequested(Event):
        """v2 added ``reply_by``, the 补正期限 named in the notice (None: the default of the rules)."""

        TOPIC = "catalogue.InformationRequest.ClarificationRequested"
        class_version = 2
        on: date
        note: str
        reply_by: date | None
        recorded_by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["reply_by"] = None

    @event("Received", topic="catalogue.InformationRequest.Received")
    def __init__(
        self,
        department: str,
        applicant_type: str,
        applicant_name: str,
        applicant_contact: str,
        description: str,
        channel: str,
        received_on: date,
        query_code: str,
        received_by: str,
    ) -> None:
        self.department = department
        self.clock = RequestClock(received_on=received_on)
        self.appeals: dict[str, str] = {}  # appeal id (the version that recorded it) -> kind

    @property
    def status(self) -> str:
        return self.clock.status

    # --- the clock -------------------------------------------------------------------------------

    def request_clarification(self, *, on: date, note: str, reply_by: date, by: str) -> None:
        self.clock.check_open(on)
        if self.clock.clarification_requested_on is not None:
            raise InvalidState("a request gets one clarification notice", reason="already_clarification_requested")
        if reply_by <= on:
            raise InvalidState("the time to clarify ends after the notice", reason="reply_by_not_after_notice")
        self._clarification_requested(on=on, note=note, reply_by=reply_by, recorded_by=by)

    @event(ClarificationRequested)
    def _clarification_requested(self, on: date, note: str, reply_by: date | None, recorded_by: str) -> None:
        self.clock.apply("ClarificationRequested", {"on": on, "reply_by": reply_by})

    def clarified(self, *, on: date, by: str) -> None:
        if not self.clock.awaiting_clarification or self.clock.replied_on is not None:
            raise InvalidState("no clarification was requested, or it already arrived")
        check_order(on, after=self.clock.clarification_requested_on)
        self._clarified(on=on, recorded_by=by)

    @event("Clarified", topic="catalogue.InformationRequest.Clarified")
    def _clarified(self, on: date, recorded_by: str) -> None:
        self.clock.apply("Clarified", {"on": on})

    def start_consultation(self, *, on: date, party: str, by: str) -> None:
        self.clock.check_open(on)
        if self.clock.consulting:
            raise InvalidState("a consultation is already under way")
        self._consultation_started(on=on, party=party, recorded_by=by)

    @event("ConsultationStarted", topic="catalogue.InformationRequest.ConsultationStarted")
    def _consultation_started(self, on: date, party: str, recorded_by: str) -> None:
        self.clock.apply("ConsultationStarted", {"on": on, "party": party})

    def end_consultation(self, *, on: date, by: str) -> None:
        if not self.clock.consulting or self.clock.replied_on is not None:
            raise InvalidState("no consultation is under way")
        check_order(on, after=self.clock.pauses[-1].started_on)
        self._consultation_ended(on=on, recorded_by=by)

    @event("ConsultationEnded", topic="catalogue.InformationRequest.ConsultationEnded")
    def _consultation_ended(self, on: date, recorded_by: str) -> None:
        self.clock.apply("ConsultationEnded", {"on": on})

    def extend(
        self, *, on: date, working_days: int, approved_by: str, reason: str, calendar: Calendar, law: Law, by: str
    ) -> None:
        self.clock.check_extension(on, working_days, calendar, law)
        self._extended(on=on, working_days=working_days, approved_by=approved_by, reason=reason, recorded_by=by)

    @event("Extended", topic="catalogue.InformationRequest.Extended")
    def _extended(self, on: date, working_days: int, approved_by: str, reason: str, recorded_by: str) -> None:
        self.clock.apply("Extended", {"on": on, "working_days": working_days})

    # --- the answer and what follows it ---------------------------------------------------------

    def reply(self, *, on: date, outcome: str, reason: str | None, calendar: Calendar, law: Law, by: str) -> None:
        self.clock.check_reply(on, outcome, reason, calendar, law)
        self._replied(on=on, outcome=outcome, reason=reason, recorded_by=by)

    @event("Replied", topic="catalogue.InformationRequest.Replied")
    def _replied(self, on: date, outcome: str, reason: str | None, recorded_by: str) -> None:
        self.clock.apply("Replied", {"on": on, "outcome": outcome, "reason": reason})

    def appeal(self, *, on: date, kind: str, result: str, by: str) -> None:
        if self.clock.replied_on is None:
            raise InvalidState("only a replied request is appealed")
        check_order(on, after=self.clock.replied_on)
        self._appealed(on=on, kind=kind, result=result, recorded_by=by)

    @event("Appealed", topic="catalogue.InformationRequest.Appealed")
    def _appealed(self, on: date, kind: str, result: str, recorded_by: str) -> None:
        self.appeals[str(self.version + 1)] = kind  # the appeal's id is the version that recorded it

    def record_appeal_result(self, *, appeal_id: str, on: date, result: str, by: str) -> None:
        """api.md "appeals": a later decision updates an appeal's result (counted once, table 4)."""
        if appeal_id not in self.appeals:
            raise NotFound(f"no appeal {appeal_id} of this request")
        self._appeal_result(appeal_id=appeal_id, on=on, result=result, recorded_by=by)

    @event("AppealResultRecorded", topic="catalogue.InformationRequest.AppealResultRecorded")
    def _appeal_result(self, appeal_id: str, on: date, result: str, recorded_by: str) -> None:
        pass
