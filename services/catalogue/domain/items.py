"""Catalogue items (主动公开基本目录事项): what a department must disclose, how and how fast."""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidState

ITEM_NAMESPACE = uuid.UUID("6f1c8a2e-3b7d-5e9f-a1c4-2d8e6b0f9a13")
CHANGEABLE = (
    "name",
    "area",
    "content",
    "basis",
    "time_limit_working_days",
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

    @event("Registered", topic="catalogue.CatalogueItem.Registered")
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
    ) -> None:
        self.code = code
        self.department = department
        self.fields: dict[str, Any] = {
            "name": name,
            "area": area,
            "content": content,
            "basis": basis,
            "time_limit_working_days": time_limit_working_days,
            "channels": list(channels),
            "audience": audience,
            "method": method,
            "level": level,
        }
        self.retired = False

    @property
    def time_limit_working_days(self) -> int:
        return int(self.fields["time_limit_working_days"])

    def update(self, *, changes: dict[str, Any], by: str) -> None:
        if self.retired:
            raise InvalidState("a retired item is not changed")
        changed = {k: v for k, v in changes.items() if k in CHANGEABLE and self.fields.get(k) != v}
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
