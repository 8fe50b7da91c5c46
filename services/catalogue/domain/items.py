"""Catalogue items (主动公开基本目录事项): what a department must disclose, how and how fast."""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidState
from shared.rules.disclosure import check_item_elements
from shared.rules.time import TimeLimit

ITEM_NAMESPACE = uuid.UUID("6f1c8a2e-3b7d-5e9f-a1c4-2d8e6b0f9a13")
CHANGEABLE = (
    "name",
    "area",
    "content",
    "basis",
    "time_limit_working_days",
    "time_limit_kind",
    "standard",
    "procedure",
    "channels",
    "audience",
    "method",
    "level",
)


class CatalogueItem(Aggregate):
    TOPIC = "catalogue.CatalogueItem"

    class Event(Aggregate.Event):
        TOPIC = "catalogue.CatalogueItem.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "catalogue.CatalogueItem.Created"

    @staticmethod
    def create_id(code: str, **_: Any) -> uuid.UUID:
        """The item's code is its natural key: the id follows from it, so no lookup table is needed."""
        return uuid.uuid5(ITEM_NAMESPACE, code)

    class Registered(Created):
        """v2 added ``time_limit_kind`` (working or calendar days), ``standard`` (公开标准) and
        ``procedure`` (公开程序)."""

        TOPIC = "catalogue.CatalogueItem.Registered"
        class_version = 2
        code: str
        name: str
        area: str
        content: str
        basis: str
        department: str
        time_limit_working_days: int
        time_limit_kind: str
        standard: str | None
        procedure: str | None
        channels: list[str]
        audience: str
        method: str
        level: str
        registered_by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(time_limit_kind="working", standard=None, procedure=None)

    @classmethod
    def register(cls, **fields: Any) -> CatalogueItem:
        check_item_elements(fields["area"], fields)
        return cls(**fields)

    @event(Registered)
    def __init__(
        self,
        code: str,
        name: str,
        area: str,
        content: str,
        basis: str,
        department: str,
        time_limit_working_days: int,
        channels: list[str],
        audience: str,
        method: str,
        level: str,
        registered_by: str,
        time_limit_kind: str = "working",
        standard: str | None = None,
        procedure: str | None = None,
    ) -> None:
        self.code = code
        self.department = department
        self.fields: dict[str, Any] = {
            "name": name,
            "area": area,
            "content": content,
            "basis": basis,
            "time_limit_working_days": time_limit_working_days,
            "time_limit_kind": time_limit_kind,
            "standard": standard,
            "procedure": procedure,
            "channels": list(channels),
            "audience": audience,
            "method": method,
            "level": level,
        }
        self.retired = False

    @property
    def time_limit(self) -> dict[str, Any]:
        """The item's 公开时限 as recorded on the records drafted under it."""
        return TimeLimit(int(self.fields["time_limit_working_days"]), self.fields["time_limit_kind"]).as_dict()

    def update(self, *, changes: dict[str, Any], by: str) -> None:
        if self.retired:
            raise InvalidState("a retired item is not changed")
        changed = {k: v for k, v in changes.items() if k in CHANGEABLE and self.fields.get(k) != v}
        after = {**self.fields, **changed}
        check_item_elements(after["area"], after)
        if changed:
            self._updated(changes=changed, updated_by=by)

    @event("Updated", topic="catalogue.CatalogueItem.Updated")
    def _updated(self, changes: dict[str, Any], updated_by: str) -> None:
        self.fields.update(changes)

    def retire(self, *, reason: str, by: str) -> None:
        if self.retired:
            raise InvalidState("the item is already retired")
        self._retired(reason=reason, retired_by=by)

    @event("Retired", topic="catalogue.CatalogueItem.Retired")
    def _retired(self, reason: str, retired_by: str) -> None:
        self.retired = True
