"""Read side of information requests: derived deadlines, and who may see the applicant."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.catalogue.read_models import request, request_appeal, request_appeal_result
from shared.auth import Principal, sees_inside
from shared.rules.law import Law
from shared.rules.requests import Pause, RequestClock
from shared.rules.time import Calendar, due_within, on_time, remaining
from shared.timeutil import to_shanghai

PERSONAL = ("applicant_name", "applicant_contact")


def clock_of(row: Any) -> RequestClock:
    """The clock the read-model row holds (``clock_columns`` wrote it)."""
    return RequestClock(
        received_on=row.received_on,
        clarification_requested_on=row.clarification_requested_on,
        clarification_reply_by=row.clarification_reply_by,
        clarified_on=row.clarified_on,
        pauses=[
            Pause(c["party"], date.fromisoformat(c["started_on"]), c["ended_on"] and date.fromisoformat(c["ended_on"]))
            for c in row.consultations
        ],
        extension_working_days=row.extension_working_days,
        replied_on=row.replied_on,
        outcome=None if row.outcome is None else (row.outcome, row.outcome_reason),
    )


def clock_columns(clock: RequestClock) -> dict[str, Any]:
    return {
        "status": clock.status,
        "clarification_requested_on": clock.clarification_requested_on,
        "clarification_reply_by": clock.clarification_reply_by,
        "clarified_on": clock.clarified_on,
        "consultations": [p.as_json() for p in clock.pauses],
        "extension_working_days": clock.extension_working_days,
        "replied_on": clock.replied_on,
    }


def present(
    session: Session, row: Any, calendar: Calendar, law: Law, today: date, viewer: Principal | None
) -> dict[str, Any]:
    clock = clock_of(row)
    explained = clock.explain(calendar, law, today)
    status = clock.status_at(calendar, law, today)
    view = {k: v for k, v in row._mapping.items() if k not in PERSONAL}
    view["applicant"] = {"type": row.applicant_type}
    if sees_inside(viewer, row.department):
        view["applicant"].update(name=row.applicant_name, contact=row.applicant_contact)
    view.pop("applicant_type")
    view["created_at"], view["updated_at"] = to_shanghai(row.created_at), to_shanghai(row.updated_at)
    view["clarification_reply_by"] = explained["clarification"] and explained["clarification"]["reply_by"]
    view["deadline"] = explained
    view["due_on"] = explained["due_on"]
    view["on_time"] = None if status is None else on_time(status)
    view["appeals"] = appeals(session, row.id)
    return view


def appeals(session: Session, request_id: str) -> list[dict[str, Any]]:
    """Each appeal with its id (for ``…/appeals/{appeal_id}/result``) and its result history."""
    filed = session.execute(
        select(request_appeal).where(request_appeal.c.request_id == request_id).order_by(request_appeal.c.version)
    ).all()
    later = session.execute(
        select(request_appeal_result)
        .where(request_appeal_result.c.request_id == request_id)
        .order_by(request_appeal_result.c.version)
    ).all()
    result = []
    for a in filed:
        history = [{"on": a.on, "result": a.result}] + [
            {"on": r.on, "result": r.result} for r in later if r.appeal_version == a.version
        ]
        result.append(
            {
                "appeal_id": str(a.version),
                "kind": a.kind,
                "on": a.on,
                "result": history[-1]["result"],
                "results": history,
            }
        )
    return result


def status_page(row: Any, calendar: Calendar, law: Law, today: date) -> dict[str, Any]:
    """What an applicant sees with the query code: state and due date, nothing personal."""
    return {
        "query_code": row.query_code,
        "status": row.status,
        "received_on": row.received_on,
        "due_on": clock_of(row).due_on(calendar, law, today),
    }


def get_request(session: Session, request_id: str) -> Any | None:
    return session.execute(select(request).where(request.c.id == request_id)).first()


def by_query_code(session: Session, code: str) -> Any | None:
    return session.execute(select(request).where(request.c.query_code == code)).first()


def open_requests(session: Session, department: str) -> list[Any]:
    query = select(request).where(request.c.department == department, request.c.status != "replied")
    return list(session.execute(query.order_by(request.c.received_on, request.c.id)).all())


def overdue(
    session: Session, *, department: str, calendar: Calendar, law: Law, today: date, horizon: int
) -> dict[str, list[dict[str, Any]]]:
    """Open requests that are late now, and those due within ``horizon`` working days."""
    late, due_soon = [], []
    for row in open_requests(session, department):
        due_on = clock_of(row).due_on(calendar, law, today)
        if due_on is None:
            continue  # the clock is stopped, awaiting the applicant's clarification
        entry = {"id": row.id, "received_on": row.received_on, "status": row.status, "due_on": due_on}
        left = remaining(due_on, today, calendar)
        if left.late:
            late.append({**entry, "late_working_days": left.late_working_days})
        elif due_within(due_on, today, horizon, calendar):
            due_soon.append({**entry, "working_days_left": left.working_days_left})
    return {"late": late, "due_soon": due_soon}
