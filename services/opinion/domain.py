"""Opinion incidents and the clock-hour deadlines they carry.

Imports only the standard library, ``eventsourcing.domain``, ``shared.errors`` and the pure
rules of ``shared.rules`` (which derive the deadlines from the facts folded here).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidState, RuleViolated
from shared.rules.opinion import IncidentClock

__all__ = ["Incident", "external_incident_id"]

LIVELIHOOD_TOPICS = frozenset({"education", "medical", "housing", "work_safety", "disaster", "food_drug", "elderly"})


INCIDENT_NAMESPACE = uuid.UUID("2b9f6c1e-8d3a-5f47-9c0e-7a1b4d6e8f20")


def external_incident_id(source: str, external_id: str) -> uuid.UUID:
    """An incident known outside (a provincial alert) has one id: repeats find it, never duplicate it."""
    return uuid.uuid5(INCIDENT_NAMESPACE, f"{source}\n{external_id}")


class Incident(Aggregate):
    TOPIC = "opinion.Incident"

    class Event(Aggregate.Event):
        TOPIC = "opinion.Incident.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "opinion.Incident.Created"

    @staticmethod
    def create_id(source: str, external_id: str | None, **_: Any) -> uuid.UUID:
        return external_incident_id(source, external_id) if external_id else uuid.uuid4()

    class Assessed(Event):
        """v2 added ``assessed_at``: from then on the new judgement's deadlines apply, and those
        already missed stay (api.md "re-assessment")."""

        TOPIC = "opinion.Incident.Assessed"
        class_version = 2
        severity: str
        emergency: bool
        note: str
        assessed_by: str
        assessed_at: datetime

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["assessed_at"] = state["timestamp"]

    @event("Reported", topic="opinion.Incident.Reported")
    def __init__(
        self,
        title: str,
        summary: str,
        source: str,
        external_id: str | None,
        detected_at: datetime,
        topic: str,
        severity: str,
        emergency: bool,
        lead_department: str | None,
        cooperating_departments: list[str],
        reported_by: str,
        reporter_department: str | None,
    ) -> None:
        self.title = title
        self.summary = summary
        self.source = source
        self.external_id = external_id
        self.detected_at = detected_at
        self.topic = topic
        self.severity = severity
        self.emergency = emergency
        self.lead_department = lead_department
        self.cooperating_departments = list(cooperating_departments)
        self.reporter_department = reporter_department
        self.status = "open"
        self.clock = IncidentClock.reported({"detected_at": detected_at, "severity": severity, "emergency": emergency})

    def involves(self, department: str | None) -> bool:
        return department is not None and department in (
            self.lead_department,
            self.reporter_department,
            *self.cooperating_departments,
        )

    def respond(
        self, *, kind: str, at: datetime, channel: str, summary: str, explains: dict[str, str], by: str, department: str
    ) -> None:
        self._require_open()
        if at < self.detected_at:
            raise RuleViolated(
                "a response cannot come before the incident was detected", code="response_before_detection"
            )
        incomplete = self.topic in LIVELIHOOD_TOPICS and not all(
            explains.get(k) for k in ("cause", "solution", "constraints")
        )
        self._responded(
            kind=kind,
            at=at,
            channel=channel,
            summary=summary,
            explains=explains,
            incomplete_explanation=incomplete,
            responded_by=by,
            department=department,
        )

    @event("ResponseRecorded", topic="opinion.Incident.ResponseRecorded")
    def _responded(
        self,
        kind: str,
        at: datetime,
        channel: str,
        summary: str,
        explains: dict[str, str],
        incomplete_explanation: bool,
        responded_by: str,
        department: str,
    ) -> None:
        self.clock.apply("ResponseRecorded", {"kind": kind, "at": at})

    # --- monitoring, judgement and assignment --------------------------------------------------

    def warn(self, *, level: str, note: str, by: str) -> None:
        self._require_open()
        self._warned(level=level, note=note, warned_by=by)

    @event("WarningIssued", topic="opinion.Incident.WarningIssued")
    def _warned(self, level: str, note: str, warned_by: str) -> None:
        pass

    def assess(self, *, severity: str | None, emergency: bool | None, note: str, at: datetime, by: str) -> None:
        """A new judgement; the deadlines follow from it and ``detected_at`` (they are derived)."""
        self._require_open()
        self._assessed(
            severity=severity or self.severity,
            emergency=self.emergency if emergency is None else emergency,
            note=note,
            assessed_by=by,
            assessed_at=at,
        )

    @event(Assessed)
    def _assessed(self, severity: str, emergency: bool, note: str, assessed_by: str, assessed_at: datetime) -> None:
        self.severity = severity
        self.emergency = emergency
        self.clock.apply("Assessed", {"severity": severity, "emergency": emergency, "assessed_at": assessed_at})

    def assign(self, *, lead_department: str, cooperating_departments: list[str], by: str) -> None:
        self._require_open()
        cooperating = [d for d in dict.fromkeys(cooperating_departments) if d != lead_department]
        self._assigned(lead_department=lead_department, cooperating_departments=cooperating, assigned_by=by)

    @event("Assigned", topic="opinion.Incident.Assigned")
    def _assigned(self, lead_department: str, cooperating_departments: list[str], assigned_by: str) -> None:
        self.lead_department = lead_department
        self.cooperating_departments = list(cooperating_departments)

    # --- closing and evaluation ------------------------------------------------------------------

    def close(self, *, note: str, by: str) -> None:
        self._require_open()
        self._closed(note=note, closed_by=by)

    @event("Closed", topic="opinion.Incident.Closed")
    def _closed(self, note: str, closed_by: str) -> None:
        self.status = "closed"

    def evaluate(self, *, rating: str, findings: list[str], note: str, by: str) -> None:
        if self.status != "closed":
            raise InvalidState(f"an incident is evaluated once closed; this one is {self.status}")
        if rating == "effective" and findings:
            raise RuleViolated("an effective handling has no adverse findings", code="findings_contradict_rating")
        self._evaluated(rating=rating, findings=list(dict.fromkeys(findings)), note=note, evaluated_by=by)

    @event("Evaluated", topic="opinion.Incident.Evaluated")
    def _evaluated(self, rating: str, findings: list[str], note: str, evaluated_by: str) -> None:
        self.status = "evaluated"

    def _require_open(self) -> None:
        if self.status != "open":
            raise InvalidState(f"the incident is {self.status}")
