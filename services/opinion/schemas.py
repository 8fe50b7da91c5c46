"""Request and response bodies of the opinion service."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.rules.time import Status
from shared.rules.vocabulary import ResponseKind, Severity
from shared.types import DepartmentCode, Flag, Input, Line, LongText, Moment, Output, Reason, ShortLine

Source = Literal["monitoring", "provincial", "hotline_12345", "media", "petition", "other"]
Topic = Literal[
    "education", "medical", "housing", "work_safety", "disaster", "food_drug", "elderly", "policy_misreading", "other"
]


class IncidentCreate(Input):
    title: Line = Field(examples=["某小区学校划片调整引发家长关注"])
    summary: LongText = ""
    source: Source
    external_id: ShortLine | None = None
    detected_at: Moment = Field(examples=["2026-03-02T09:30:00+08:00"])
    topic: Topic
    severity: Severity
    emergency: Flag = False
    lead_department: DepartmentCode | None = None
    cooperating_departments: list[DepartmentCode] = Field(default_factory=list, max_length=30)


class AlertCreate(IncidentCreate):
    """A provincial platform's push: the same fields, and ``external_id`` is required (idempotency)."""

    external_id: ShortLine


class WarningCreate(Input):
    level: Literal["blue", "yellow", "orange", "red"] = Field(default="yellow", description="预警级别")
    note: Reason = "预警"


class AssessmentCreate(Input):
    severity: Severity | None = Field(default=None, description="不填则保持原定级")
    emergency: Flag | None = None
    note: Reason = "研判"


class AssignmentCreate(Input):
    lead_department: DepartmentCode
    cooperating_departments: list[DepartmentCode] = Field(default_factory=list, max_length=30)


class CloseCreate(Input):
    note: Reason = "处置完毕"


class EvaluationCreate(Input):
    rating: Literal["effective", "partial", "ineffective"]
    findings: list[Literal["slow_handling", "improper_response", "late_report"]] = Field(
        default_factory=list, max_length=3
    )
    note: Reason = "效果评估"


class Explains(Input):
    cause: Reason | None = None
    solution: Reason | None = None
    constraints: Reason | None = None


class ResponseCreate(Input):
    kind: ResponseKind
    at: Moment
    channel: ShortLine
    summary: LongText
    explains: Explains = Field(default_factory=Explains)


class DeadlineOut(Output):
    kind: str
    due_at: datetime
    met_at: datetime | None
    status: Status


class ResponseOut(Output):
    version: int
    kind: str
    at: datetime
    channel: str
    summary: str
    explains: dict[str, str | None]
    incomplete_explanation: bool
    department: str


class IncidentPublic(Output):
    id: str
    version: int
    title: str
    summary: str
    source: str
    external_id: str | None
    detected_at: datetime
    topic: str
    severity: str
    emergency: Flag
    lead_department: str | None
    cooperating_departments: list[str]
    status: str
    warning_level: str | None
    rating: str | None
    findings: list[str] | None
    created_at: datetime
    updated_at: datetime
    deadlines: list[DeadlineOut]
    responses: list[ResponseOut]
    incomplete_explanation: bool


class IncidentPage(Output):
    items: list[IncidentPublic]
    next_cursor: str | None


class PublicResponse(Output):
    kind: str
    at: datetime
    channel: str
    summary: str


class IncidentPublicSummary(Output):
    """What anyone may see once a response is published: the incident's title and the responses."""

    id: str
    title: str
    topic: str
    public_summary: list[PublicResponse]
