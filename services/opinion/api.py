"""HTTP routes of the opinion service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from services.opinion import queries
from services.opinion.application import OpinionApplication
from services.opinion.domain import Incident
from services.opinion.schemas import (
    AlertCreate,
    AssessmentCreate,
    AssignmentCreate,
    CloseCreate,
    EvaluationCreate,
    IncidentCreate,
    IncidentPage,
    IncidentPublic,
    IncidentPublicSummary,
    ResponseCreate,
    WarningCreate,
)
from shared.auth import MaybePrincipal, Principal, require
from shared.departments import Departments
from shared.errors import NotFound
from shared.http import IdempotencyKey, IfMatch, create_once, created, parse_if_match, set_etag
from shared.rules.vocabulary import Severity
from shared.web import DepartmentsDep, SettingsDep

router = APIRouter(prefix="/opinion/v1", tags=["incidents 舆情事件"])

Reporter = Annotated[Principal, Depends(require("editor", "office"))]
Handler = Annotated[Principal, Depends(require("editor", "head", "office"))]
Responder = Annotated[Principal, Depends(require("editor", "head"))]
Office = Annotated[Principal, Depends(require("office"))]
Platform = Annotated[Principal, Depends(require("platform"))]
Viewer = Annotated[Principal, Depends(require("editor", "head", "office", "auditor"))]
OVERDUE_SCAN_LIMIT = 5000


def _application(request: Request) -> OpinionApplication:
    application: OpinionApplication = request.app.state.application
    return application


App = Annotated[OpinionApplication, Depends(_application)]


def _view(app: OpinionApplication, incident_id: str) -> dict[str, Any]:
    with app.reading() as session:
        row = queries.get_incident(session, incident_id)
        assert row is not None  # the caller has just loaded or saved it
        return queries.present(session, row, app.law, app.clock())


def _check_departments(departments: Departments, *codes: str | None) -> None:
    for code in codes:
        if code:
            departments.check(code)


@router.post("/incidents", status_code=201, response_model=IncidentPublic, summary="登记舆情事件（部门编辑、公开办）")
def report_incident(
    body: IncidentCreate,
    app: App,
    actor: Reporter,
    departments: DepartmentsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    _check_departments(departments, body.lead_department, *body.cooperating_departments)
    return create_once(
        app,
        response,
        key=idempotency_key,
        principal=actor.sub,
        body=body,
        create=lambda: str(app.report_incident(actor=actor, fields=body.model_dump()).id),
        location=lambda incident_id: f"/opinion/v1/incidents/{incident_id}",
        read=lambda incident_id: _view(app, incident_id),
    )


@router.post(
    "/alerts",
    status_code=201,
    response_model=IncidentPublic,
    responses={200: {"description": "重复推送：返回已有事件，不重复记录"}},
    summary="省级平台推送舆情（按 source + external_id 幂等）",
)
def receive_alert(
    body: AlertCreate, app: App, actor: Platform, departments: DepartmentsDep, response: Response
) -> dict[str, Any]:
    _check_departments(departments, body.lead_department, *body.cooperating_departments)
    incident, is_new = app.receive_alert(actor=actor, fields=body.model_dump())
    if is_new:
        created(response, f"/opinion/v1/incidents/{incident.id}", incident.version)
    else:
        response.status_code = 200
        response.headers["Location"] = f"/opinion/v1/incidents/{incident.id}"
        set_etag(response, incident.version)
    return _view(app, str(incident.id))


Act = Callable[[Request, OpinionApplication, UUID, Principal, int | None, Any], Incident]


def _command_route(
    verb: str, body_type: type[Any], who: Any, summary: str, act: Act, optional_body: bool = False
) -> None:
    """Register ``POST /incidents/{id}/<verb>``: parse, authorise, act, answer with the incident."""

    def command(
        incident_id: UUID,
        body: Any,
        request: Request,
        app: App,
        actor: Any,
        response: Response,
        if_match: IfMatch = None,
    ) -> dict[str, Any]:
        incident = act(request, app, incident_id, actor, parse_if_match(if_match), body)
        set_etag(response, incident.version)
        return _view(app, str(incident.id))

    body_annotation: Any = Annotated[body_type, Body(default_factory=body_type)] if optional_body else body_type
    command.__annotations__.update(body=body_annotation, actor=who)
    command.__name__ = f"incident_{verb}"
    router.post(f"/incidents/{{incident_id}}/{verb}", response_model=IncidentPublic, summary=summary)(command)


def _assign(
    request: Request, app: OpinionApplication, iid: UUID, actor: Principal, version: int | None, body: Any
) -> Incident:
    _check_departments(request.app.state.departments, body.lead_department, *body.cooperating_departments)
    return app.assign(iid, actor=actor, expected_version=version, **body.model_dump())


def _respond(
    request: Request, app: OpinionApplication, iid: UUID, actor: Principal, version: int | None, body: Any
) -> Incident:
    explains = {k: v for k, v in body.explains.model_dump().items() if v is not None}
    fields = {"kind": body.kind, "at": body.at, "channel": body.channel, "summary": body.summary, "explains": explains}
    return app.record_response(iid, actor=actor, expected_version=version, **fields)


_command_route(
    "warnings",
    WarningCreate,
    Handler,
    "预警（牵头或配合部门、公开办）",
    lambda _, app, iid, actor, version, body: app.warn(iid, actor=actor, expected_version=version, **body.model_dump()),
    optional_body=True,
)
_command_route(
    "assessments",
    AssessmentCreate,
    Handler,
    "研判：定级（时限随之重算）",
    lambda _, app, iid, actor, version, body: app.assess(
        iid, actor=actor, expected_version=version, **body.model_dump()
    ),
    optional_body=True,
)
_command_route("assignments", AssignmentCreate, Office, "指定牵头与配合部门（公开办）", _assign)
_command_route("responses", ResponseCreate, Responder, "回应（牵头或配合部门）", _respond)
_command_route(
    "close",
    CloseCreate,
    Handler,
    "处置完毕（牵头或配合部门、公开办）",
    lambda _, app, iid, actor, version, body: app.close_incident(
        iid, actor=actor, expected_version=version, note=body.note
    ),
    optional_body=True,
)
_command_route(
    "evaluation",
    EvaluationCreate,
    Office,
    "效果评估（公开办）",
    lambda _, app, iid, actor, version, body: app.evaluate(
        iid, actor=actor, expected_version=version, **body.model_dump()
    ),
)


@router.get(
    "/incidents/{incident_id}",
    response_model=IncidentPublic | IncidentPublicSummary,
    summary="事件详情与回应时限（公开办、相关部门）；已发布的回应摘要对公众公开",
)
def get_incident(incident_id: UUID, app: App, viewer: MaybePrincipal, response: Response) -> dict[str, Any]:
    if viewer is not None and viewer.has("editor", "head", "office", "auditor"):
        try:
            incident = app.visible_incident(incident_id, viewer)
        except NotFound:
            pass
        else:
            set_etag(response, incident.version)
            return _view(app, str(incident_id))
    with app.reading() as session:
        row = queries.get_incident(session, str(incident_id))
        summary = None if row is None else queries.public_summary(session, row)
    if summary is None:
        raise NotFound(f"no incident {incident_id}")
    return summary


@router.get(
    "/incidents", response_model=IncidentPage, summary="事件列表（公开办看全部，部门看相关）；overdue=true 为当前逾期"
)
def list_incidents(
    app: App,
    viewer: Viewer,
    settings: SettingsDep,
    department: Annotated[str | None, Query(max_length=16)] = None,
    severity: Severity | None = None,
    status: Annotated[str | None, Query(pattern="^(open|closed|evaluated)$")] = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> dict[str, Any]:
    now = app.clock()
    with app.reading() as session:
        if overdue:  # late is judged now, from derived deadlines: scan the open ones (no cursor)
            rows, _ = queries.list_incidents(
                session,
                viewer=viewer,
                department=department,
                severity=severity,
                status="open",
                limit=OVERDUE_SCAN_LIMIT,
                cursor=None,
                cursor_key=settings.signing_key,
            )
            views = [v for v in (queries.present(session, r, app.law, now) for r in rows) if queries.is_overdue(v)]
            return {"items": views[:limit], "next_cursor": None}
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
        return {"items": [queries.present(session, r, app.law, now) for r in rows], "next_cursor": next_cursor}
