"""Disclosure records: draft, publish, correct, revoke; read, search, export, check a copy."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from services.catalogue import queries
from services.catalogue.api.deps import App, Context, Editor, Reviser
from services.catalogue.application import CatalogueApplication
from services.catalogue.domain import INTERPRETED_BY_DEFAULT
from services.catalogue.schemas import (
    Area,
    Category,
    CopyCheck,
    HistoryPage,
    PublishedContent,
    RecordCorrect,
    RecordCreate,
    RecordPage,
    RecordPublic,
    RecordRevoke,
)
from shared.auth import MaybePrincipal, Principal, sees_inside
from shared.clientaddr import client_address
from shared.errors import NotFound
from shared.export import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, ExportGate, documented_content, table_response
from shared.http import IdempotencyKey, IfMatch, create_once, parse_if_match, set_etag
from shared.pagination import Cursor, Limit
from shared.ratelimit import RateLimiter
from shared.settings import Settings
from shared.timeutil import to_shanghai
from shared.types import Day, NoFields
from shared.web import DepartmentsDep, SettingsDep

router = APIRouter(prefix="/catalogue/v1", tags=["records 政府信息"])

EXPORT_COLUMNS = (
    ("index_number", "索引号"),
    ("department", "发布机构"),
    ("title", "标题"),
    ("doc_number", "文号"),
    ("category", "类别"),
    ("area", "重点领域"),
    ("formed_on", "生成日期"),
    ("published_at", "发布时间"),
    ("status", "状态"),
    ("content_hash", "内容哈希"),
)


def record_view(
    app: CatalogueApplication, ctx: queries.RecordContext, record_id: str, viewer: Principal | None
) -> dict[str, Any]:
    with app.reading() as session:
        row = queries.get_record(session, record_id)
    if row is None or (row.status == "draft" and not sees_inside(viewer, row.department)):
        raise NotFound(f"no record {record_id}")
    return queries.present(row, ctx)


@router.post("/records", status_code=201, response_model=RecordPublic, summary="起草政府信息（本部门编辑）")
def create_record(
    body: RecordCreate,
    app: App,
    ctx: Context,
    actor: Editor,
    departments: DepartmentsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    departments.check(body.department)
    fields = body.model_dump()
    fields["time_limit"] = fields.pop("time_limit_days")
    if fields["needs_interpretation"] is None:
        fields["needs_interpretation"] = body.category in INTERPRETED_BY_DEFAULT
    return create_once(
        app,
        response,
        key=idempotency_key,
        principal=actor.sub,
        body=body,
        create=lambda: str(app.draft_record(actor=actor, fields=fields).id),
        location=lambda record_id: f"/catalogue/v1/records/{record_id}",
        read=lambda record_id: record_view(app, ctx, record_id, actor),
    )


@router.post("/records/{record_id}/publish", response_model=RecordPublic, summary="发布（本部门编辑、负责人）")
def publish_record(
    record_id: UUID,
    app: App,
    ctx: Context,
    actor: Editor,
    response: Response,
    _: NoFields,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    record = app.publish_record(record_id, actor=actor, expected_version=parse_if_match(if_match))
    set_etag(response, record.version)
    return record_view(app, ctx, str(record_id), actor)


@router.post("/records/{record_id}/correct", response_model=RecordPublic, summary="更正已发布信息（保留历史）")
def correct_record(
    record_id: UUID,
    body: RecordCorrect,
    app: App,
    ctx: Context,
    actor: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    attachments = None if body.attachments is None else [a.model_dump() for a in body.attachments]
    record = app.correct_record(
        record_id,
        actor=actor,
        expected_version=parse_if_match(if_match),
        title=body.title,
        body=body.body,
        attachments=attachments,
        reason=body.reason,
    )
    set_etag(response, record.version)
    return record_view(app, ctx, str(record_id), actor)


@router.post("/records/{record_id}/revoke", response_model=RecordPublic, summary="撤销（仍可查阅，状态为已撤销）")
def revoke_record(
    record_id: UUID,
    body: RecordRevoke,
    app: App,
    ctx: Context,
    actor: Reviser,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    record = app.revoke_record(record_id, actor=actor, expected_version=parse_if_match(if_match), reason=body.reason)
    set_etag(response, record.version)
    return record_view(app, ctx, str(record_id), actor)


@router.get(
    "/records/export",
    summary="已发布政府信息目录下载（CSV 含 BOM / XLSX），筛选条件同列表",
    response_class=Response,
    responses=documented_content(CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, description="按 format：CSV（UTF-8 含 BOM）或 XLSX"),
)
def export_records(
    request: Request,
    app: App,
    ctx: Context,
    settings: SettingsDep,
    format: Literal["csv", "xlsx"] = "csv",
    department: Annotated[str | None, Query(max_length=16)] = None,
    area: Area | None = None,
    category: Category | None = None,
    published_from: Annotated[Day | None, Query()] = None,
    published_to: Annotated[Day | None, Query()] = None,
) -> Response:
    filters = queries.RecordFilter(department, area, category, published_from, published_to)
    _export_limit(request, settings)
    header = [label for _, label in EXPORT_COLUMNS]
    with _export_gate(request, settings).slot(), app.reading() as session:
        rows = queries.published_for_export(session, filters, settings.export_max_rows)
        table = ([_export_value(v[key]) for key, _ in EXPORT_COLUMNS] for v in (queries.present(r, ctx) for r in rows))
        return table_response(format, header, table, "政府信息公开目录", "records")


def _export_gate(request: Request, settings: Settings) -> ExportGate:
    gate: ExportGate | None = getattr(request.app.state, "export_gate", None)
    if gate is None:
        gate = request.app.state.export_gate = ExportGate(settings.export_max_concurrent)
    return gate


def _export_limit(request: Request, settings: Settings) -> None:
    """Anonymous and heavy: a few per client address per minute."""
    limiter: RateLimiter | None = getattr(request.app.state, "export_limiter", None)
    if limiter is None:
        limiter = request.app.state.export_limiter = RateLimiter(settings.export_per_minute, 60)
    limiter.hit(client_address(request, settings.trusted_proxies))


def _export_value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


@router.get("/records/{record_id}", response_model=RecordPublic, summary="政府信息详情（已发布者公开）")
def get_record(record_id: UUID, app: App, ctx: Context, viewer: MaybePrincipal, response: Response) -> dict[str, Any]:
    view = record_view(app, ctx, str(record_id), viewer)
    set_etag(response, view["version"])
    return view


@router.get("/records/{record_id}/history", response_model=HistoryPage, summary="全部版本及变更原因")
def record_history(record_id: UUID, app: App, ctx: Context, viewer: MaybePrincipal) -> dict[str, Any]:
    record_view(app, ctx, str(record_id), viewer)  # 404 unless the caller may see the record
    with app.reading() as session:
        rows = queries.history(session, str(record_id))
    return {"items": [{**row._mapping, "at": to_shanghai(row.at)} for row in rows]}


@router.get(
    "/records/{record_id}/content",
    response_model=PublishedContent,
    summary="规范化公开内容（content_hash 所覆盖的内容），用于核对",
)
def record_content(record_id: UUID, app: App, ctx: Context, viewer: MaybePrincipal) -> dict[str, Any]:
    view = record_view(app, ctx, str(record_id), viewer)
    return queries.published_content(view)


@router.post(
    "/records/{record_id}/check-copy",
    response_model=CopyCheck,
    summary="核对下载副本：提交副本内容，返回是否与平台记录一致（可核查）",
)
def check_copy(
    record_id: UUID, body: PublishedContent, app: App, ctx: Context, viewer: MaybePrincipal
) -> dict[str, Any]:
    view = record_view(app, ctx, str(record_id), viewer)
    computed = queries.content_hash(ctx.hash_algorithm, body.model_dump())
    return {
        "record_id": str(record_id),
        "matches": computed == view["content_hash"],
        "content_hash": view["content_hash"],
        "computed_hash": computed,
        "algorithm": ctx.hash_algorithm,
    }


@router.get("/records", response_model=RecordPage, summary="政府信息列表与全文检索（公众看已发布；编辑另见本部门草稿）")
def list_records(
    app: App,
    ctx: Context,
    viewer: MaybePrincipal,
    settings: SettingsDep,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="全文检索（结巴分词），标题、文号、正文；匹配结果由新到旧分段（每段 OPENNESS_SEARCH_RANK_TRANCHE 条，默认 2000），段内按相关度排序",
        ),
    ] = None,
    department: Annotated[str | None, Query(max_length=16)] = None,
    area: Area | None = None,
    category: Category | None = None,
    published_from: Annotated[Day | None, Query()] = None,
    published_to: Annotated[Day | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    filters = queries.RecordFilter(department, area, category, published_from, published_to)
    with app.reading() as session:
        if q is not None:
            rows, next_cursor = queries.search_records(
                session,
                q=q,
                viewer=viewer,
                filters=filters,
                limit=limit,
                cursor=cursor,
                cursor_key=settings.signing_key,
                tranche=settings.search_rank_tranche,
            )
        else:
            rows, next_cursor = queries.list_records(
                session, viewer=viewer, filters=filters, limit=limit, cursor=cursor, cursor_key=settings.signing_key
            )
    return {"items": [queries.present(row, ctx) for row in rows], "next_cursor": next_cursor}
