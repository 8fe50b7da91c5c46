"""HTTP routes of the interpretation service."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response

from services.interpretation import queries
from services.interpretation.application import InterpretationApplication
from services.interpretation.schemas import (
    Awaiting,
    InterpretationCreate,
    InterpretationPage,
    InterpretationPublic,
    InterpretationWithdraw,
    Quota,
)
from shared.auth import MaybePrincipal, Principal, require, sees_inside
from shared.errors import Forbidden, NotFound
from shared.http import IdempotencyKey, IfMatch, create_once, parse_if_match, set_etag
from shared.pagination import Cursor, Limit
from shared.types import NoFields
from shared.web import DepartmentsDep, SettingsDep

router = APIRouter(prefix="/interpretation/v1", tags=["interpretations 政策解读"])

Editor = Annotated[Principal, Depends(require("editor", "head"))]
Reader = Annotated[Principal, Depends(require("editor", "head", "office", "auditor"))]


def _application(request: Request) -> InterpretationApplication:
    application: InterpretationApplication = request.app.state.application
    return application


App = Annotated[InterpretationApplication, Depends(_application)]


def _view(app: InterpretationApplication, interpretation_id: str, viewer: Principal | None) -> dict[str, Any]:
    with app.reading() as session:
        row = queries.get_interpretation(session, interpretation_id)
    if row is None or (row.status != "published" and not sees_inside(viewer, row.department)):
        raise NotFound(f"no interpretation {interpretation_id}")
    return queries.present(row, app.calendar, app.law)


@router.post("/interpretations", status_code=201, response_model=InterpretationPublic, summary="起草政策解读")
def create_interpretation(
    body: InterpretationCreate,
    app: App,
    actor: Editor,
    departments: DepartmentsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    departments.check(body.department)
    if actor.acts_for(body.department):
        app.known_policy(str(body.policy_record_id))  # follow the catalogue first, outside the write
    return create_once(
        app,
        response,
        key=idempotency_key,
        principal=actor.sub,
        body=body,
        create=lambda: str(app.draft_interpretation(actor=actor, fields=body.model_dump()).id),
        location=lambda interpretation_id: f"/interpretation/v1/interpretations/{interpretation_id}",
        read=lambda interpretation_id: _view(app, interpretation_id, actor),
    )


@router.post(
    "/interpretations/{interpretation_id}/publish",
    response_model=InterpretationPublic,
    summary="发布解读（第一解读人的解读须由负责人发布）",
)
def publish_interpretation(
    interpretation_id: UUID,
    app: App,
    actor: Editor,
    response: Response,
    _: NoFields,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    interpretation = app.publish_interpretation(
        interpretation_id, actor=actor, expected_version=parse_if_match(if_match)
    )
    set_etag(response, interpretation.version)
    return _view(app, str(interpretation_id), actor)


@router.post("/interpretations/{interpretation_id}/withdraw", response_model=InterpretationPublic, summary="撤回解读")
def withdraw_interpretation(
    interpretation_id: UUID,
    body: Annotated[InterpretationWithdraw, Body(default_factory=InterpretationWithdraw)],
    app: App,
    actor: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    interpretation = app.withdraw_interpretation(
        interpretation_id, actor=actor, expected_version=parse_if_match(if_match), reason=body.reason
    )
    set_etag(response, interpretation.version)
    return _view(app, str(interpretation_id), actor)


@router.get("/interpretations/{interpretation_id}", response_model=InterpretationPublic, summary="解读详情")
def get_interpretation(
    interpretation_id: UUID,
    app: App,
    viewer: MaybePrincipal,
    response: Response,
) -> dict[str, Any]:
    view = _view(app, str(interpretation_id), viewer)
    set_etag(response, view["version"])
    return view


@router.get("/interpretations", response_model=InterpretationPage, summary="已发布的解读（按部门、政策、年度）")
def list_interpretations(
    app: App,
    viewer: MaybePrincipal,
    settings: SettingsDep,
    department: Annotated[str | None, Query(max_length=16)] = None,
    policy_record_id: Annotated[UUID | None, Query()] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    with app.reading() as session:
        rows, next_cursor = queries.list_interpretations(
            session,
            viewer=viewer,
            department=department,
            policy_record_id=str(policy_record_id) if policy_record_id else None,
            year=year,
            limit=limit,
            cursor=cursor,
            cursor_key=settings.signing_key,
        )
    return {"items": [queries.present(r, app.calendar, app.law) for r in rows], "next_cursor": next_cursor}


@router.get("/quota/{year}", response_model=Quota, summary="第一解读人年度解读数（每部门应 ≥ 3）")
def quota(year: Annotated[int, Path(ge=2000, le=2100)], app: App, departments: DepartmentsDep) -> dict[str, Any]:
    with app.reading() as session:
        items = queries.quota(session, year=year, departments=departments.codes(), law=app.law)
    return {"year": year, "items": items}


@router.get("/awaiting", response_model=Awaiting, summary="待解读：本部门已发布、需要解读而尚无解读的政策")
def awaiting(
    department: Annotated[str, Query(max_length=16)],
    app: App,
    viewer: Reader,
    departments: DepartmentsDep,
) -> dict[str, Any]:
    departments.check(department)
    if not viewer.sees_inside(department):
        raise Forbidden(f"you act for {viewer.dept or 'no department'}, not {department}", code="other_department")
    with app.reading() as session:
        items = queries.awaiting(
            session,
            department=department,
            calendar=app.calendar,
            law=app.law,
            today=app.today(),
        )
    return {"department": department, "items": items}
