"""Request and response bodies of the catalogue service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, StringConstraints, field_validator

from shared.rules.vocabulary import AppealKind, AppealResult, ApplicantType, Outcome, WithheldReason
from shared.types import Day, DepartmentCode, Flag, Input, Line, LongText, Output, Reason, ShortLine, Uuid

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


class TimeLimitIn(Input):
    days: int = Field(ge=1, le=365, examples=[20])
    kind: Literal["working", "calendar"] = Field(default="working", description="工作日或自然日")


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
    needs_interpretation: Flag | None = Field(default=None, description="默认：法规、规范性文件、政策为 true")
    time_limit_days: TimeLimitIn | None = Field(
        default=None, description="公开时限；默认取目录事项的时限，预算、决算为 20 个自然日，其余 20 个工作日"
    )


class RecordCorrect(Input):
    title: Line | None = None
    body: LongText | None = None
    attachments: list[Attachment] | None = Field(default=None, max_length=50)
    reason: Reason


class RecordRevoke(Input):
    reason: Reason


class Deadline(Output):
    start_on: date
    kind: Literal["working", "calendar"] = Field(description="时限按工作日还是自然日计算")
    days: int
    working_days: int | None = Field(description="工作日时限的天数（自然日时限为 null）")
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


# --- catalogue items -----------------------------------------------------------------------------

Channel = Literal[
    "website",
    "gazette",
    "social_media",
    "press_conference",
    "broadcast",
    "print",
    "reading_room",
    "service_centre",
    "service_station",
    "on_site",
    "notice_board",
    "targeted_push",
    "other",
]
ItemCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


class ItemCreate(Input):
    code: ItemCode = Field(examples=["FIN-BUDGET-01"])
    name: Line = Field(examples=["部门预算"])
    area: Area
    content: LongText = Field(description="公开内容（要素）")
    basis: LongText = Field(description="公开依据")
    department: DepartmentCode
    time_limit_working_days: int | None = Field(default=None, ge=1, le=365, description="公开时限；默认 20 个工作日")
    time_limit_days: TimeLimitIn | None = Field(
        default=None, description="公开时限（天数与工作日/自然日）；优先于上一字段"
    )
    standard: LongText | None = Field(default=None, description="公开标准（社会公益事业事项必填）")
    procedure: LongText | None = Field(default=None, description="公开程序（社会公益事业事项必填）")
    channels: list[Channel] = Field(min_length=1, max_length=13)
    audience: Literal["public", "specific_groups"] = "public"
    method: Literal["proactive", "on_request"] = "proactive"
    level: Literal["city", "county", "township", "village"] = "city"


class ItemUpdate(Input):
    name: Line | None = None
    area: Area | None = None
    content: LongText | None = None
    basis: LongText | None = None
    time_limit_working_days: int | None = Field(default=None, ge=1, le=365)
    time_limit_days: TimeLimitIn | None = None
    standard: LongText | None = None
    procedure: LongText | None = None
    channels: list[Channel] | None = Field(default=None, min_length=1, max_length=13)
    audience: Literal["public", "specific_groups"] | None = None
    method: Literal["proactive", "on_request"] | None = None
    level: Literal["city", "county", "township", "village"] | None = None


class ItemRetire(Input):
    reason: Reason


class ItemPublic(Output):
    id: str
    version: int
    code: str
    name: str
    area: str
    content: str
    basis: str
    department: str
    time_limit_working_days: int
    time_limit_days: dict[str, object] = Field(description="公开时限 {days, kind}")
    standard: str | None
    procedure: str | None
    channels: list[str]
    audience: str
    method: str
    level: str
    retired: bool
    created_at: datetime
    updated_at: datetime


class ItemPage(Output):
    items: list[ItemPublic]
    next_cursor: str | None


# --- NPC suggestions and CPPCC proposals ----------------------------------------------------------


class ProposalCreate(Input):
    kind: Literal["npc_suggestion", "cppcc_proposal"]
    number: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        examples=["第0123号"], description="建议、提案编号（≤ 64 字）"
    )
    title: Line
    handler_department: DepartmentCode
    replied_on: Day
    reply_text: LongText


class ProposalPublic(Output):
    id: str
    version: int
    kind: str
    number: str
    title: str
    handler_department: str
    replied_on: date
    reply_text: str | None = Field(description="答复原文（含联系方式），仅承办部门、公开办、审计员可见")
    published_text: str | None = Field(description="公开全文（已删除联系方式）")
    published_at: datetime | None
    deadline: Deadline
    on_time: bool | None


# --- draft decisions open for comment --------------------------------------------------------------


class ConsultationCreate(Input):
    department: DepartmentCode
    title: Line
    draft: LongText
    opens_on: Day
    closes_on: Day
    shortened_reason: Reason | None = Field(default=None, description="征求意见期少于 30 日时必须说明理由")


class CommentCreate(Input):
    text: Reason = Field(
        description="意见内容（≤ 2000 字）；也接受字段名 comment、content",
        validation_alias=AliasChoices("text", "comment", "content"),
    )


class ConsultationResult(Input):
    adoption_summary: Reason = Field(description="意见采纳情况")
    decision_record_id: Uuid | None = None


class ConsultationPublic(Output):
    id: str
    version: int
    department: str
    title: str
    draft: str
    opens_on: date
    closes_on: date
    shortened_reason: str | None
    comment_count: int
    open_for_comment: bool
    adoption_summary: str | None
    decision_record_id: str | None
    created_at: datetime
    updated_at: datetime


class CommentReceipt(Output):
    consultation_id: str
    received: bool = True


# --- checking a downloaded copy (可核查) ----------------------------------------------------------------


class PublishedContent(Input):
    index_number: str
    department: str
    doc_number: str | None
    formed_on: str
    title: str
    body: str
    attachments: list[dict[str, object]]


class CopyCheck(Output):
    record_id: str
    matches: bool
    content_hash: str | None = Field(description="平台记录的规范化内容哈希")
    computed_hash: str = Field(description="所提交副本的哈希")
    algorithm: str


# --- information requests ----------------------------------------------------------------------------


class Applicant(Input):
    type: ApplicantType
    name: ShortLine
    contact: ShortLine


class RequestCreate(Input):
    department: DepartmentCode
    applicant: Applicant
    description: LongText
    channel: Literal["in_person", "post", "online", "fax"]
    received_on: Day = Field(description="收到申请之日：当面为当日；邮寄为签收日；网络、传真为双方确认之日")


class StepOn(Input):
    on: Day = Field(description="该步骤发生之日")


class ClarificationRequest(StepOn):
    note: Reason
    reply_by: Day | None = Field(default=None, description="补正期限；默认通知之日起 15 个工作日")


class ConsultationStart(StepOn):
    party: Literal["third_party", "other_agency"]


class Extension(StepOn):
    working_days: int = Field(ge=1, le=365, description="延长的工作日（≤ 20，可配置）")
    approved_by: ShortLine
    reason: Reason


class Reply(StepOn):
    outcome: Outcome
    reason: Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,64}$")] | None = Field(
        default=None,
        description="答复的法定理由代码，须与 outcome 相符（如 refused 的 state_secret、unable_to_provide 的 not_held）",
        examples=["not_held"],
    )


class Appeal(StepOn):
    kind: AppealKind
    result: AppealResult


class AppealResultIn(StepOn):
    result: AppealResult


class RequestPublic(Output):
    id: str
    version: int
    department: str
    applicant: dict[str, str] = Field(description="申请人；姓名与联系方式仅办理部门、公开办、审计员可见")
    description: str
    channel: str
    received_on: date
    query_code: str
    status: str
    clarification_requested_on: date | None
    clarification_note: str | None
    clarification_reply_by: date | None
    clarified_on: date | None
    consultations: list[dict[str, object]]
    extension_working_days: int
    extension_approved_by: str | None
    extension_reason: str | None
    replied_on: date | None
    outcome: str | None
    outcome_reason: str | None
    appeals: list[dict[str, object]] = Field(description="行政复议、诉讼及其最新结果")
    created_at: datetime
    updated_at: datetime
    due_on: date | None
    on_time: bool | None
    deadline: dict[str, object]


class RequestStatus(Output):
    query_code: str
    status: str
    received_on: date
    due_on: date | None


class OverdueRequests(Output):
    department: str
    late: list[dict[str, object]]
    due_soon: list[dict[str, object]]


class FiguresEntry(Input):
    department: DepartmentCode
    licensing: int = Field(ge=0, le=10**9, description="行政许可决定数")
    penalty: int = Field(ge=0, le=10**9, description="行政处罚决定数")
    enforcement: int = Field(ge=0, le=10**9, description="行政强制决定数")
    fees_10k_yuan: float = Field(ge=0, le=10**9, description="行政事业性收费（万元）")


class NarrativeEntry(Input):
    section: Literal["overview", "problems", "other", "一", "五", "六"] = Field(
        description="年度报告的文字部分：overview（一、总体情况）、problems（五、存在的主要问题及改进情况）、"
        "other（六、其他需要报告的事项），也可写作 一、五、六",
        examples=["overview"],
    )
    text: Annotated[LongText, StringConstraints(max_length=50_000)] = Field(
        description="该部分的正文，按换行分段", examples=["2025年，本局坚持以公开为常态、不公开为例外……"]
    )
