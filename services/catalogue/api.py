"""HTTP routes of the catalogue service: parse, authorise, call the application, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from services.catalogue import queries
from services.catalogue.application import CatalogueApplication
from services.catalogue.domain import INTERPRETED_BY_DEFAULT
from services.catalogue.schemas import (
    Area,
    Category,
    HistoryPage,
    RecordCorrect,
    RecordCreate,
    RecordPage,
    RecordPublic,
    RecordRevoke,
)
from shared.auth import MaybePrincipal, Principal, require
from shared.errors import NotFound
from shared.http import IfMatch, created, parse_if_match, set_etag
from shared.types import Day
from shared.web import CalendarDep, DepartmentsDep, SettingsDep

router = APIRouter(prefix="/catalogue/v1", tags=["records 政府信息"])

Editor = Annotated[Principal, Depends(require("editor", "head"))]
Reviser = Annotated[Principal, Depends(require("editor", "head", "office"))]
Limit = Annotated[int, Query(ge=1, le=200, description="每页条数（≤ 200）")]
Cursor = Annotated[str | None, Query(max_length=512, description="上一页返回的 next_cursor")]


def _application(request: Request) -> CatalogueApplication:
    application: CatalogueApplication = request.app.state.application
    return application


App = Annotated[CatalogueApplication, Depends(_application)]


def _context(calendar: CalendarDep, settings: SettingsDep) -> queries.RecordContext:
    return queries.RecordContext(calendar, settings.disclosure_working_days, settings.hash_algorithm)


Context = Annotated[queries.RecordContext, Depends(_context)]


def _record_view(
    app: CatalogueApplication, ctx: queries.RecordContext, record_id: str, viewer: Principal | None
) -> dict[str, Any]:
    with app.reading() as session:
        row = queries.get_record(session, record_id)
    if row is None or (row.status == "draft" and not queries.may_see_unpublished(viewer, row.department)):
        raise NotFound(f"no record {record_id}")
    return queries.present(row, ctx)


@router.post("/records", status_code=201, response_model=RecordPublic, summary="起草政府信息（本部门编辑）")
def create_record(
    body: RecordCreate, app: App, ctx: Context, actor: Editor, departments: DepartmentsDep, response: Response
) -> dict[str, Any]:
    departments.check(body.department)
    fields = body.model_dump()
    fields["attachments"] = [a.model_dump() for a in body.attachments]
    if fields["needs_interpretation"] is None:
        fields["needs_interpretation"] = body.category in INTERPRETED_BY_DEFAULT
    record = app.draft_record(actor=actor, fields=fields)
    created(response, f"/catalogue/v1/records/{record.id}", record.version)
    return _record_view(app, ctx, str(record.id), actor)


@router.post("/records/{record_id}/publish", response_model=RecordPublic, summary="发布（本部门编辑、负责人）")
def publish_record(
    record_id: UUID, app: App, ctx: Context, actor: Editor, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    record = app.publish_record(record_id, actor=actor, expected_version=parse_if_match(if_match))
    set_etag(response, record.version)
    return _record_view(app, ctx, str(record_id), actor)


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
    return _record_view(app, ctx, str(record_id), actor)


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
    return _record_view(app, ctx, str(record_id), actor)


@router.get("/records/{record_id}", response_model=RecordPublic, summary="政府信息详情（已发布者公开）")
def get_record(record_id: UUID, app: App, ctx: Context, viewer: MaybePrincipal, response: Response) -> dict[str, Any]:
    view = _record_view(app, ctx, str(record_id), viewer)
    set_etag(response, view["version"])
    return view


@router.get("/records/{record_id}/history", response_model=HistoryPage, summary="全部版本及变更原因")
def record_history(record_id: UUID, app: App, ctx: Context, viewer: MaybePrincipal) -> dict[str, Any]:
    _record_view(app, ctx, str(record_id), viewer)  # 404 unless the caller may see the record
    with app.reading() as session:
        return {"items": [row._mapping for row in queries.history(session, str(record_id))]}


@router.get("/records", response_model=RecordPage, summary="政府信息列表（公众看已发布；编辑另见本部门草稿）")
def list_records(
    app: App,
    ctx: Context,
    viewer: MaybePrincipal,
    settings: SettingsDep,
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
        rows, next_cursor = queries.list_records(
            session, viewer=viewer, filters=filters, limit=limit, cursor=cursor, cursor_key=settings.signing_key
        )
    return {"items": [queries.present(row, ctx) for row in rows], "next_cursor": next_cursor}
