"""Use cases of the catalogue service: one short method each (load, check, act, save)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.catalogue import read_models, search
from services.catalogue.domain import (
    AnnualFigures,
    AnnualReport,
    CatalogueItem,
    Consultation,
    InformationRequest,
    Proposal,
    Record,
)
from services.catalogue.domain.requests import new_query_code
from services.catalogue.projection import projection
from shared.application import ServiceApplication, expect_version
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, NotFound, RuleViolated
from shared.rules.requests import clarification_reply_by
from shared.timeutil import local_date

T = TypeVar("T")


class CatalogueApplication(ServiceApplication):
    service = "catalogue"
    metadata = read_models.metadata
    kernel = read_models.kernel
    projection = projection
    aggregate_classes = (Record, CatalogueItem, Proposal, Consultation, InformationRequest, AnnualFigures, AnnualReport)
    # Personal data in events: shown to auditors, redacted for platform readers of the feed.
    # A request's description is the applicant's own account (it names whom it likes, third
    # parties included, which no pattern can find reliably): hidden whole, like the applicant.
    personal_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "catalogue.InformationRequestReceived": ("applicant_name", "applicant_contact", "description")
    }
    free_text_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "catalogue.InformationRequestClarificationRequested": ("note",),
        "catalogue.InformationRequestExtended": ("reason",),
        "catalogue.ProposalReplyRecorded": ("reply_text",),  # what is published is scrubbed the same way
        "catalogue.ConsultationCommentReceived": ("text",),
    }
    official_text_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "catalogue.RecordDrafted": ("title", "body", "attachments", "withheld_reason"),
        "catalogue.RecordCorrected": ("title", "body", "attachments", "reason"),
        "catalogue.RecordRevoked": ("reason",),
        "catalogue.CatalogueItemRegistered": (
            "name", "content", "basis", "standard", "procedure", "channels", "audience", "method"
        ),
        "catalogue.CatalogueItemUpdated": ("changes",),
        "catalogue.CatalogueItemRetired": ("reason",),
        "catalogue.ProposalReplyRecorded": ("title",),
        "catalogue.ProposalReplyPublished": ("published_text",),  # scrubbed before it was recorded
        "catalogue.ConsultationOpened": ("title", "draft", "shortened_reason"),
        "catalogue.ConsultationResultPublished": ("adoption_summary",),
        "catalogue.InformationRequestReplied": ("reason",),  # the legal ground (domain.md), a code
        "catalogue.AnnualReportNarrativeWritten": ("text",),
    }  # fmt: skip

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        search.warm_up()

    # --- disclosure records -------------------------------------------------------------

    def draft_record(self, *, actor: Principal, fields: dict[str, Any]) -> Record:
        authorise(actor, fields["department"])
        fields = {**fields, "time_limit": fields.get("time_limit") or self._item_time_limit(fields)}
        Record.check(fields)  # the rules first: nothing is locked or recorded for a bad request
        with self.transaction() as session:  # the append lock makes the count and the insert one step
            number = self._next_index_number(session, fields["department"], fields["formed_on"])
            record = Record.draft(**fields, index_number=number, drafted_by=actor.sub)
            self.save(record)
        return record

    def publish_record(self, record_id: UUID, *, actor: Principal, expected_version: int | None) -> Record:
        record = self._own(record_id, Record, actor, expected_version)
        record.publish(at=self.clock(), by=actor.sub)
        self.save(record)
        return record

    def correct_record(
        self, record_id: UUID, *, actor: Principal, expected_version: int | None, **change: Any
    ) -> Record:
        record = self._own(record_id, Record, actor, expected_version)
        record.correct(**change, by=actor.sub)
        self.save(record)
        return record

    def revoke_record(self, record_id: UUID, *, actor: Principal, expected_version: int | None, reason: str) -> Record:
        record = self._own(record_id, Record, actor, expected_version)
        record.revoke(reason=reason, by=actor.sub)
        self.save(record)
        return record

    def _item_time_limit(self, fields: dict[str, Any]) -> dict[str, Any] | None:
        """The item's time limit when the record names an item of its department (else the rules' default)."""
        code = fields.get("item_code")
        if code is None:
            return None
        item = self.find_item(code)
        if item is None or item.retired:
            raise RuleViolated(f"no catalogue item {code!r} in force", code="unknown_item")
        if item.department != fields["department"]:
            raise RuleViolated(f"item {code!r} belongs to {item.department}", code="item_of_other_department")
        return item.time_limit

    @staticmethod
    def _next_index_number(session: Session, department: str, formed_on: date) -> str:
        """``DEPT-YEAR-000123``: the next number of that department and year.

        A range on the unique index (not LIKE, which neither database serves from it) keeps
        this O(log n) however many records there are.
        """
        prefix = f"{department}-{formed_on.year}-"
        column = read_models.record.c.index_number
        last = session.execute(
            select(func.max(column)).where(column > prefix, column < prefix[:-1] + ".")  # "." sorts after "-"
        ).scalar()
        return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:06d}"

    # --- catalogue items (the office's) -------------------------------------------------------

    def register_item(self, *, actor: Principal, fields: dict[str, Any]) -> CatalogueItem:
        if self.find_item(fields["code"]) is not None:
            raise Conflict(f"catalogue item {fields['code']!r} already exists", code="item_exists")
        item = CatalogueItem.register(**fields, registered_by=actor.sub)
        self.save(item)
        return item

    def update_item(
        self, code: str, *, actor: Principal, expected_version: int | None, changes: dict[str, Any]
    ) -> CatalogueItem:
        item = self.load(CatalogueItem.create_id(code), CatalogueItem, expected_version=expected_version)
        item.update(changes=changes, by=actor.sub)
        self.save(item)
        return item

    def retire_item(self, code: str, *, actor: Principal, expected_version: int | None, reason: str) -> CatalogueItem:
        item = self.load(CatalogueItem.create_id(code), CatalogueItem, expected_version=expected_version)
        item.retire(reason=reason, by=actor.sub)
        self.save(item)
        return item

    def find_item(self, code: str) -> CatalogueItem | None:
        try:
            return self.load(CatalogueItem.create_id(code), CatalogueItem)
        except NotFound:
            return None

    # --- NPC / CPPCC replies ----------------------------------------------------------------------

    def record_reply(self, *, actor: Principal, fields: dict[str, Any]) -> Proposal:
        authorise(actor, fields["handler_department"])
        self.refuse_future(replied_on=fields["replied_on"])
        proposal = Proposal(**fields, recorded_by=actor.sub)
        self.save(proposal)
        return proposal

    def publish_reply(self, proposal_id: UUID, *, actor: Principal, expected_version: int | None) -> Proposal:
        proposal = self._own(proposal_id, Proposal, actor, expected_version)
        proposal.publish(at=self.clock(), by=actor.sub)
        self.save(proposal)
        return proposal

    # --- draft decisions open for comment -----------------------------------------------------------

    def open_consultation(self, *, actor: Principal, fields: dict[str, Any]) -> Consultation:
        authorise(actor, fields["department"])
        consultation = Consultation.open(law=self.law, **fields, opened_by=actor.sub)
        self.save(consultation)
        return consultation

    def comment(self, consultation_id: UUID, *, text: str) -> Consultation:
        consultation = self.load(consultation_id, Consultation)
        now = self.clock()
        consultation.comment(text=text, on=local_date(now), at=now)
        self.save(consultation)
        return consultation

    def publish_result(
        self,
        consultation_id: UUID,
        *,
        actor: Principal,
        expected_version: int | None,
        adoption_summary: str,
        decision_record_id: str | None,
    ) -> Consultation:
        consultation = self._own(consultation_id, Consultation, actor, expected_version)
        if decision_record_id is not None:
            with self.reading() as session:
                known = session.execute(
                    select(read_models.record.c.id).where(read_models.record.c.id == decision_record_id)
                ).first()
            if known is None:
                raise RuleViolated(f"no record {decision_record_id}", code="unknown_record")
        consultation.publish_result(
            adoption_summary=adoption_summary,
            decision_record_id=decision_record_id,
            on=local_date(self.clock()),
            by=actor.sub,
        )
        self.save(consultation)
        return consultation

    # --- information requests -------------------------------------------------------------------------

    def receive_request(self, *, actor: Principal, fields: dict[str, Any]) -> InformationRequest:
        authorise(actor, fields["department"])
        self.refuse_future(received_on=fields["received_on"])
        request = InformationRequest(**fields, query_code=new_query_code(), received_by=actor.sub)
        self.save(request)
        return request

    def act_on_request(
        self, request_id: UUID, *, actor: Principal, expected_version: int | None, verb: str, **fields: Any
    ) -> InformationRequest:
        """One of the request's clock or answer steps, by its own department."""
        request = self._own(request_id, InformationRequest, actor, expected_version)
        self.refuse_future(on=fields["on"])
        steps: dict[str, Callable[..., None]] = {
            "clarification-requested": request.request_clarification,
            "clarified": request.clarified,
            "consultation-started": request.start_consultation,
            "consultation-ended": request.end_consultation,
            "extended": request.extend,
            "replied": request.reply,
            "appealed": request.appeal,
        }
        step = steps[verb]
        if verb in ("extended", "replied"):
            fields.update(calendar=self.calendar, law=self.law)
        if verb == "clarification-requested" and fields.get("reply_by") is None:
            fields["reply_by"] = clarification_reply_by(fields["on"], self.calendar, self.law)
        step(**fields, by=actor.sub)
        self.save(request)
        return request

    def record_appeal_result(
        self, request_id: UUID, appeal_id: str, *, actor: Principal, expected_version: int | None, on: date, result: str
    ) -> InformationRequest:
        request = self._own(request_id, InformationRequest, actor, expected_version)
        self.refuse_future(on=on)
        request.record_appeal_result(appeal_id=appeal_id, on=on, result=result, by=actor.sub)
        self.save(request)
        return request

    # --- the annual report ------------------------------------------------------------------------------

    def publish_annual_report(self, *, actor: Principal, department: str | None, year: int) -> AnnualReport:
        """A department's head publishes its report; the office publishes the city's."""
        if department is None:
            if not actor.has("office"):
                raise Forbidden("the office publishes the city's report", code="forbidden")
        elif not (actor.has("head") and actor.acts_for(department)):
            raise Forbidden(f"the head of {department} publishes its report", code="forbidden")
        report = self.annual_report(department, year) or AnnualReport(department=department, year=year)
        report.publish(at=self.clock(), by=actor.sub)
        self.save(report)
        return report

    def write_annual_narrative(
        self, *, actor: Principal, department: str | None, year: int, section: str, text: str
    ) -> AnnualReport:
        """A department's editors and head write its report; the office writes the city's."""
        if department is None:
            if not actor.has("office"):
                raise Forbidden("the office writes the city's report", code="forbidden")
        else:
            authorise(actor, department)
        report = self.annual_report(department, year) or AnnualReport(department=department, year=year)
        report.write_narrative(section=section, text=text, by=actor.sub)
        self.save(report)
        return report

    def annual_report(self, department: str | None, year: int) -> AnnualReport | None:
        try:
            return self.load(AnnualReport.create_id(department, year), AnnualReport)
        except NotFound:
            return None

    # --- annual report figures -----------------------------------------------------------------------

    def enter_figures(self, *, actor: Principal, department: str, year: int, figures: dict[str, Any]) -> AnnualFigures:
        authorise(actor, department)
        try:
            sheet = self.load(AnnualFigures.create_id(department, year), AnnualFigures)
        except NotFound:
            sheet = AnnualFigures(department=department, year=year)
        sheet.enter(figures=figures, by=actor.sub)
        self.save(sheet)
        return sheet

    # --- the department rule of every write ---------------------------------------------------------

    def _own(self, aggregate_id: UUID, kind: type[T], actor: Principal, expected_version: int | None) -> T:
        """Load for a write by ``actor``: another department's draft is 404, its other objects 403."""
        aggregate = self.load(aggregate_id, kind)
        department = str(getattr(aggregate, "department", None) or getattr(aggregate, "handler_department", ""))
        if not actor.acts_for(department):
            if getattr(aggregate, "status", None) == "draft":
                raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}")
            raise Forbidden("only the owning department may change it", code="other_department")
        expect_version(aggregate, expected_version)
        return aggregate


def authorise(actor: Principal, department: str) -> None:
    if not actor.acts_for(department):
        raise Forbidden(f"you act for {actor.dept or 'no department'}, not {department}", code="other_department")
