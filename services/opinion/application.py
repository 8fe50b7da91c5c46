"""Use cases of the opinion service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.opinion import read_models
from services.opinion.domain import Incident
from services.opinion.projection import projection
from shared.application import ServiceApplication
from shared.auth import Principal
from shared.errors import Forbidden, NotFound


class OpinionApplication(ServiceApplication):
    service = "opinion"
    metadata = read_models.metadata
    kernel = read_models.kernel
    projection = projection
    aggregate_classes = (Incident,)

    def report_incident(self, *, actor: Principal, fields: dict[str, Any]) -> Incident:
        if not actor.has("office") and fields.get("lead_department") not in (None, actor.dept):
            raise Forbidden(
                "a department reports incidents it leads; the office assigns others", code="other_department"
            )
        incident = Incident(
            **fields, reported_by=actor.sub, reporter_department=None if actor.has("office") else actor.dept
        )
        self.save(incident)
        return incident

    def record_response(
        self, incident_id: UUID, *, actor: Principal, expected_version: int | None, **response: Any
    ) -> Incident:
        incident = self.visible_incident(incident_id, actor)
        department = actor.dept
        if department is None or department not in (incident.lead_department, *incident.cooperating_departments):
            raise Forbidden("only the lead or a cooperating department responds", code="not_responsible")
        incident = self.load(incident_id, Incident, expected_version=expected_version)
        incident.respond(**response, by=actor.sub, department=department)
        self.save(incident)
        return incident

    def visible_incident(self, incident_id: UUID, viewer: Principal) -> Incident:
        incident = self.load(incident_id, Incident)
        if not (viewer.has("office", "auditor") or incident.involves(viewer.dept)):
            raise NotFound(f"no incident {incident_id}")
        return incident
