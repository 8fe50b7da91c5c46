"""The figures a department enters for its annual report (table 2: licensing, penalties, fees)."""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

FIGURES_NAMESPACE = uuid.UUID("9d2e4f6a-1b3c-5d7e-8f90-a1b2c3d4e5f6")


class AnnualFigures(Aggregate):
    TOPIC = "catalogue.AnnualFigures"

    class Event(Aggregate.Event):
        TOPIC = "catalogue.AnnualFigures.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "catalogue.AnnualFigures.Created"

    @staticmethod
    def create_id(department: str, year: int, **_: Any) -> uuid.UUID:
        return uuid.uuid5(FIGURES_NAMESPACE, f"{department}:{year}")

    @event("Opened", topic="catalogue.AnnualFigures.Opened")
    def __init__(self, department: str, year: int) -> None:
        self.department = department
        self.year = year

    def enter(self, *, figures: dict[str, Any], by: str) -> None:
        self._entered(figures=figures, entered_by=by)

    @event("Entered", topic="catalogue.AnnualFigures.Entered")
    def _entered(self, figures: dict[str, Any], entered_by: str) -> None:
        pass
