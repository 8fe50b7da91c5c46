"""Request and response bodies of the catalogue service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from shared.types import Day, DepartmentCode, Input, Line, LongText, Output, Reason, ShortLine

Category = Literal[
    "regulation",
    "normative_document",
    "policy",
    "plan",
    "budget",
    "final_account",
    "debt",
    "project",
    "public_resource",
    "statistics",
    "announcement",
    "other",
]
Area = Literal[
    "fiscal_budget",
    "major_project",
    "public_resource",
    "public_welfare",
    "random_inspection",
    "negative_list",
    "proposal_results",
    "other",
]
Disclosure = Literal["proactive", "on_request", "withheld"]
WithheldReason = Literal[
    "state_secret",
    "prohibited_by_law",
    "three_securities_one_stability",
    "third_party_rights",
    "internal_affairs",
    "process_information",
    "enforcement_file",
    "administrative_query",
]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
MediaType = Annotated[str, StringConstraints(pattern=r"^[a-z]+/[a-z0-9.+-]{1,100}$")]


class Attachment(Input):
    name: ShortLine = Field(description="附件文件名（不含路径）")
    sha256: Sha256
    media_type: MediaType
    size: int = Field(ge=0, le=2 * 1024**3)

    @field_validator("name")
    @classmethod
    def _plain_file_name(cls, value: str) -> str:
        if "/" in value or "\\" in value or value in (".", "..") or value.startswith("."):
            raise ValueError("an attachment name is a plain file name, without a path")
        return value


class RecordCreate(Input):
    department: DepartmentCode = Field(examples=["FIN"])
    title: Line = Field(examples=["关于2026年市级财政预算公开的通知"])
    category: Category
    area: Area = "other"
    item_code: ShortLine | None = None
    doc_number: ShortLine | None = Field(default=None, examples=["某财发〔2026〕1号"])
    formed_on: Day = Field(description="信息形成（变更）日期", examples=["2026-03-02"])
    body: LongText = ""
    attachments: list[Attachment] = Field(default_factory=list, max_length=50)
    disclosure: Disclosure = "proactive"
    withheld_reason: WithheldReason | None = None
    needs_interpretation: bool | None = Field(default=None, description="默认：法规、规范性文件、政策为 true")


class RecordCorrect(Input):
    title: Line | None = None
    body: LongText | None = None
    attachments: list[Attachment] | None = Field(default=None, max_length=50)
    reason: Reason


class RecordRevoke(Input):
    reason: Reason


class Deadline(Output):
    start_on: date
    working_days: int
    due_on: date
    calendar_provisional: bool


class RecordPublic(Output):
    id: str
    version: int
    department: str
    index_number: str
    title: str
    category: str
    area: str
    item_code: str | None
    doc_number: str | None
    formed_on: date
    body: str
    attachments: list[dict[str, object]]
    disclosure: str
    withheld_reason: str | None
    needs_interpretation: bool
    status: str
    created_at: datetime
    published_at: datetime | None
    updated_at: datetime
    due_on: date
    on_time: bool | None
    deadline: Deadline
    content_hash: str | None = Field(description="规范化公开内容的哈希（SM3 默认），用于核对下载副本")


class RecordVersionPublic(Output):
    version: int
    change: str
    changed_fields: list[str]
    reason: str | None
    actor: str
    at: datetime
    title: str
    body: str
    attachments: list[dict[str, object]]


class RecordPage(Output):
    items: list[RecordPublic]
    next_cursor: str | None


class HistoryPage(Output):
    items: list[RecordVersionPublic]
