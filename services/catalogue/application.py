"""Use cases of the catalogue service: one short method each (load, act, save)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.catalogue import read_models
from services.catalogue.domain import Record
from services.catalogue.projection import projection
from shared.application import ServiceApplication, expect_version
from shared.auth import Principal
from shared.errors import Forbidden, NotFound
from shared.timeutil import utcnow


class CatalogueApplication(ServiceApplication):
    service = "catalogue"
    metadata = read_models.metadata
    kernel = read_models.kernel
    projection = projection
    aggregate_classes = (Record,)

    # --- disclosure records -------------------------------------------------------------

    def draft_record(self, *, actor: Principal, fields: dict[str, Any]) -> Record:
        self._authorise(actor, fields["department"])
        Record.draft(**fields, index_number="", drafted_by=actor.sub)  # check the rules before locking
        with self.transaction() as session:  # the append lock makes the count and the insert one step
            number = self._next_index_number(session, fields["department"], fields["formed_on"])
            record = Record.draft(**fields, index_number=number, drafted_by=actor.sub)
            self.save(record)
        return record

    def publish_record(self, record_id: UUID, *, actor: Principal, expected_version: int | None) -> Record:
        record = self._own_record(record_id, actor, expected_version)
        record.publish(at=utcnow(), by=actor.sub)
        self.save(record)
        return record

    def correct_record(
        self, record_id: UUID, *, actor: Principal, expected_version: int | None, **change: Any
    ) -> Record:
        record = self._own_record(record_id, actor, expected_version)
        record.correct(**change, by=actor.sub)
        self.save(record)
        return record

    def revoke_record(self, record_id: UUID, *, actor: Principal, expected_version: int | None, reason: str) -> Record:
        record = self._own_record(record_id, actor, expected_version)
        record.revoke(reason=reason, by=actor.sub)
        self.save(record)
        return record

    # --- rules shared by the write routes ---------------------------------------------------

    def _own_record(self, record_id: UUID, actor: Principal, expected_version: int | None) -> Record:
        record = self.load(record_id, Record)
        if not actor.acts_for(record.department):
            if record.status == "draft":
                raise NotFound(f"no record {record_id}")  # another department's draft is not shown to exist
            raise Forbidden("only the record's own department may change it", code="other_department")
        expect_version(record, expected_version)
        return record

    @staticmethod
    def _authorise(actor: Principal, department: str) -> None:
        if not actor.acts_for(department):
            raise Forbidden(f"you act for {actor.dept or 'no department'}, not {department}", code="other_department")

    @staticmethod
    def _next_index_number(session: Session, department: str, formed_on: date) -> str:
        prefix = f"{department}-{formed_on.year}-"
        table = read_models.record
        count = session.execute(select(func.count()).where(table.c.index_number.like(f"{prefix}%"))).scalar_one()
        return f"{prefix}{count + 1:06d}"
