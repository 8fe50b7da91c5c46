"""Read side of interpretations: rows plus their lag behind the policy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from services.interpretation.read_models import interpretation, policy
from shared.auth import Principal
from shared.calendar import WorkingCalendar
from shared.pagination import decode_cursor, encode_cursor
from shared.timeutil import SHANGHAI, local_date, to_shanghai


def lag_working_days(calendar: WorkingCalendar, policy_published_at: datetime, published_at: datetime) -> int:
    """Working days after the policy's publication day; with or before the policy counts as 0."""
    return calendar.working_days_between(local_date(policy_published_at), local_date(published_at))


def present(row: Any, calendar: WorkingCalendar, sync_days: int) -> dict[str, Any]:
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
    view["in_sync"] = None if lag is None else lag <= sync_days
    return view


def _base() -> Select[Any]:
    return select(interpretation, policy.c.published_at.label("policy_published_at")).outerjoin(
        policy, policy.c.id == interpretation.c.policy_record_id
    )


def get_interpretation(session: Session, interpretation_id: str) -> Any | None:
    return session.execute(_base().where(interpretation.c.id == interpretation_id)).first()


def may_see_draft(viewer: Principal | None, department: str) -> bool:
    return viewer is not None and (viewer.acts_for(department) or viewer.has("auditor"))


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
        start = datetime(year, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
        end = datetime(year + 1, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
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
