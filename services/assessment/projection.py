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
        insert(action),
        {
            "id": str(e.originator_id),
            "version": e.originator_version,
            "department": e.department,
            "kind": e.kind,
            "reason": e.reason,
            "refs": e.refs,
            "issued_on": e.issued_on,
            "rectification_due_on": e.rectification_due_on,
            "created_at": e.issued_at or e.timestamp,
            "updated_at": e.timestamp,
        },
    )


@projection.on(Action.Rectified)
def rectified(session: Session, e: Any) -> None:
    projection.update(session, action, e, rectified_on=e.on, rectification_note=e.note)


def _named_department(data: dict[str, Any]) -> str | None:
    named = data.get("department") or data.get("lead_department") or data.get("handler_department")
    return str(named) if named else None


def _known_departments(session: Session, streams: set[str]) -> dict[str, str]:
    """The department of each stream's first fact that names one, for streams with such a fact."""
    known: dict[str, str] = {}
    ordered = sorted(streams)
    for start in range(0, len(ordered), 500):  # bound the parameters of one statement
        chunk = ordered[start : start + 500]
        rows = session.execute(
            select(fact.c.stream_id, fact.c.department)
            .where(fact.c.stream_id.in_(chunk), fact.c.department.is_not(None))
            .order_by(fact.c.upstream, fact.c.position)
        )
        for stream, department in rows:
            known.setdefault(stream, department)
    return known


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


def fact_row(upstream: str, item: dict[str, Any], department: str | None) -> dict[str, Any]:
    return {
        "upstream": upstream,
        "position": item["position"],
        "type": item["type"],
        "stream_id": item["stream_id"],
        "department": department,
        "occurred_at": datetime.fromisoformat(item["occurred_at"]),
        "recorded_at": datetime.fromisoformat(item["recorded_at"].replace("Z", "+00:00")),
        "data": fact_data(item["data"]),
        "refers_to": item["data"].get("policy_record_id"),
        "item_code": item["data"].get("item_code"),
    }


def record_facts(upstream: str) -> Any:
    """A page of ``upstream``'s feed as facts: one insert of many rows. An event that names no
    department (a step of a request, say) belongs to the department its stream's first fact names."""

    def handle(_: ServiceApplication, session: Session, items: list[dict[str, Any]]) -> None:
        named = [_named_department(item["data"]) for item in items]
        unnamed = {item["stream_id"] for item, department in zip(items, named, strict=True) if department is None}
        known = _known_departments(session, unnamed) if unnamed else {}
        rows = []
        for item, department in zip(items, named, strict=True):
            stream = item["stream_id"]
            if department is not None:
                known.setdefault(stream, department)
            rows.append(fact_row(upstream, item, department or known.get(stream)))
        session.execute(insert(fact), rows)

    return handle


def record_fact(upstream: str) -> Any:
    """One item as a fact (what ``record_facts`` does for a page)."""
    batch = record_facts(upstream)

    def handle(application: ServiceApplication, session: Session, item: dict[str, Any]) -> None:
        batch(application, session, [item])

    return handle


@projection.on(YearScheme.Adopted)
def scheme_adopted(session: Session, e: Any) -> None:
    session.execute(
        insert(scheme),
        {
            "year": int(e.scheme["year"]),
            "version": e.originator_version,
            "scheme": e.scheme,
            "adopted_at": e.adopted_at,
            "adopted_by": e.adopted_by,
        },
    )
