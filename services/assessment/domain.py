"""Accountability actions (通报批评, 约谈整改) and their rectification.

Imports only the standard library, ``eventsourcing.domain`` and ``shared.errors``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidState, RuleViolated


class Action(Aggregate):
    TOPIC = "assessment.Action"

    class Event(Aggregate.Event):
        TOPIC = "assessment.Action.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "assessment.Action.Created"

    @event("Issued", topic="assessment.Action.Issued")
    def __init__(
        self,
        department: str,
        kind: str,
        reason: str,
        refs: list[dict[str, Any]],
        issued_on: date,
        rectification_due_on: date | None,
        issued_by: str,
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
