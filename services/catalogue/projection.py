"""Catalogue events -> read-model rows, in the transaction that records the events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from services.catalogue.domain import Record
from services.catalogue.read_models import record, record_version
from shared.application import Projection

projection = Projection(record, record_version)


def _history(session: Session, e: Any, change: str, changed: list[str], reason: str | None, actor: str) -> None:
    current = session.execute(
        select(record.c.title, record.c.body, record.c.attachments).where(record.c.id == str(e.originator_id))
    ).one()
    session.execute(
        insert(record_version).values(
            record_id=str(e.originator_id),
            version=e.originator_version,
            change=change,
            changed_fields=changed,
            reason=reason,
            actor=actor,
            at=e.timestamp,
            title=current.title,
            body=current.body,
            attachments=current.attachments,
        )
    )


@projection.on(Record.Drafted)
def drafted(session: Session, e: Any) -> None:
    session.execute(
        insert(record).values(
            id=str(e.originator_id),
            version=e.originator_version,
            department=e.department,
            index_number=e.index_number,
            title=e.title,
            category=e.category,
            area=e.area,
            item_code=e.item_code,
            doc_number=e.doc_number,
            formed_on=e.formed_on,
            body=e.body,
            attachments=e.attachments,
            disclosure=e.disclosure,
            withheld_reason=e.withheld_reason,
            needs_interpretation=e.needs_interpretation,
            status="draft",
            created_at=e.timestamp,
            updated_at=e.timestamp,
        )
    )
    _history(session, e, "drafted", ["title", "body", "attachments"], None, e.drafted_by)


@projection.on(Record.Published)
def published(session: Session, e: Any) -> None:
    projection.update(session, record, e, status="published", published_at=e.published_at)
    _history(session, e, "published", [], None, e.published_by)


@projection.on(Record.Corrected)
def corrected(session: Session, e: Any) -> None:
    changes = {k: getattr(e, k) for k in ("title", "body", "attachments") if getattr(e, k) is not None}
    projection.update(session, record, e, status="corrected", **changes)
    _history(session, e, "corrected", sorted(changes), e.reason, e.corrected_by)


@projection.on(Record.Revoked)
def revoked(session: Session, e: Any) -> None:
    projection.update(session, record, e, status="revoked")
    _history(session, e, "revoked", [], e.reason, e.revoked_by)
