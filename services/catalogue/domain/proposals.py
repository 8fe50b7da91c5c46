"""NPC suggestions and CPPCC proposals (建议提案) and the publication of their replies."""

from __future__ import annotations

from datetime import date, datetime

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidState
from shared.rules.contacts import without_contact_details


class Proposal(Aggregate):
    TOPIC = "catalogue.Proposal"

    class Event(Aggregate.Event):
        TOPIC = "catalogue.Proposal.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "catalogue.Proposal.Created"

    @event("ReplyRecorded", topic="catalogue.Proposal.ReplyRecorded")
    def __init__(
        self,
        kind: str,
        number: str,
        title: str,
        handler_department: str,
        replied_on: date,
        reply_text: str,
        recorded_by: str,
    ) -> None:
        self.kind = kind
        self.number = number
        self.title = title
        self.handler_department = handler_department
        self.replied_on = replied_on
        self.reply_text = reply_text
        self.published_at: datetime | None = None

    def publish(self, *, at: datetime, by: str) -> None:
        if self.published_at is not None:
            raise InvalidState("the reply is already published")
        self._published(published_at=at, published_text=without_contact_details(self.reply_text), published_by=by)

    @event("ReplyPublished", topic="catalogue.Proposal.ReplyPublished")
    def _published(self, published_at: datetime, published_text: str, published_by: str) -> None:
        self.published_at = published_at
