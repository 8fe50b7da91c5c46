"""HTTP routes of the opinion service."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from services.opinion import queries
from services.opinion.application import OpinionApplication
from services.opinion.domain import DeadlineHours
from services.opinion.schemas import IncidentCreate, IncidentPage, IncidentPublic, ResponseCreate, Severity
from shared.auth import Principal, require
from shared.http import IfMatch, created, parse_if_match, set_etag
from shared.settings import Settings
from shared.timeutil import utcnow
from shared.web import DepartmentsDep, SettingsDep

router = APIRouter(prefix="/opinion/v1", tags=["incidents 舆情事件"])

Reporter = Annotated[Principal, Depends(require("editor", "office"))]
Responder = Annotated[Principal, Depends(require("editor", "head"))]
Viewer = Annotated[Principal, Depends(require("editor", "head", "office", "auditor"))]


def _application(request: Request) -> OpinionApplication:
    application: OpinionApplication = request.app.state.application
    return application


App = Annotated[OpinionApplication, Depends(_application)]


def hours_of(settings: Settings) -> DeadlineHours:
    return DeadlineHours(settings.emergency_release_hours, settings.press_conference_hours, settings.response_hours)


def _view(app: OpinionApplication, settings: Settings, incident_id: str) -> dict[str, Any]:
    with app.reading() as session:
        row = queries.get_incident(session, incident_id)
        assert row is not None  # the caller has just loaded or saved it
        return queries.present(session, row, hours_of(settings), utcnow())


@router.post("/incidents", status_code=201, response_model=IncidentPublic, summary="登记舆情事件（部门编辑、公开办）")
def report_incident(
    body: IncidentCreate,
    app: App,
    actor: Reporter,
    departments: DepartmentsDep,
    settings: SettingsDep,
    response: Response,
) -> dict[str, Any]:
    for code in filter(None, [body.lead_department, *body.cooperating_departments]):
        departments.check(code)
    incident = app.report_incident(actor=actor, fields=body.model_dump())
    created(response, f"/opinion/v1/incidents/{incident.id}", incident.version)
    return _view(app, settings, str(incident.id))


@router.post("/incidents/{incident_id}/responses", response_model=IncidentPublic, summary="回应（牵头或配合部门）")
def record_response(
    incident_id: UUID,
    body: ResponseCreate,
    app: App,
    actor: Responder,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    incident = app.record_response(
        incident_id,
        actor=actor,
        expected_version=parse_if_match(if_match),
        kind=body.kind,
        at=body.at,
        channel=body.channel,
        summary=body.summary,
        explains={k: v for k, v in body.explains.model_dump().items() if v is not None},
    )
    set_etag(response, incident.version)
    return _view(app, settings, str(incident_id))


@router.get("/incidents/{incident_id}", response_model=IncidentPublic, summary="事件详情与回应时限（公开办、相关部门）")
def get_incident(
    incident_id: UUID, app: App, viewer: Viewer, settings: SettingsDep, response: Response
) -> dict[str, Any]:
    incident = app.visible_incident(incident_id, viewer)
    set_etag(response, incident.version)
    return _view(app, settings, str(incident_id))


@router.get("/incidents", response_model=IncidentPage, summary="事件列表（公开办看全部，部门看相关）")
def list_incidents(
    app: App,
    viewer: Viewer,
    settings: SettingsDep,
    department: Annotated[str | None, Query(max_length=16)] = None,
    severity: Severity | None = None,
    status: Annotated[str | None, Query(pattern="^(open|closed|evaluated)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> dict[str, Any]:
    with app.reading() as session:
        rows, next_cursor = queries.list_incidents(
            session,
            viewer=viewer,
            department=department,
            severity=severity,
            status=status,
            limit=limit,
            cursor=cursor,
            cursor_key=settings.signing_key,
        )
        now = utcnow()
        return {
            "items": [queries.present(session, r, hours_of(settings), now) for r in rows],
            "next_cursor": next_cursor,
        }
