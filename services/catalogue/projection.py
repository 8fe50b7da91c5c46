"""Catalogue events -> read-model rows, in the transaction that records the events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from services.catalogue import request_queries, search
from services.catalogue.domain import (
    AnnualFigures,
    AnnualReport,
    CatalogueItem,
    Consultation,
    InformationRequest,
    Proposal,
    Record,
)
from services.catalogue.read_models import (
    annual_figures,
    annual_report,
    consultation,
    consultation_comment,
    item,
    proposal,
    record,
    record_search,
    record_version,
    request,
    request_appeal,
    request_appeal_result,
)
from shared.application import Projection

projection = Projection(
    record,
    record_version,
    record_search,
    item,
    proposal,
    consultation,
    consultation_comment,
    request,
    request_appeal,
    request_appeal_result,
    annual_report,
    annual_figures,
    kept=(record_search,),  # made from the records' texts: search.refresh after a rebuild
)
projection.refresh_hooks.append(search.refresh)


# --- disclosure records ---------------------------------------------------------------------


def _history(
    session: Session,
    e: Any,
    change: str,
    changed: list[str],
    reason: str | None,
    actor: str,
    *,
    drafted: bool = False,
) -> None:
    """The version row of a record's change, with the texts as they are after it; ``drafted``:
    the event itself holds the texts (the row was just inserted from it)."""
    values = {
        "record_id": str(e.originator_id),
        "version": e.originator_version,
        "change": change,
        "changed_fields": changed,
        "reason": reason,
        "actor": actor,
        "at": e.timestamp,
    }
    if change not in _TEXT_CHANGES:  # the texts are the record row's: the database copies them
        session.execute(_INSERT_VERSION_OF_ROW, values).one()  # a record without a row fails, as reading it did
        return
    if drafted:
        current: Any = e
    else:
        current = session.execute(
            select(record.c.title, record.c.body, record.c.attachments, record.c.doc_number).where(
                record.c.id == str(e.originator_id)
            )
        ).one()
    session.execute(
        _INSERT_VERSION,
        {**values, "title": current.title, "body": current.body, "attachments": current.attachments},
    )
    search.index(session, str(e.originator_id), current.title, current.doc_number, current.body, new=drafted)


_TEXT_CHANGES = ("drafted", "corrected")  # the changes that write texts (and so the search document)
_INSERT_VERSION = insert(record_version)
_INSERT_VERSION_OF_ROW = (
    insert(record_version)
    .from_select(
        ["record_id", "version", "change", "changed_fields", "reason", "actor", "at", "title", "body", "attachments"],
        select(
            record.c.id,
            *(
                bindparam(name, type_=record_version.c[name].type)
                for name in ("version", "change", "changed_fields", "reason", "actor", "at")
            ),
            record.c.title,
            record.c.body,
            record.c.attachments,
        ).where(record.c.id == bindparam("record_id")),
    )
    .returning(record_version.c.version)
)  # one statement, no read back: was a select of the texts and an insert


_INSERT_RECORD = insert(record)  # one statement, compiled once; each event's values are its parameters


@projection.on(Record.Drafted)
def drafted(session: Session, e: Any) -> None:
    session.execute(
        _INSERT_RECORD,
        {
            "id": str(e.originator_id),
            "version": e.originator_version,
            "department": e.department,
            "index_number": e.index_number,
            "title": e.title,
            "category": e.category,
            "area": e.area,
            "item_code": e.item_code,
            "doc_number": e.doc_number,
            "formed_on": e.formed_on,
            "body": e.body,
            "attachments": e.attachments,
            "disclosure": e.disclosure,
            "withheld_reason": e.withheld_reason,
            "needs_interpretation": e.needs_interpretation,
            "time_limit": e.time_limit,
            "status": "draft",
            "created_at": e.timestamp,
            "updated_at": e.timestamp,
        },
    )
    _history(session, e, "drafted", ["title", "body", "attachments"], None, e.drafted_by, drafted=True)


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
    projection.update(session, record, e, status="revoked", revoked_at=e.timestamp)
    _history(session, e, "revoked", [], e.reason, e.revoked_by)


# --- catalogue items --------------------------------------------------------------------------


@projection.on(CatalogueItem.Registered)
def item_registered(session: Session, e: Any) -> None:
    session.execute(
        insert(item),
        {
            "id": str(e.originator_id),
            "version": e.originator_version,
            "code": e.code,
            "name": e.name,
            "area": e.area,
            "content": e.content,
            "basis": e.basis,
            "department": e.department,
            "time_limit_working_days": e.time_limit_working_days,
            "time_limit_kind": e.time_limit_kind,
            "standard": e.standard,
            "procedure": e.procedure,
            "channels": e.channels,
            "audience": e.audience,
            "method": e.method,
            "level": e.level,
            "retired": False,
            "created_at": e.timestamp,
            "updated_at": e.timestamp,
        },
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
        insert(proposal),
        {
            "id": str(e.originator_id),
            "version": e.originator_version,
            "kind": e.kind,
            "number": e.number,
            "title": e.title,
            "handler_department": e.handler_department,
            "replied_on": e.replied_on,
            "reply_text": e.reply_text,
            "created_at": e.timestamp,
            "updated_at": e.timestamp,
        },
    )


@projection.on(Proposal.ReplyPublished)
def reply_published(session: Session, e: Any) -> None:
    projection.update(session, proposal, e, published_at=e.published_at, published_text=e.published_text)


# --- consultations --------------------------------------------------------------------------------


@projection.on(Consultation.Opened)
def consultation_opened(session: Session, e: Any) -> None:
    session.execute(
        insert(consultation),
        {
            "id": str(e.originator_id),
            "version": e.originator_version,
            "department": e.department,
            "title": e.title,
            "draft": e.draft,
            "opens_on": e.opens_on,
            "closes_on": e.closes_on,
            "shortened_reason": e.shortened_reason,
            "comment_count": 0,
            "created_at": e.timestamp,
            "updated_at": e.timestamp,
        },
    )


@projection.on(Consultation.CommentReceived)
def comment_received(session: Session, e: Any) -> None:
    session.execute(
        insert(consultation_comment),
        {
            "consultation_id": str(e.originator_id),
            "version": e.originator_version,
            "text": e.text,
            "received_at": e.received_at,
        },
    )
    projection.update(session, consultation, e, comment_count=consultation.c.comment_count + 1)


@projection.on(Consultation.ResultPublished)
def result_published(session: Session, e: Any) -> None:
    projection.update(
        session, consultation, e, adoption_summary=e.adoption_summary, decision_record_id=e.decision_record_id
    )


# --- information requests ------------------------------------------------------------------------


@projection.on(InformationRequest.Received)
def request_received(session: Session, e: Any) -> None:
    session.execute(
        insert(request),
        {
            "id": str(e.originator_id),
            "version": e.originator_version,
            "department": e.department,
            "applicant_type": e.applicant_type,
            "applicant_name": e.applicant_name,
            "applicant_contact": e.applicant_contact,
            "description": e.description,
            "channel": e.channel,
            "received_on": e.received_on,
            "query_code": e.query_code,
            "status": "received",
            "consultations": [],
            "extension_working_days": 0,
            "created_at": e.timestamp,
            "updated_at": e.timestamp,
        },
    )


def _fold(session: Session, e: Any, fact: str, data: dict[str, Any], **values: Any) -> None:
    """Fold the fact into the request's clock (the rules' one fold) and store what it derives."""
    row = request_queries.get_request(session, str(e.originator_id))
    clock = request_queries.clock_of(row)
    clock.apply(fact, data)
    projection.update(session, request, e, **request_queries.clock_columns(clock), **values)


@projection.on(InformationRequest.ClarificationRequested)
def clarification_requested(session: Session, e: Any) -> None:
    _fold(session, e, "ClarificationRequested", {"on": e.on, "reply_by": e.reply_by}, clarification_note=e.note)


@projection.on(InformationRequest.Clarified)
def clarified(session: Session, e: Any) -> None:
    _fold(session, e, "Clarified", {"on": e.on})


@projection.on(InformationRequest.ConsultationStarted)
def consultation_started(session: Session, e: Any) -> None:
    _fold(session, e, "ConsultationStarted", {"on": e.on, "party": e.party})


@projection.on(InformationRequest.ConsultationEnded)
def consultation_ended(session: Session, e: Any) -> None:
    _fold(session, e, "ConsultationEnded", {"on": e.on})


@projection.on(InformationRequest.Extended)
def extended(session: Session, e: Any) -> None:
    data = {"on": e.on, "working_days": e.working_days}
    _fold(session, e, "Extended", data, extension_approved_by=e.approved_by, extension_reason=e.reason)


@projection.on(InformationRequest.Replied)
def replied(session: Session, e: Any) -> None:
    data = {"on": e.on, "outcome": e.outcome, "reason": e.reason}
    _fold(session, e, "Replied", data, outcome=e.outcome, outcome_reason=e.reason)


@projection.on(InformationRequest.Appealed)
def appealed(session: Session, e: Any) -> None:
    department = session.execute(select(request.c.department).where(request.c.id == str(e.originator_id))).scalar_one()
    session.execute(
        insert(request_appeal),
        {
            "request_id": str(e.originator_id),
            "version": e.originator_version,
            "department": department,
            "kind": e.kind,
            "result": e.result,
            "on": e.on,
        },
    )
    projection.update(session, request, e)


@projection.on(InformationRequest.AppealResultRecorded)
def appeal_result_recorded(session: Session, e: Any) -> None:
    session.execute(
        insert(request_appeal_result),
        {
            "request_id": str(e.originator_id),
            "version": e.originator_version,
            "appeal_version": int(e.appeal_id),
            "result": e.result,
            "on": e.on,
        },
    )
    projection.update(session, request, e)


# --- annual report figures -------------------------------------------------------------------------


@projection.on(AnnualReport.Opened)
def report_opened(session: Session, e: Any) -> None:
    session.execute(
        insert(annual_report),
        {
            "id": str(e.originator_id),
            "version": e.originator_version,
            "department": e.department,
            "year": e.year,
            "updated_at": e.timestamp,
        },
    )


@projection.on(AnnualReport.Published)
def report_published(session: Session, e: Any) -> None:
    projection.update(session, annual_report, e, published_at=e.published_at, published_by=e.published_by)


@projection.on(AnnualReport.NarrativeWritten)
def report_narrative_written(session: Session, e: Any) -> None:
    projection.update(session, annual_report, e)  # the text itself is read from the report's events


@projection.on(AnnualFigures.Opened)
def figures_opened(session: Session, e: Any) -> None:
    session.execute(
        insert(annual_figures),
        {
            "id": str(e.originator_id),
            "version": e.originator_version,
            "department": e.department,
            "year": e.year,
            "figures": {},
            "updated_at": e.timestamp,
        },
    )


@projection.on(AnnualFigures.Entered)
def figures_entered(session: Session, e: Any) -> None:
    projection.update(session, annual_figures, e, figures=dict(e.figures))
