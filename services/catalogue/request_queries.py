"""Read side of information requests: derived deadlines, and who may see the applicant."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.catalogue.domain import ClockRules, RequestClock
from services.catalogue.read_models import request
from shared.auth import Principal, sees_inside
from shared.calendar import WorkingCalendar
from shared.settings import Settings
from shared.timeutil import to_shanghai

PERSONAL = ("applicant_name", "applicant_contact")


def clock_rules(settings: Settings) -> ClockRules:
    return ClockRules(
        reply_working_days=settings.request_reply_working_days,
        clarification_notice_working_days=settings.clarification_notice_working_days,
        consultation_max_working_days=settings.consultation_pause_max_working_days,
        extension_max_working_days=settings.request_extension_max_working_days,
    )


def clock_of(row: Any) -> RequestClock:
    return RequestClock(
        received_on=row.received_on,
        clarification_requested_on=row.clarification_requested_on,
        clarified_on=row.clarified_on,
        consultations=[
            {
                "party": c["party"],
                "started_on": date.fromisoformat(c["started_on"]),
                "ended_on": date.fromisoformat(c["ended_on"]) if c["ended_on"] else None,
            }
            for c in row.consultations
        ],
        extension_working_days=row.extension_working_days,
        replied_on=row.replied_on,
    )


def deadline(row: Any, calendar: WorkingCalendar, rules: ClockRules, today: date) -> dict[str, Any]:
    return clock_of(row).explain(calendar, rules, today)


def present(
    row: Any, calendar: WorkingCalendar, rules: ClockRules, today: date, viewer: Principal | None
) -> dict[str, Any]:
    explained = deadline(row, calendar, rules, today)
    view = {k: v for k, v in row._mapping.items() if k not in PERSONAL}
    view["applicant"] = {"type": row.applicant_type}
    if sees_inside(viewer, row.department):
        view["applicant"].update(name=row.applicant_name, contact=row.applicant_contact)
    view.pop("applicant_type")
    view["created_at"], view["updated_at"] = to_shanghai(row.created_at), to_shanghai(row.updated_at)
    view["deadline"] = explained
    view["due_on"] = explained["due_on"]
    view["on_time"] = _on_time(row.replied_on, explained["due_on"], today)
    return view


def _on_time(replied_on: date | None, due_on: date | None, today: date) -> bool | None:
    if due_on is None:
        return None
    if replied_on is not None:
        return replied_on <= due_on
    return False if today > due_on else None


def status_page(row: Any, calendar: WorkingCalendar, rules: ClockRules, today: date) -> dict[str, Any]:
    """What an applicant sees with the query code: state and due date, nothing personal."""
    explained = deadline(row, calendar, rules, today)
    return {
        "query_code": row.query_code,
        "status": row.status,
        "received_on": row.received_on,
        "due_on": explained["due_on"],
    }


def get_request(session: Session, request_id: str) -> Any | None:
    return session.execute(select(request).where(request.c.id == request_id)).first()


def by_query_code(session: Session, code: str) -> Any | None:
    return session.execute(select(request).where(request.c.query_code == code)).first()


def open_requests(session: Session, department: str) -> list[Any]:
    query = select(request).where(request.c.department == department, request.c.status != "replied")
    return list(session.execute(query.order_by(request.c.received_on, request.c.id)).all())


def overdue(
    session: Session, *, department: str, calendar: WorkingCalendar, rules: ClockRules, today: date, horizon: int
) -> dict[str, list[dict[str, Any]]]:
    """Open requests that are late now, and those due within ``horizon`` working days."""
    soon_until = calendar.add_working_days(today, horizon).due_on
    late, due_soon = [], []
    for row in open_requests(session, department):
        explained = deadline(row, calendar, rules, today)
        due_on = explained["due_on"]
        if due_on is None:
            continue  # the clock is stopped, awaiting the applicant's clarification
        entry = {"id": row.id, "received_on": row.received_on, "status": row.status, "due_on": due_on}
        if today > due_on:
            late.append({**entry, "late_working_days": calendar.working_days_between(due_on, today)})
        elif due_on <= soon_until:
            due_soon.append({**entry, "working_days_left": calendar.working_days_between(today, due_on)})
    return {"late": late, "due_soon": due_soon}
