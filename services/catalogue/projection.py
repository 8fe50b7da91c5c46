"""Catalogue events -> read-model rows, in the transaction that records the events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from services.catalogue import search
from services.catalogue.domain import CatalogueItem, Consultation, Proposal, Record
from services.catalogue.read_models import (
    consultation,
    consultation_comment,
    item,
    proposal,
    record,
    record_search,
    record_version,
)
from shared.application import Projection

projection = Projection(record, record_version, record_search, item, proposal, consultation, consultation_comment)
projection.reset_hooks.append(search.reset)


# --- disclosure records ---------------------------------------------------------------------


def _history(session: Session, e: Any, change: str, changed: list[str], reason: str | None, actor: str) -> None:
    current = session.execute(
        select(record.c.title, record.c.body, record.c.attachments, record.c.doc_number).where(
            record.c.id == str(e.originator_id)
        )
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
    if change in ("drafted", "corrected"):
        search.index(session, str(e.originator_id), current.title, current.doc_number, current.body)


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
            time_limit_working_days=e.time_limit_working_days,
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


# --- catalogue items --------------------------------------------------------------------------


@projection.on(CatalogueItem.Registered)
def item_registered(session: Session, e: Any) -> None:
    session.execute(
        insert(item).values(
            id=str(e.originator_id),
            version=e.originator_version,
            code=e.code,
            name=e.name,
            area=e.area,
            content=e.content,
            basis=e.basis,
            department=e.department,
            time_limit_working_days=e.time_limit_working_days,
            channels=e.channels,
            audience=e.audience,
            method=e.method,
            level=e.level,
            retired=False,
            created_at=e.timestamp,
            updated_at=e.timestamp,
        )
    )


@projection.on(CatalogueItem.Updated)
def item_updated(session: Session, e: Any) -> None:
    projection.update(session, item, e, **e.changes)


@projection.on(CatalogueItem.Retired)
def item_retired(session: Session, e: Any) -> None:
    projection.update(session, item, e, retired=True)


# --- proposals ----------------------------------------------------------------------------------


@projection.on(Proposal.ReplyRecorded)
def reply_recorded(session: Session, e: Any) -> None:
    session.execute(
        insert(proposal).values(
            id=str(e.originator_id),
            version=e.originator_version,
            kind=e.kind,
            number=e.number,
            title=e.title,
            handler_department=e.handler_department,
            replied_on=e.replied_on,
            reply_text=e.reply_text,
            created_at=e.timestamp,
            updated_at=e.timestamp,
        )
    )


@projection.on(Proposal.ReplyPublished)
def reply_published(session: Session, e: Any) -> None:
    projection.update(session, proposal, e, published_at=e.published_at, published_text=e.published_text)


# --- consultations --------------------------------------------------------------------------------


@projection.on(Consultation.Opened)
def consultation_opened(session: Session, e: Any) -> None:
    session.execute(
        insert(consultation).values(
            id=str(e.originator_id),
            version=e.originator_version,
            department=e.department,
            title=e.title,
            draft=e.draft,
            opens_on=e.opens_on,
            closes_on=e.closes_on,
            shortened_reason=e.shortened_reason,
            comment_count=0,
            created_at=e.timestamp,
            updated_at=e.timestamp,
        )
    )


@projection.on(Consultation.CommentReceived)
def comment_received(session: Session, e: Any) -> None:
    session.execute(
        insert(consultation_comment).values(
            consultation_id=str(e.originator_id), version=e.originator_version, text=e.text, received_at=e.received_at
        )
    )
    projection.update(session, consultation, e, comment_count=consultation.c.comment_count + 1)


@projection.on(Consultation.ResultPublished)
def result_published(session: Session, e: Any) -> None:
    projection.update(
        session, consultation, e, adoption_summary=e.adoption_summary, decision_record_id=e.decision_record_id
    )
