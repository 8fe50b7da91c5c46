"""Accountability actions (通报批评, 约谈整改) and their rectification.

Imports only the standard library, ``eventsourcing.domain`` and ``shared.errors``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidState, RuleViolated


class Action(Aggregate):
    TOPIC = "assessment.Action"

    class Event(Aggregate.Event):
        TOPIC = "assessment.Action.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "assessment.Action.Created"

    class Issued(Created):
        """v2 added ``issued_at`` (the server's instant; v1 events fall back to their timestamp)."""

        TOPIC = "assessment.Action.Issued"
        class_version = 2
        department: str
        kind: str
        reason: str
        refs: list[dict[str, Any]]
        issued_on: date
        rectification_due_on: date | None
        issued_by: str
        issued_at: datetime | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["issued_at"] = None

    @event(Issued)
    def __init__(
        self,
        department: str,
        kind: str,
        reason: str,
        refs: list[dict[str, Any]],
        issued_on: date,
        rectification_due_on: date | None,
        issued_by: str,
        issued_at: datetime | None = None,
    ) -> None:
        self.department = department
        self.kind = kind
        self.reason = reason
        self.refs = list(refs)
        self.issued_on = issued_on
        self.rectification_due_on = rectification_due_on
        self.rectified_on: date | None = None

    @classmethod
    def issue(cls, **fields: Any) -> Action:
        due = fields.get("rectification_due_on")
        if due is not None and due < fields["issued_on"]:
            raise RuleViolated(
                "the rectification is due on or after the day the action is issued", code="due_before_issue"
            )
        return cls(**fields)

    def rectify(self, *, on: date, note: str, by: str) -> None:
        if self.rectified_on is not None:
            raise InvalidState("the rectification is already recorded")
        if on < self.issued_on:
            raise RuleViolated("rectification cannot precede the action", code="rectified_before_issue")
        self._rectified(on=on, note=note, recorded_by=by)

    @event("Rectified", topic="assessment.Action.Rectified")
    def _rectified(self, on: date, note: str, recorded_by: str) -> None:
        self.rectified_on = on


SCHEME_NAMESPACE = uuid.UUID("4e8a1c2b-7d6f-5a3e-9b0c-1f2e3d4c5b6a")


class YearScheme(Aggregate):
    """The scoring scheme the office adopts for a year; each change is an event."""

    TOPIC = "assessment.YearScheme"

    class Event(Aggregate.Event):
        TOPIC = "assessment.YearScheme.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "assessment.YearScheme.Created"

    @staticmethod
    def create_id(year: int, **_: Any) -> uuid.UUID:
        return uuid.uuid5(SCHEME_NAMESPACE, str(year))

    @event("Opened", topic="assessment.YearScheme.Opened")
    def __init__(self, year: int) -> None:
        self.year = year

    def adopt(self, *, scheme: dict[str, Any], at: datetime, by: str) -> None:
        if sum(scheme["weights"].values()) <= 0:
            raise RuleViolated("at least one indicator must carry weight", code="no_weight")
        self._adopted(scheme=scheme, adopted_at=at, adopted_by=by)

    @event("Adopted", topic="assessment.YearScheme.Adopted")
    def _adopted(self, scheme: dict[str, Any], adopted_at: datetime, adopted_by: str) -> None:
        pass
