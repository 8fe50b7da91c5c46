"""Request and response bodies of the assessment service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from shared.rules.vocabulary import ActionKind, Indicator
from shared.types import Day, DepartmentCode, Input, Output, Reason, ShortLine

Service = Literal["catalogue", "interpretation", "opinion", "assessment"]


class Ref(Input):
    service: Service
    ref_id: ShortLine
    kind: ShortLine | None = Field(
        default=None,
        description="违规种类（见 GET /scores/{department} 的 violations）",
        examples=["unpublished_past_due"],
    )


class ActionCreate(Input):
    department: DepartmentCode
    kind: ActionKind
    reason: Reason
    refs: list[Ref | ShortLine] = Field(
        default_factory=list, max_length=50, description="相关事项：{service, ref_id} 或其编号"
    )
    rectification_due_on: Day | None = None

    def ref_list(self) -> list[dict[str, object]]:
        """Plain ids are accepted too; they become {"ref_id": id}."""
        return [
            r.model_dump() if isinstance(r, Ref) else {"service": None, "ref_id": r, "kind": None} for r in self.refs
        ]


class ActionRectified(Input):
    on: Day | None = Field(default=None, description="整改完成日，默认今天")
    note: Reason = "整改完成"


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
    url: str | None = Field(description="上游地址（仅公开办、审计员可见）")
    position: int
    upstream_head: int | None
    lag_events: int | None
    lag_seconds: float | None
    last_error: str | None = Field(description="最近一次读取失败的原因（仅公开办、审计员可见）")
    failing: bool = Field(description="最近一次读取上游是否失败")
    chain_break: dict[str, object] | None = Field(description="上游哈希链断裂的位置与原因（该来源已停止跟随）")


class Sources(Output):
    items: list[SourceStatus]


class Thresholds(Input):
    disclosure_working_days: int = Field(default=20, ge=1, le=365)
    proposal_publication_working_days: int = Field(default=20, ge=1, le=365)
    interpretation_sync_working_days: int = Field(default=3, ge=0, le=365)
    principal_interpretations_required: int = Field(default=3, ge=1, le=100)


# A weight or a deduction: a finite number of points from 0 to 1000.
Points = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]


class SchemeIn(Input):
    weights: dict[Indicator, Points] = Field(description="各指标权重（0–1000）")
    deductions: dict[ActionKind, Points] = Field(description="各问责措施的扣分（0–1000）")
    thresholds: Thresholds = Field(default_factory=Thresholds)
