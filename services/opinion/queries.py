"""Read side of incidents: rows plus deadlines judged at ``as_of``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from services.opinion.read_models import incident, involvement, response
from shared.auth import Principal
from shared.pagination import decode_cursor, encode_cursor
from shared.rules.contacts import without_contact_details
from shared.rules.law import Law
from shared.rules.opinion import IncidentClock
from shared.timeutil import to_shanghai


def clock_of(row: Any, responses: Sequence[Any]) -> IncidentClock:
    """The clock the read model holds: the judgements the projection kept and the responses."""
    first, *later = row.judgements
    clock = IncidentClock.reported({"detected_at": row.detected_at, **first})
    for judgement in later:
        clock.apply("Assessed", {**judgement, "assessed_at": judgement["since"]})
    for r in responses:
        clock.apply("ResponseRecorded", {"kind": r.kind, "at": r.at})
    return clock


def present(session: Session, row: Any, law: Law, as_of: datetime) -> dict[str, Any]:
    responses = session.execute(
        select(response).where(response.c.incident_id == row.id).order_by(response.c.version)
    ).all()
    view = dict(row._mapping)
    view.pop("reporter_department", None)
    view.pop("judgements", None)
    for key in ("detected_at", "created_at", "updated_at"):
        view[key] = to_shanghai(view[key])
    due = clock_of(row, responses).deadlines(law)
    view["deadlines"] = [
        {
            "kind": d.kind,
            "due_at": to_shanghai(d.due_at),
            "met_at": d.met_at and to_shanghai(d.met_at),
            "status": d.status(as_of),
        }
        for d in due
    ]
    view["responses"] = [{**r._mapping, "at": to_shanghai(r.at)} for r in responses]
    view["incomplete_explanation"] = any(r.incomplete_explanation for r in responses)
    return view


def public_summary(session: Session, row: Any) -> dict[str, Any] | None:
    """The public part, or None while nothing has been published."""
    responses = session.execute(
        select(response).where(response.c.incident_id == row.id).order_by(response.c.version)
    ).all()
    if not responses:
        return None
    return {
        "id": row.id,
        "title": row.title,
        "topic": row.topic,
        "public_summary": [
            {
                "kind": r.kind,
                "at": to_shanghai(r.at),
                "channel": r.channel,
                "summary": without_contact_details(r.summary),
            }
            for r in responses
        ],
    }


def is_overdue(view: dict[str, Any]) -> bool:
    """Late now: a deadline past due with no answer yet."""
    return any(d["status"] == "missed" and d["met_at"] is None for d in view["deadlines"])


def get_incident(session: Session, incident_id: str) -> Any | None:
    return session.execute(select(incident).where(incident.c.id == incident_id)).first()


def _visible(query: Select[Any], viewer: Principal) -> Select[Any]:
    if viewer.has("office", "auditor"):
        return query
    involved = select(involvement.c.incident_id).where(involvement.c.department == (viewer.dept or ""))
    return query.where(incident.c.id.in_(involved))


def list_incidents(
    session: Session,
    *,
    viewer: Principal,
    department: str | None,
    severity: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    cursor_key: bytes,
) -> tuple[list[Any], str | None]:
    query = _visible(select(incident), viewer)
    if department:
        query = query.where(incident.c.lead_department == department)
    if severity:
        query = query.where(incident.c.severity == severity)
    if status:
        query = query.where(incident.c.status == status)
    if cursor is not None:
        position = decode_cursor(cursor_key, cursor)
        detected, last_id = datetime.fromisoformat(str(position.get("d"))), str(position.get("i"))
        query = query.where(
            or_(incident.c.detected_at < detected, and_(incident.c.detected_at == detected, incident.c.id < last_id))
        )
    query = query.order_by(incident.c.detected_at.desc(), incident.c.id.desc()).limit(limit + 1)
    rows = list(session.execute(query).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(cursor_key, {"d": rows[-1].detected_at.isoformat(), "i": rows[-1].id})
    return rows, next_cursor
