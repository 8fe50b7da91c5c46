"""Opinion events -> read-model rows, in the transaction that records the events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from services.opinion.domain import Incident
from services.opinion.read_models import incident, involvement, response
from shared.application import Projection

projection = Projection(incident, response, involvement)


@projection.on(Incident.Reported)
def reported(session: Session, e: Any) -> None:
    session.execute(
        insert(incident).values(
            id=str(e.originator_id),
            version=e.originator_version,
            title=e.title,
            summary=e.summary,
            source=e.source,
            external_id=e.external_id,
            detected_at=e.detected_at,
            topic=e.topic,
            severity=e.severity,
            emergency=e.emergency,
            lead_department=e.lead_department,
            cooperating_departments=list(e.cooperating_departments),
            reporter_department=e.reporter_department,
            status="open",
            created_at=e.timestamp,
            updated_at=e.timestamp,
        )
    )
    roles = dict.fromkeys(e.cooperating_departments, "cooperating")
    if e.reporter_department:
        roles.setdefault(e.reporter_department, "reporter")
    if e.lead_department:
        roles[e.lead_department] = "lead"
    for department, role in roles.items():
        session.execute(insert(involvement).values(incident_id=str(e.originator_id), department=department, role=role))


@projection.on(Incident.ResponseRecorded)
def responded(session: Session, e: Any) -> None:
    session.execute(
        insert(response).values(
            incident_id=str(e.originator_id),
            version=e.originator_version,
            kind=e.kind,
            at=e.at,
            channel=e.channel,
            summary=e.summary,
            explains=e.explains,
            incomplete_explanation=e.incomplete_explanation,
            department=e.department,
            responded_by=e.responded_by,
        )
    )
    projection.update(session, incident, e)
