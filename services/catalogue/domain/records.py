"""Disclosure records (政府信息): draft -> published -> corrected* -> revoked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidState, RuleViolated
from shared.rules.vocabulary import WITHHELD_REASONS

INTERPRETED_BY_DEFAULT = frozenset({"regulation", "normative_document", "policy"})


class Record(Aggregate):
    TOPIC = "catalogue.Record"

    class Event(Aggregate.Event):
        TOPIC = "catalogue.Record.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "catalogue.Record.Created"

    class Drafted(Created):
        """v2 added ``time_limit_working_days`` (the catalogue item's limit; None: the default);
        v3 replaced it by ``time_limit`` {``days``, ``kind``: working or calendar}."""

        TOPIC = "catalogue.Record.Drafted"
        class_version = 3
        department: str
        title: str
        category: str
        area: str
        item_code: str | None
        doc_number: str | None
        formed_on: date
        body: str
        attachments: list[dict[str, Any]]
        disclosure: str
        withheld_reason: str | None
        needs_interpretation: bool
        index_number: str
        drafted_by: str
        time_limit: dict[str, Any] | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["time_limit_working_days"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            days = state.pop("time_limit_working_days")
            state["time_limit"] = None if days is None else {"days": days, "kind": "working"}

    @event(Drafted)
    def __init__(
        self,
        department: str,
        title: str,
        category: str,
        area: str,
        item_code: str | None,
        doc_number: str | None,
        formed_on: date,
        body: str,
        attachments: list[dict[str, Any]],
        disclosure: str,
        withheld_reason: str | None,
        needs_interpretation: bool,
        index_number: str,
        drafted_by: str,
        time_limit: dict[str, Any] | None = None,
    ) -> None:
        self.department = department
        self.title = title
        self.category = category
        self.area = area
        self.item_code = item_code
        self.doc_number = doc_number
        self.formed_on = formed_on
        self.body = body
        self.attachments = attachments
        self.disclosure = disclosure
        self.withheld_reason = withheld_reason
        self.needs_interpretation = needs_interpretation
        self.index_number = index_number
        self.time_limit = time_limit
        self.status = "draft"
        self.published_at: datetime | None = None

    @classmethod
    def draft(cls, **fields: Any) -> Record:
        cls.check(fields)
        return cls(**fields)

    @staticmethod
    def check(fields: dict[str, Any]) -> None:
        """The rules a new record must satisfy (checked before anything is locked or recorded)."""
        if fields["disclosure"] == "withheld" and fields.get("withheld_reason") not in WITHHELD_REASONS:
            raise RuleViolated(
                "a withheld record needs withheld_reason, one of: " + ", ".join(WITHHELD_REASONS),
                code="withheld_reason_required",
            )
        if fields["disclosure"] != "withheld" and fields.get("withheld_reason") is not None:
            raise RuleViolated("withheld_reason is only for withheld records", code="withheld_reason_not_allowed")

    def publish(self, *, at: datetime, by: str) -> None:
        if self.status != "draft":
            raise InvalidState(f"only a draft can be published; this record is {self.status}")
        if self.disclosure == "withheld":
            raise InvalidState("a withheld record is not published", reason="withheld")
        self._published(published_at=at, published_by=by)

    @event("Published", topic="catalogue.Record.Published")
    def _published(self, published_at: datetime, published_by: str) -> None:
        self.status = "published"
        self.published_at = published_at

    def correct(
        self, *, title: str | None, body: str | None, attachments: list[dict[str, Any]] | None, reason: str, by: str
    ) -> None:
        if self.status not in ("published", "corrected"):
            raise InvalidState(f"only a published record can be corrected; this record is {self.status}")
        if title is None and body is None and attachments is None:
            raise RuleViolated("a correction changes at least one of title, body, attachments", code="empty_correction")
        self._corrected(title=title, body=body, attachments=attachments, reason=reason, corrected_by=by)

    @event("Corrected", topic="catalogue.Record.Corrected")
    def _corrected(
        self,
        title: str | None,
        body: str | None,
        attachments: list[dict[str, Any]] | None,
        reason: str,
        corrected_by: str,
    ) -> None:
        if title is not None:
            self.title = title
        if body is not None:
            self.body = body
        if attachments is not None:
            self.attachments = attachments
        self.status = "corrected"

    def revoke(self, *, reason: str, by: str) -> None:
        if self.status == "revoked":
            raise InvalidState("the record is already revoked")
        self._revoked(reason=reason, revoked_by=by)

    @event("Revoked", topic="catalogue.Record.Revoked")
    def _revoked(self, reason: str, revoked_by: str) -> None:
        self.status = "revoked"
