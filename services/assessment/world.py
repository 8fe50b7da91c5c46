"""The upstream world as the assessment sees it at an instant: facts replayed into plain state.

Only facts recorded (upstream) by ``as_of`` are replayed, so a question about a past instant
gets exactly the answer the platform could have given then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shared.deadlines import RequestClock


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@dataclass
class RecordFact:
    department: str
    formed_on: date
    time_limit_working_days: int | None
    disclosure: str
    needs_interpretation: bool
    item_code: str | None
    published_at: datetime | None = None
    revoked_unpublished: bool = False


@dataclass
class ItemFact:
    department: str
    code: str
    retired: bool = False


@dataclass
class ProposalFact:
    department: str
    replied_on: date
    published_at: datetime | None = None


@dataclass
class InterpretationFact:
    department: str
    policy_record_id: str
    principal: bool
    published_at: datetime | None = None
    withdrawn: bool = False


@dataclass
class IncidentFact:
    lead_department: str | None
    detected_at: datetime
    severity: str
    emergency: bool
    responses: list[dict[str, Any]] = field(default_factory=list)
    rating: str | None = None
    findings: list[str] = field(default_factory=list)


@dataclass
class RequestFact:
    department: str
    clock: RequestClock


@dataclass
class World:
    records: dict[str, RecordFact] = field(default_factory=dict)
    items: dict[str, ItemFact] = field(default_factory=dict)
    proposals: dict[str, ProposalFact] = field(default_factory=dict)
    interpretations: dict[str, InterpretationFact] = field(default_factory=dict)
    incidents: dict[str, IncidentFact] = field(default_factory=dict)
    requests: dict[str, RequestFact] = field(default_factory=dict)

    @classmethod
    def replay(cls, facts: Iterable[tuple[str, str, dict[str, Any]]]) -> World:
        """``facts``: (type, stream_id, data) in upstream order, already limited to ``as_of``."""
        world = cls()
        for type_, stream, data in facts:
            handler = _HANDLERS.get(type_)
            if handler is not None:
                handler(world, stream, data)
        return world


def _record_drafted(w: World, s: str, d: dict[str, Any]) -> None:
    w.records[s] = RecordFact(
        d["department"],
        date.fromisoformat(d["formed_on"]),
        d.get("time_limit_working_days"),
        d["disclosure"],
        bool(d["needs_interpretation"]),
        d.get("item_code"),
    )


def _record_published(w: World, s: str, d: dict[str, Any]) -> None:
    if s in w.records:
        w.records[s].published_at = _moment(d["published_at"])


def _record_revoked(w: World, s: str, d: dict[str, Any]) -> None:
    if s in w.records and w.records[s].published_at is None:
        w.records[s].revoked_unpublished = True


def _item_registered(w: World, s: str, d: dict[str, Any]) -> None:
    w.items[s] = ItemFact(d["department"], d["code"])


def _item_retired(w: World, s: str, d: dict[str, Any]) -> None:
    if s in w.items:
        w.items[s].retired = True


def _proposal_recorded(w: World, s: str, d: dict[str, Any]) -> None:
    w.proposals[s] = ProposalFact(d["handler_department"], date.fromisoformat(d["replied_on"]))


def _proposal_published(w: World, s: str, d: dict[str, Any]) -> None:
    if s in w.proposals:
        w.proposals[s].published_at = _moment(d["published_at"])


def _interpretation_drafted(w: World, s: str, d: dict[str, Any]) -> None:
    w.interpretations[s] = InterpretationFact(
        d["department"], d["policy_record_id"], bool(d["interpreter"].get("principal"))
    )


def _interpretation_published(w: World, s: str, d: dict[str, Any]) -> None:
    if s in w.interpretations:
        w.interpretations[s].published_at = _moment(d["published_at"])


def _interpretation_withdrawn(w: World, s: str, d: dict[str, Any]) -> None:
    if s in w.interpretations:
        w.interpretations[s].withdrawn = True


def _incident_reported(w: World, s: str, d: dict[str, Any]) -> None:
    detected = _moment(d["detected_at"])
    assert detected is not None
    w.incidents[s] = IncidentFact(d.get("lead_department"), detected, d["severity"], bool(d["emergency"]))


def _incident_assessed(w: World, s: str, d: dict[str, Any]) -> None:
    if s in w.incidents:
        w.incidents[s].severity, w.incidents[s].emergency = d["severity"], bool(d["emergency"])


def _incident_assigned(w: World, s: str, d: dict[str, Any]) -> None:
    if s in w.incidents:
        w.incidents[s].lead_department = d["lead_department"]


def _incident_responded(w: World, s: str, d: dict[str, Any]) -> None:
    if s in w.incidents:
        w.incidents[s].responses.append({"kind": d["kind"], "at": _moment(d["at"])})


def _incident_evaluated(w: World, s: str, d: dict[str, Any]) -> None:
    if s in w.incidents:
        w.incidents[s].rating, w.incidents[s].findings = d["rating"], list(d.get("findings", []))


def _request_received(w: World, s: str, d: dict[str, Any]) -> None:
    received = date.fromisoformat(d["received_on"])
    w.requests[s] = RequestFact(d["department"], RequestClock(received_on=received))


def _clock(w: World, s: str) -> RequestClock | None:
    fact = w.requests.get(s)
    return None if fact is None else fact.clock


def _request_step(name: str) -> Any:
    def handle(w: World, s: str, d: dict[str, Any]) -> None:
        clock = _clock(w, s)
        if clock is None:
            return
        on = _date(d.get("on"))
        if name == "clarification_requested":
            clock.clarification_requested_on = on
        elif name == "clarified":
            clock.clarified_on = on
        elif name == "consultation_started":
            clock.consultations.append({"party": d["party"], "started_on": on, "ended_on": None})
        elif name == "consultation_ended" and clock.consultations:
            clock.consultations[-1]["ended_on"] = on
        elif name == "extended":
            clock.extension_working_days = int(d["working_days"])
        elif name == "replied":
            clock.replied_on = on
            if clock.consultations and clock.consultations[-1]["ended_on"] is None:
                clock.consultations[-1]["ended_on"] = on

    return handle


_HANDLERS: dict[str, Any] = {
    "catalogue.RecordDrafted": _record_drafted,
    "catalogue.RecordPublished": _record_published,
    "catalogue.RecordRevoked": _record_revoked,
    "catalogue.CatalogueItemRegistered": _item_registered,
    "catalogue.CatalogueItemRetired": _item_retired,
    "catalogue.ProposalReplyRecorded": _proposal_recorded,
    "catalogue.ProposalReplyPublished": _proposal_published,
    "interpretation.InterpretationDrafted": _interpretation_drafted,
    "interpretation.InterpretationPublished": _interpretation_published,
    "interpretation.InterpretationWithdrawn": _interpretation_withdrawn,
    "opinion.IncidentReported": _incident_reported,
    "opinion.IncidentAssessed": _incident_assessed,
    "opinion.IncidentAssigned": _incident_assigned,
    "opinion.IncidentResponseRecorded": _incident_responded,
    "opinion.IncidentEvaluated": _incident_evaluated,
    "catalogue.InformationRequestReceived": _request_received,
    "catalogue.InformationRequestClarificationRequested": _request_step("clarification_requested"),
    "catalogue.InformationRequestClarified": _request_step("clarified"),
    "catalogue.InformationRequestConsultationStarted": _request_step("consultation_started"),
    "catalogue.InformationRequestConsultationEnded": _request_step("consultation_ended"),
    "catalogue.InformationRequestExtended": _request_step("extended"),
    "catalogue.InformationRequestReplied": _request_step("replied"),
}
SCORED_TYPES = tuple(_HANDLERS)
