"""Opinion events -> read-model rows, in the transaction that records the events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from services.opinion.domain import Incident
from services.opinion.read_models import incident, involvement, response
from shared.application import Projection

projection = Projection(incident, response, involvement)


@projection.on(Incident.Reported)
def reported(session: Session, e: Any) -> None:
    session.execute(
        insert(incident),
        {
            "id": str(e.originator_id),
            "version": e.originator_version,
            "title": e.title,
            "summary": e.summary,
            "source": e.source,
            "external_id": e.external_id,
            "detected_at": e.detected_at,
            "topic": e.topic,
            "severity": e.severity,
            "emergency": e.emergency,
            "judgements": [{"severity": e.severity, "emergency": e.emergency, "since": None}],
            "lead_department": e.lead_department,
            "cooperating_departments": list(e.cooperating_departments),
            "reporter_department": e.reporter_department,
            "status": "open",
            "created_at": e.timestamp,
            "updated_at": e.timestamp,
        },
    )
    _involve(session, str(e.originator_id), e.lead_department, e.cooperating_departments, e.reporter_department)


def _involve(
    session: Session, incident_id: str, lead: str | None, cooperating: list[str], reporter: str | None
) -> None:
    """Who may see the incident: its lead, its cooperating departments and whoever reported it."""
    session.execute(delete(involvement).where(involvement.c.incident_id == incident_id))
    roles = dict.fromkeys(cooperating, "cooperating")
    if reporter:
        roles.setdefault(reporter, "reporter")
    if lead:
        roles[lead] = "lead"
    for department, role in roles.items():
        session.execute(insert(involvement), {"incident_id": incident_id, "department": department, "role": role})


@projection.on(Incident.ResponseRecorded)
def responded(session: Session, e: Any) -> None:
    session.execute(
        insert(response),
        {
            "incident_id": str(e.originator_id),
            "version": e.originator_version,
            "kind": e.kind,
            "at": e.at,
            "channel": e.channel,
            "summary": e.summary,
            "explains": e.explains,
            "incomplete_explanation": e.incomplete_explanation,
            "department": e.department,
            "responded_by": e.responded_by,
        },
    )
    projection.update(session, incident, e)


@projection.on(Incident.WarningIssued)
def warned(session: Session, e: Any) -> None:
    projection.update(session, incident, e, warning_level=e.level)


@projection.on(Incident.Assessed)
def assessed(session: Session, e: Any) -> None:
    judgements = session.execute(
        select(incident.c.judgements).where(incident.c.id == str(e.originator_id))
    ).scalar_one()
    judgement = {"severity": e.severity, "emergency": e.emergency, "since": e.assessed_at.isoformat()}
    projection.update(
        session, incident, e, severity=e.severity, emergency=e.emergency, judgements=[*judgements, judgement]
    )


@projection.on(Incident.Assigned)
def assigned(session: Session, e: Any) -> None:
    projection.update(
        session, incident, e, lead_department=e.lead_department, cooperating_departments=list(e.cooperating_departments)
    )
    reporter = session.execute(
        select(incident.c.reporter_department).where(incident.c.id == str(e.originator_id))
    ).scalar()
    _involve(session, str(e.originator_id), e.lead_department, e.cooperating_departments, reporter)


@projection.on(Incident.Closed)
def closed(session: Session, e: Any) -> None:
    projection.update(session, incident, e, status="closed")


@projection.on(Incident.Evaluated)
def evaluated(session: Session, e: Any) -> None:
    projection.update(session, incident, e, status="evaluated", rating=e.rating, findings=list(e.findings))
