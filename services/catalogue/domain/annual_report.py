"""The annual report (政府信息公开工作年度报告) as a document that is published (rule 7)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.errors import InvalidState

REPORT_NAMESPACE = uuid.UUID("3e8b1f52-7c4d-5a69-b0e2-9f1d6c3a8e47")

# The sections of the 2021 format that people write (一, 五, 六); 二-四 are tables from the events.
NARRATIVE_SECTIONS = {
    "overview": "一、总体情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
# The section numbers of the format, accepted for the same sections.
SECTION_NUMERALS = {"一": "overview", "五": "problems", "六": "other"}


class AnnualReport(Aggregate):
    """One per department and year, and one per year for the city (``department`` None)."""

    TOPIC = "catalogue.AnnualReport"

    class Event(Aggregate.Event):
        TOPIC = "catalogue.AnnualReport.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "catalogue.AnnualReport.Created"

    @staticmethod
    def create_id(department: str | None, year: int, **_: Any) -> uuid.UUID:
        return uuid.uuid5(REPORT_NAMESPACE, f"{department or '*city*'}:{year}")

    @event("Opened", topic="catalogue.AnnualReport.Opened")
    def __init__(self, department: str | None, year: int) -> None:
        self.department = department
        self.year = year
        self.published_at: datetime | None = None
        self.narrative: dict[str, str] = {}

    def publish(self, *, at: datetime, by: str) -> None:
        if self.published_at is not None:
            raise InvalidState("the report is already published", reason="already_published")
        self._published(published_at=at, published_by=by)

    @event("Published", topic="catalogue.AnnualReport.Published")
    def _published(self, published_at: datetime, published_by: str) -> None:
        self.published_at = published_at

    def write_narrative(self, *, section: str, text: str, by: str) -> None:
        """A narrative section, written (again) before publication; a published report stays as published."""
        if self.published_at is not None:
            raise InvalidState("the report is published; its text no longer changes", reason="already_published")
        if self.narrative.get(section) == text:
            return  # the same text again records nothing
        self._narrative_written(section=section, text=text, written_by=by)

    @event("NarrativeWritten", topic="catalogue.AnnualReport.NarrativeWritten")
    def _narrative_written(self, section: str, text: str, written_by: str) -> None:
        self.narrative = {**self.narrative, section: text}
