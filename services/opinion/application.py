"""Use cases of the opinion service."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from services.opinion import read_models
from services.opinion.domain import Incident, external_incident_id
from services.opinion.projection import projection
from shared.application import ServiceApplication, expect_version
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, NotFound, RuleViolated
from shared.rules.opinion import gravity, more_severe


class OpinionApplication(ServiceApplication):
    service = "opinion"
    metadata = read_models.metadata
    kernel = read_models.kernel
    projection = projection
    aggregate_classes = (Incident,)
    # What people wrote about an incident may quote a citizen (a phone number, a flat): scrubbed
    # for platform readers and webhooks (shared.application.ServiceApplication.redact).
    free_text_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "opinion.IncidentReported": ("title", "summary"),
        "opinion.IncidentAssessed": ("note",),
        "opinion.IncidentWarningIssued": ("note",),
        "opinion.IncidentResponseRecorded": ("summary", "explains"),
        "opinion.IncidentEvaluated": ("findings", "note"),
        "opinion.IncidentClosed": ("note",),
    }

    # --- detection ---------------------------------------------------------------------------

    def report_incident(self, *, actor: Principal, fields: dict[str, Any]) -> Incident:
        if not actor.has("office") and fields.get("lead_department") not in (None, actor.dept):
            raise Forbidden(
                "a department reports incidents it leads; the office assigns others", code="other_department"
            )
        self.refuse_future(detected_at=fields["detected_at"])
        if fields["source"] == "provincial" and fields.get("external_id"):
            raise RuleViolated(
                "a provincial alert's external_id is the province's: it arrives through POST /alerts",
                code="external_id_reserved",
            )
        if fields.get("external_id") and self._known(fields["source"], fields["external_id"]) is not None:
            raise Conflict("this incident is already registered", code="incident_exists")
        incident = self._new(fields, actor, None if actor.has("office") else actor.dept)
        self.save(incident)
        return incident

    def receive_alert(self, *, actor: Principal, fields: dict[str, Any]) -> tuple[Incident, bool]:
        """A provincial alert: (incident, created). A repeat of (source, external_id) records nothing."""
        self.refuse_future(detected_at=fields["detected_at"])
        known = self._known(fields["source"], fields["external_id"])
        if known is not None:
            self._escalate(known, fields, actor)
            return known, False
        incident = self._new(fields, actor, None)
        try:
            self.save(incident)
        except IntegrityError:  # the same alert arrived concurrently and was recorded first
            return self.load(incident.id, Incident), False
        return incident, True

    def _escalate(self, incident: Incident, alert: dict[str, Any], actor: Principal) -> None:
        """A repeated alert that judges the incident more severe re-assesses it (never less severe)."""
        if incident.status != "open" or not more_severe(alert["severity"], alert["emergency"], incident):
            return
        incident.assess(
            severity=max(alert["severity"], incident.severity, key=gravity),
            emergency=incident.emergency or bool(alert["emergency"]),
            note="省级平台再次推送，研判升级",
            at=self.clock(),
            by=actor.sub,
        )
        self.save(incident)

    @staticmethod
    def _new(fields: dict[str, Any], actor: Principal, reporter_department: str | None) -> Incident:
        return Incident(**fields, reported_by=actor.sub, reporter_department=reporter_department)

    def _known(self, source: str, external_id: str) -> Incident | None:
        try:
            return self.load(external_incident_id(source, external_id), Incident)
        except NotFound:
            return None

    # --- handling ------------------------------------------------------------------------------

    def record_response(
        self, incident_id: UUID, *, actor: Principal, expected_version: int | None, **response: Any
    ) -> Incident:
        incident = self._handled_by(incident_id, actor, expected_version, office_too=False)
        assert actor.dept is not None
        self.refuse_future(at=response["at"])
        incident.respond(**response, by=actor.sub, department=actor.dept)
        self.save(incident)
        return incident

    def warn(
        self, incident_id: UUID, *, actor: Principal, expected_version: int | None, level: str, note: str
    ) -> Incident:
        incident = self._handled_by(incident_id, actor, expected_version)
        incident.warn(level=level, note=note, by=actor.sub)
        self.save(incident)
        return incident

    def assess(
        self, incident_id: UUID, *, actor: Principal, expected_version: int | None, **judgement: Any
    ) -> Incident:
        incident = self._handled_by(incident_id, actor, expected_version)
        incident.assess(**judgement, at=self.clock(), by=actor.sub)
        self.save(incident)
        return incident

    def assign(
        self, incident_id: UUID, *, actor: Principal, expected_version: int | None, **assignment: Any
    ) -> Incident:
        incident = self.load(incident_id, Incident, expected_version=expected_version)
        incident.assign(**assignment, by=actor.sub)
        self.save(incident)
        return incident

    def close_incident(
        self, incident_id: UUID, *, actor: Principal, expected_version: int | None, note: str
    ) -> Incident:
        incident = self._handled_by(incident_id, actor, expected_version)
        incident.close(note=note, by=actor.sub)
        self.save(incident)
        return incident

    def evaluate(
        self, incident_id: UUID, *, actor: Principal, expected_version: int | None, **evaluation: Any
    ) -> Incident:
        incident = self.load(incident_id, Incident, expected_version=expected_version)
        incident.evaluate(**evaluation, by=actor.sub)
        self.save(incident)
        return incident

    # --- who may see and act --------------------------------------------------------------------

    def visible_incident(self, incident_id: UUID, viewer: Principal) -> Incident:
        incident = self.load(incident_id, Incident)
        if not (viewer.has("office", "auditor") or incident.involves(viewer.dept)):
            raise NotFound(f"no incident {incident_id}")
        return incident

    def _handled_by(
        self, incident_id: UUID, actor: Principal, expected_version: int | None, office_too: bool = True
    ) -> Incident:
        """The lead or a cooperating department (and the office, where ``office_too``) acts."""
        incident = self.visible_incident(incident_id, actor)
        responsible = actor.dept is not None and actor.dept in (
            incident.lead_department,
            *incident.cooperating_departments,
        )
        if not (responsible or (office_too and actor.has("office"))):
            raise Forbidden("only the lead or a cooperating department handles this incident", code="not_responsible")
        expect_version(incident, expected_version)
        return incident
