"""Draft decisions open for public comment (重大决策预公开), their comments and the result."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidState
from shared.rules.consultations import check_comment_period, open_for_comment
from shared.rules.law import Law


class Consultation(Aggregate):
    TOPIC = "catalogue.Consultation"

    class Event(Aggregate.Event):
        TOPIC = "catalogue.Consultation.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "catalogue.Consultation.Created"

    @classmethod
    def open(cls, *, law: Law, **fields: Any) -> Consultation:
        check_comment_period(fields["opens_on"], fields["closes_on"], fields.get("shortened_reason"), law)
        return cls(**fields)

    @event("Opened", topic="catalogue.Consultation.Opened")
    def __init__(
        self,
        department: str,
        title: str,
        draft: str,
        opens_on: date,
        closes_on: date,
        shortened_reason: str | None,
        opened_by: str,
    ) -> None:
        self.department = department
        self.opens_on = opens_on
        self.closes_on = closes_on
        self.comments = 0
        self.result_published = False

    def accepts_comments_on(self, day: date) -> bool:
        return open_for_comment(self.opens_on, self.closes_on, self.result_published, day)

    def comment(self, *, text: str, on: date, at: datetime) -> None:
        if not self.accepts_comments_on(on):
            raise InvalidState(
                f"comments are taken from {self.opens_on} to {self.closes_on}", reason="not_open_for_comment"
            )
        self._commented(text=text, received_at=at)

    @event("CommentReceived", topic="catalogue.Consultation.CommentReceived")
    def _commented(self, text: str, received_at: datetime) -> None:
        self.comments += 1

    def publish_result(self, *, adoption_summary: str, decision_record_id: str | None, on: date, by: str) -> None:
        if self.result_published:
            raise InvalidState("the result is already published")
        if on < self.closes_on:
            raise InvalidState("the result is published after the comment period closes", reason="still_open")
        self._result(adoption_summary=adoption_summary, decision_record_id=decision_record_id, published_by=by)

    @event("ResultPublished", topic="catalogue.Consultation.ResultPublished")
    def _result(self, adoption_summary: str, decision_record_id: str | None, published_by: str) -> None:
        self.result_published = True
