"""Request and response bodies of the interpretation service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from shared.types import DepartmentCode, Flag, Input, Line, LongText, Output, Reason, ShortLine, Uuid

Form = Literal[
    "text", "graphic", "video", "animation", "press_conference", "briefing", "interview", "article", "online_qa"
]
MediaUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]{1,2000}$")]


class Interpreter(Input):
    name: ShortLine = Field(description="解读人姓名", examples=["李华"])
    position: ShortLine = Field(description="解读人职务", examples=["市财政局局长"])
    principal: Flag = Field(default=False, description="是否为主要负责人解读（每年配额计此项）")


class InterpretationCreate(Input):
    department: DepartmentCode
    policy_record_id: Uuid
    title: Line
    form: Form
    interpreter: Interpreter
    body: LongText | None = None
    media_url: MediaUrl | None = None

    @model_validator(mode="after")
    def _has_content(self) -> InterpretationCreate:
        if not self.body and not self.media_url:
            raise ValueError("an interpretation has a body or a media_url")
        return self


class InterpretationWithdraw(Input):
    reason: Reason = "撤回"


class InterpretationPublic(Output):
    id: str
    version: int
    department: str
    policy_record_id: str
    title: str
    form: str
    interpreter: dict[str, object]
    principal: bool
    body: str | None
    media_url: str | None
    status: str
    created_at: datetime
    published_at: datetime | None
    updated_at: datetime
    policy_published_at: datetime | None = Field(description="所解读政策的发布时间")
    lag_working_days: int | None = Field(description="政策发布后第几个工作日发布解读（同步或提前为 0）")
    in_sync: bool | None


class InterpretationPage(Output):
    items: list[InterpretationPublic]
    next_cursor: str | None


class QuotaLine(Output):
    department: str
    principal_published: int = Field(description="本年度第一解读人发布的解读数")
    required: int
    met: bool


class Quota(Output):
    year: int
    items: list[QuotaLine]


class AwaitingPolicy(Output):
    policy_record_id: str
    title: str
    category: str
    published_at: datetime
    due_on: date
    calendar_provisional: bool
    working_days_left: int
    overdue_working_days: int


class Awaiting(Output):
    department: str
    items: list[AwaitingPolicy]
