"""Policy interpretations: draft -> published -> withdrawn.

Imports only the standard library, ``eventsourcing.domain`` and ``shared.errors``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.errors import Forbidden, InvalidState


class Interpretation(Aggregate):
    TOPIC = "interpretation.Interpretation"

    class Event(Aggregate.Event):
        TOPIC = "interpretation.Interpretation.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "interpretation.Interpretation.Created"

    @event("Drafted", topic="interpretation.Interpretation.Drafted")
    def __init__(
        self,
        department: str,
        policy_record_id: str,
        title: str,
        form: str,
        interpreter: dict[str, Any],
        body: str | None,
        media_url: str | None,
        drafted_by: str,
    ) -> None:
        self.department = department
        self.policy_record_id = policy_record_id
        self.title = title
        self.form = form
        self.interpreter = dict(interpreter)
        self.body = body
        self.media_url = media_url
        self.status = "draft"
        self.published_at: datetime | None = None

    @property
    def principal(self) -> bool:
        return bool(self.interpreter.get("principal"))

    def publish(self, *, at: datetime, by: str, by_head: bool) -> None:
        if self.status != "draft":
            raise InvalidState(f"only a draft can be published; this interpretation is {self.status}")
        if self.principal and not by_head:
            raise Forbidden("a principal interpretation is published by the department head", code="head_required")
        self._published(published_at=at, published_by=by)

    @event("Published", topic="interpretation.Interpretation.Published")
    def _published(self, published_at: datetime, published_by: str) -> None:
        self.status = "published"
        self.published_at = published_at

    def withdraw(self, *, reason: str, by: str, by_head: bool) -> None:
        if self.status == "withdrawn":
            raise InvalidState("the interpretation is already withdrawn")
        if self.principal and self.status == "published" and not by_head:
            raise Forbidden(
                "a principal interpretation the head published is withdrawn by a head", code="head_required"
            )
        self._withdrawn(reason=reason, withdrawn_by=by)

    @event("Withdrawn", topic="interpretation.Interpretation.Withdrawn")
    def _withdrawn(self, reason: str, withdrawn_by: str) -> None:
        self.status = "withdrawn"
