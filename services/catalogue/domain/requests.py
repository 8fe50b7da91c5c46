"""Information requests (依申请公开) and their legal clocks.

Deadlines are never stored: ``RequestClock`` derives them from the recorded facts (receipt,
clarification, consultations, extension) and the working-day calendar, so a new holiday
notice re-dates every open request.
"""

from __future__ import annotations

import secrets
from datetime import date

from eventsourcing.domain import Aggregate, event

from shared.deadlines import ClockRules, RequestClock
from shared.errors import InvalidState, RuleViolated

__all__ = ["ClockRules", "InformationRequest", "RequestClock", "new_query_code"]

# The closed lists of the 2021 annual-report format, table 3.
OUTCOME_REASONS: dict[str, tuple[str, ...]] = {
    "granted": (),
    "partially_granted": (),
    "refused": (
        "state_secret",
        "prohibited_by_law",
        "three_securities_one_stability",
        "third_party_rights",
        "internal_affairs",
        "process_information",
        "enforcement_file",
        "administrative_query",
    ),
    "unable_to_provide": ("not_held", "needs_new_compilation", "still_unclear_after_clarification"),
    "not_processed": ("petition_or_complaint", "duplicate", "publication", "excessive_repeated", "confirm_or_reissue"),
    "other": ("clarification_overdue", "fee_overdue", "other"),
}
APPLICANT_TYPES = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other")
QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(12))


class InformationRequest(Aggregate):
    TOPIC = "catalogue.InformationRequest"

    class Event(Aggregate.Event):
        TOPIC = "catalogue.InformationRequest.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "catalogue.InformationRequest.Created"

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
        self.status = "received"
        self.clock = RequestClock(received_on=received_on)
        self.extended = False
        self.open_consultation: str | None = None

    # --- the clock -------------------------------------------------------------------------------

    def request_clarification(self, *, on: date, note: str, by: str) -> None:
        self._require_open(on)
        if self.clock.clarification_requested_on is not None:
            raise InvalidState("a request gets one clarification notice", reason="already_clarification_requested")
        self._clarification_requested(on=on, note=note, recorded_by=by)

    @event("ClarificationRequested", topic="catalogue.InformationRequest.ClarificationRequested")
    def _clarification_requested(self, on: date, note: str, recorded_by: str) -> None:
        self.clock.clarification_requested_on = on
        self.status = "awaiting_clarification"

    def clarified(self, *, on: date, by: str) -> None:
        if self.status != "awaiting_clarification":
            raise InvalidState("no clarification was requested, or it already arrived")
        self._check_date(on, after=self.clock.clarification_requested_on)
        self._clarified(on=on, recorded_by=by)

    @event("Clarified", topic="catalogue.InformationRequest.Clarified")
    def _clarified(self, on: date, recorded_by: str) -> None:
        self.clock.clarified_on = on
        self.status = "in_progress"

    def start_consultation(self, *, on: date, party: str, by: str) -> None:
        self._require_open(on)
        if self.open_consultation is not None:
            raise InvalidState("a consultation is already under way")
        self._consultation_started(on=on, party=party, recorded_by=by)

    @event("ConsultationStarted", topic="catalogue.InformationRequest.ConsultationStarted")
    def _consultation_started(self, on: date, party: str, recorded_by: str) -> None:
        self.clock.consultations.append({"party": party, "started_on": on, "ended_on": None})
        self.open_consultation = party

    def end_consultation(self, *, on: date, by: str) -> None:
        if self.open_consultation is None:
            raise InvalidState("no consultation is under way")
        self._check_date(on, after=self.clock.consultations[-1]["started_on"])
        self._consultation_ended(on=on, recorded_by=by)

    @event("ConsultationEnded", topic="catalogue.InformationRequest.ConsultationEnded")
    def _consultation_ended(self, on: date, recorded_by: str) -> None:
        self.clock.consultations[-1]["ended_on"] = on
        self.open_consultation = None

    def extend(self, *, on: date, working_days: int, approved_by: str, reason: str, max_days: int, by: str) -> None:
        self._require_open(on)
        if self.extended:
            raise InvalidState("a request may be extended once", reason="already_extended")
        if not 1 <= working_days <= max_days:
            raise RuleViolated(f"an extension is 1 to {max_days} working days", code="extension_too_long")
        self._extended(on=on, working_days=working_days, approved_by=approved_by, reason=reason, recorded_by=by)

    @event("Extended", topic="catalogue.InformationRequest.Extended")
    def _extended(self, on: date, working_days: int, approved_by: str, reason: str, recorded_by: str) -> None:
        self.clock.extension_working_days = working_days
        self.extended = True

    # --- the answer and what follows it ---------------------------------------------------------

    def reply(self, *, on: date, outcome: str, reason: str | None, by: str) -> None:
        self._require_open(on)
        allowed = OUTCOME_REASONS.get(outcome)
        if allowed is None:
            raise RuleViolated(f"unknown outcome {outcome!r}", code="invalid_outcome")
        if (reason is None) != (not allowed) or (reason is not None and reason not in allowed):
            expected = ", ".join(allowed) if allowed else "no reason"
            raise RuleViolated(f"outcome {outcome} takes {expected}", code="invalid_outcome_reason")
        self._replied(on=on, outcome=outcome, reason=reason, recorded_by=by)

    @event("Replied", topic="catalogue.InformationRequest.Replied")
    def _replied(self, on: date, outcome: str, reason: str | None, recorded_by: str) -> None:
        self.clock.replied_on = on
        self.status = "replied"
        if self.open_consultation is not None:
            self.clock.consultations[-1]["ended_on"] = on
            self.open_consultation = None

    def appeal(self, *, on: date, kind: str, result: str, by: str) -> None:
        if self.status != "replied":
            raise InvalidState("only a replied request is appealed")
        self._check_date(on, after=self.clock.replied_on)
        self._appealed(on=on, kind=kind, result=result, recorded_by=by)

    @event("Appealed", topic="catalogue.InformationRequest.Appealed")
    def _appealed(self, on: date, kind: str, result: str, recorded_by: str) -> None:
        pass

    # --- guards ----------------------------------------------------------------------------------

    def _require_open(self, on: date) -> None:
        if self.status in ("replied",):
            raise InvalidState("the request has been replied to")
        if self.status == "awaiting_clarification":
            raise InvalidState("the request awaits the applicant's clarification", reason="awaiting_clarification")
        self._check_date(on, after=self.clock.received_on)

    def _check_date(self, on: date, *, after: date | None) -> None:
        if after is not None and on < after:
            raise RuleViolated(f"{on} is before {after}", code="date_out_of_order")
