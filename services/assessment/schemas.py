"""Request and response bodies of the assessment service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from shared.types import Day, DepartmentCode, Input, Output, Reason, ShortLine

ActionKind = Literal["circulated_criticism", "rectification_interview"]
Service = Literal["catalogue", "interpretation", "opinion", "assessment"]


class Ref(Input):
    service: Service
    ref_id: ShortLine
    kind: ShortLine | None = None


class ActionCreate(Input):
    department: DepartmentCode
    kind: ActionKind
    reason: Reason
    refs: list[Ref] = Field(default_factory=list, max_length=50)
    rectification_due_on: Day | None = None


class ActionRectified(Input):
    on: Day
    note: Reason


class ActionPublic(Output):
    id: str
    version: int
    department: str
    kind: str
    reason: str
    refs: list[dict[str, object]]
    issued_on: date
    rectification_due_on: date | None
    rectified_on: date | None
    rectification_note: str | None
    created_at: datetime
    updated_at: datetime


class SourceStatus(Output):
    upstream: str
    url: str
    position: int
    upstream_head: int | None
    lag_events: int | None
    lag_seconds: float | None
    last_error: str | None


class Sources(Output):
    items: list[SourceStatus]
