"""Assessment events -> rows; upstream feed items -> facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from services.assessment.domain import Action, YearScheme
from services.assessment.read_models import action, fact, scheme
from shared.application import Projection, ServiceApplication

projection = Projection(action, scheme)


@projection.on(Action.Issued)
def issued(session: Session, e: Any) -> None:
    session.execute(
        insert(action).values(
            id=str(e.originator_id),
            version=e.originator_version,
            department=e.department,
            kind=e.kind,
            reason=e.reason,
            refs=e.refs,
            issued_on=e.issued_on,
            rectification_due_on=e.rectification_due_on,
            created_at=e.issued_at or e.timestamp,
            updated_at=e.timestamp,
        )
    )


@projection.on(Action.Rectified)
def rectified(session: Session, e: Any) -> None:
    projection.update(session, action, e, rectified_on=e.on, rectification_note=e.note)


def _department(session: Session, item: dict[str, Any]) -> str | None:
    """The department an event belongs to: named in it, or in the first event of its stream."""
    data = item["data"]
    named = data.get("department") or data.get("lead_department") or data.get("handler_department")
    if named:
        return str(named)
    department: str | None = session.execute(
        select(fact.c.department).where(fact.c.stream_id == item["stream_id"], fact.c.department.is_not(None)).limit(1)
    ).scalar()
    return department


# What scoring judges: dates, departments, states. Titles, bodies and other texts are left
# upstream (they are large, and some are personal).
FACT_FIELDS = frozenset(
    {
        "department",
        "handler_department",
        "lead_department",
        "formed_on",
        "category",
        "time_limit",
        "time_limit_working_days",
        "disclosure",
        "needs_interpretation",
        "item_code",
        "code",
        "published_at",
        "replied_on",
        "policy_record_id",
        "detected_at",
        "severity",
        "emergency",
        "kind",
        "at",
        "rating",
        "findings",
        "received_on",
        "on",
        "reply_by",
        "assessed_at",
        "party",
        "working_days",
        "outcome",
    }
)


def fact_data(data: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in data.items() if k in FACT_FIELDS}
    if isinstance(data.get("interpreter"), dict):
        kept["interpreter"] = {"principal": bool(data["interpreter"].get("principal"))}
    return kept


def record_fact(upstream: str) -> Any:
    def handle(_: ServiceApplication, session: Session, item: dict[str, Any]) -> None:
        session.execute(
            insert(fact).values(
                upstream=upstream,
                position=item["position"],
                type=item["type"],
                stream_id=item["stream_id"],
                department=_department(session, item),
                occurred_at=datetime.fromisoformat(item["occurred_at"]),
                recorded_at=datetime.fromisoformat(item["recorded_at"].replace("Z", "+00:00")),
                data=fact_data(item["data"]),
            )
        )

    return handle


@projection.on(YearScheme.Adopted)
def scheme_adopted(session: Session, e: Any) -> None:
    session.execute(
        insert(scheme).values(
            year=int(e.scheme["year"]),
            version=e.originator_version,
            scheme=e.scheme,
            adopted_at=e.adopted_at,
            adopted_by=e.adopted_by,
        )
    )
