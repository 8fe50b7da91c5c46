"""Read side of interpretations: rows plus their lag behind the policy."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from services.interpretation.read_models import interpretation, policy
from shared.auth import Principal
from shared.pagination import decode_cursor, encode_cursor
from shared.rules.interpretation import in_sync, lag_working_days, principal_quota_met, sync_window
from shared.rules.law import Law
from shared.rules.time import Calendar, remaining
from shared.timeutil import SHANGHAI, to_shanghai


def present(row: Any, calendar: Calendar, law: Law) -> dict[str, Any]:
    view = {k: v for k, v in row._mapping.items() if k != "policy_published_at"}
    for key in ("created_at", "published_at", "updated_at"):
        if view[key] is not None:
            view[key] = to_shanghai(view[key])
    policy_at = row.policy_published_at
    view["policy_published_at"] = policy_at and to_shanghai(policy_at)
    lag = None
    if row.published_at is not None and policy_at is not None:
        lag = lag_working_days(calendar, policy_at, row.published_at)
    view["lag_working_days"] = lag
    view["in_sync"] = in_sync(lag, law)
    return view


def _base() -> Select[Any]:
    return select(interpretation, policy.c.published_at.label("policy_published_at")).outerjoin(
        policy, policy.c.id == interpretation.c.policy_record_id
    )


def get_interpretation(session: Session, interpretation_id: str) -> Any | None:
    return session.execute(_base().where(interpretation.c.id == interpretation_id)).first()


def list_interpretations(
    session: Session,
    *,
    viewer: Principal | None,
    department: str | None,
    policy_record_id: str | None,
    year: int | None,
    limit: int,
    cursor: str | None,
    cursor_key: bytes,
) -> tuple[list[Any], str | None]:
    query = _base()
    published = interpretation.c.status == "published"
    if viewer is not None and viewer.has("office", "auditor"):
        pass
    elif viewer is not None and viewer.dept and viewer.has("editor", "head"):
        query = query.where(or_(published, interpretation.c.department == viewer.dept))
    else:
        query = query.where(published)
    if department:
        query = query.where(interpretation.c.department == department)
    if policy_record_id:
        query = query.where(interpretation.c.policy_record_id == policy_record_id)
    if year is not None:
        start, end = _year_bounds(year)
        query = query.where(interpretation.c.published_at >= start, interpretation.c.published_at < end)
    if cursor is not None:
        position = decode_cursor(cursor_key, cursor)
        created, last_id = datetime.fromisoformat(str(position.get("c"))), str(position.get("i"))
        query = query.where(
            or_(
                interpretation.c.created_at < created,
                and_(interpretation.c.created_at == created, interpretation.c.id < last_id),
            )
        )
    query = query.order_by(interpretation.c.created_at.desc(), interpretation.c.id.desc()).limit(limit + 1)
    rows = list(session.execute(query).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(cursor_key, {"c": rows[-1].created_at.isoformat(), "i": rows[-1].id})
    return rows, next_cursor


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year in Shanghai, as UTC instants."""
    return datetime(year, 1, 1, tzinfo=SHANGHAI).astimezone(UTC), datetime(year + 1, 1, 1, tzinfo=SHANGHAI).astimezone(
        UTC
    )


def quota(session: Session, *, year: int, departments: list[str], law: Law) -> list[dict[str, Any]]:
    """Principal interpretations (第一解读人) published, and not withdrawn, by each department in ``year``."""
    start, end = _year_bounds(year)
    rows = session.execute(
        select(interpretation.c.department, func.count())
        .where(
            interpretation.c.status == "published",
            interpretation.c.principal.is_(True),
            interpretation.c.published_at >= start,
            interpretation.c.published_at < end,
        )
        .group_by(interpretation.c.department)
    ).all()
    counted: dict[str, int] = {str(r[0]): int(r[1]) for r in rows}
    return [
        {
            "department": d,
            "principal_published": int(counted.get(d, 0)),
            "required": law.principal_interpretations_per_year,
            "met": principal_quota_met(counted.get(d, 0), law),
        }
        for d in departments
    ]


def awaiting(session: Session, *, department: str, calendar: Calendar, law: Law, today: date) -> list[dict[str, Any]]:
    """The department's published policies that need an interpretation and have no published one yet."""
    explained = select(interpretation.c.policy_record_id).where(interpretation.c.status == "published")
    rows = session.execute(
        select(policy)
        .where(
            policy.c.department == department,
            policy.c.needs_interpretation.is_(True),
            policy.c.published_at.is_not(None),
            policy.c.revoked_at.is_(None),
            policy.c.id.not_in(explained),
        )
        .order_by(policy.c.published_at)
    ).all()
    result = []
    for row in rows:
        deadline = sync_window(row.published_at, calendar, law)
        left = remaining(deadline.due_on, today, calendar)
        result.append(
            {
                "policy_record_id": row.id,
                "title": row.title,
                "category": row.category,
                "published_at": to_shanghai(row.published_at),
                "due_on": deadline.due_on,
                "calendar_provisional": deadline.calendar_provisional,
                "working_days_left": left.working_days_left,
                "overdue_working_days": left.late_working_days,
            }
        )
    return result
