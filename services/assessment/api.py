"""HTTP routes of the assessment service."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select

from services.assessment.application import AssessmentApplication
from services.assessment.read_models import action
from services.assessment.schemas import ActionCreate, ActionPublic, ActionRectified, Sources
from shared.auth import Principal, require
from shared.errors import NotFound
from shared.http import IfMatch, created, parse_if_match, set_etag
from shared.timeutil import local_date, to_shanghai, utcnow
from shared.web import DepartmentsDep

router = APIRouter(prefix="/assessment/v1", tags=["assessment 考核与问责"])

Office = Annotated[Principal, Depends(require("office"))]
Reader = Annotated[Principal, Depends(require("office", "auditor"))]


def _application(request: Request) -> AssessmentApplication:
    application: AssessmentApplication = request.app.state.application
    return application


App = Annotated[AssessmentApplication, Depends(_application)]


def _action_view(app: AssessmentApplication, action_id: str) -> dict[str, Any]:
    with app.reading() as session:
        row = session.execute(select(action).where(action.c.id == action_id)).first()
    if row is None:
        raise NotFound(f"no action {action_id}")
    view = dict(row._mapping)
    view["created_at"], view["updated_at"] = to_shanghai(row.created_at), to_shanghai(row.updated_at)
    return view


@router.post("/actions", status_code=201, response_model=ActionPublic, summary="问责：通报批评或约谈整改（公开办）")
def issue_action(
    body: ActionCreate, app: App, actor: Office, departments: DepartmentsDep, response: Response
) -> dict[str, Any]:
    departments.check(body.department)
    fields = body.model_dump()
    issued = app.issue_action(actor=actor, issued_on=local_date(utcnow()), fields=fields)
    created(response, f"/assessment/v1/actions/{issued.id}", issued.version)
    return _action_view(app, str(issued.id))


@router.post("/actions/{action_id}/rectified", response_model=ActionPublic, summary="记录整改完成（公开办）")
def action_rectified(
    action_id: UUID, body: ActionRectified, app: App, actor: Office, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    rectified = app.rectify_action(
        action_id, actor=actor, expected_version=parse_if_match(if_match), on=body.on, note=body.note
    )
    set_etag(response, rectified.version)
    return _action_view(app, str(action_id))


@router.get("/actions/{action_id}", response_model=ActionPublic, summary="问责详情（公开办、审计员）")
def get_action(action_id: UUID, app: App, _: Reader, response: Response) -> dict[str, Any]:
    view = _action_view(app, str(action_id))
    set_etag(response, view["version"])
    return view


@router.get("/sources", response_model=Sources, summary="所跟随的事件流：位置、上游最新位置、滞后")
def sources(request: Request) -> dict[str, Any]:
    return {"items": [f.status() for f in request.app.state.followers]}
