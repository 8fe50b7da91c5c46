"""HTTP routes of the assessment service."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from sqlalchemy import select

from services.assessment.application import AssessmentApplication
from services.assessment.read_models import action
from services.assessment.schemas import ActionCreate, ActionPublic, ActionRectified, SchemeIn, Sources
from services.assessment.scores import scheme_in_force
from shared.auth import Principal, require, sees_operations
from shared.errors import NotFound
from shared.export import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, documented_content, table_response
from shared.http import IdempotencyKey, IfMatch, create_once, parse_if_match, set_etag
from shared.rules.vocabulary import INDICATORS
from shared.timeutil import local_date, to_shanghai
from shared.types import Moment
from shared.web import DepartmentsDep, SettingsDep

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
    body: ActionCreate,
    app: App,
    actor: Office,
    departments: DepartmentsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    departments.check(body.department)
    fields = {**body.model_dump(exclude={"refs"}), "refs": body.ref_list()}
    return create_once(
        app,
        response,
        key=idempotency_key,
        principal=actor.sub,
        body=body,
        create=lambda: str(app.issue_action(actor=actor, issued_on=app.today(), fields=fields).id),
        location=lambda action_id: f"/assessment/v1/actions/{action_id}",
        read=lambda action_id: _action_view(app, action_id),
    )


@router.post("/actions/{action_id}/rectified", response_model=ActionPublic, summary="记录整改完成（公开办）")
def action_rectified(
    action_id: UUID,
    app: App,
    actor: Office,
    response: Response,
    body: Annotated[ActionRectified, Body(default_factory=ActionRectified)],
    if_match: IfMatch = None,
) -> dict[str, Any]:
    on = body.on or app.today()
    rectified = app.rectify_action(
        action_id, actor=actor, expected_version=parse_if_match(if_match), on=on, note=body.note
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
    detailed = sees_operations(request)
    return {"items": [f.status(detailed=detailed) for f in request.app.state.followers]}


Year = Annotated[int | None, Query(ge=2000, le=2100, description="考核年度，默认今年")]
AsOf = Annotated[Moment | None, Query(description="评判时点（带时区），默认现在；只计该时点前已记录的事件")]
Format = Literal["json", "csv", "xlsx"]


def _year_and_moment(app: AssessmentApplication, year: int | None, as_of: datetime | None) -> tuple[int, datetime]:
    moment = as_of or app.clock()
    return (year or local_date(moment).year), moment


# What a score route answers, by ``format``: JSON, or the same table as CSV or XLSX.
TABLE_OR_JSON = documented_content(
    CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, description="按 format：JSON（默认）、CSV 或 XLSX", json_model={"type": "object"}
)


@router.get(
    "/scores",
    summary="考核排名：各部门得分、名次、各指标达标率；format=json|csv|xlsx",
    responses=TABLE_OR_JSON,
)
def scores(
    app: App,
    departments: DepartmentsDep,
    year: Year = None,
    as_of: AsOf = None,
    format: Format = "json",
) -> Any:
    year_, moment = _year_and_moment(app, year, as_of)
    table = app.league_at(departments.codes(), year_, moment)
    if format == "json":
        return table
    header = ["名次", "部门", "得分", "扣分", *INDICATORS]
    rows = [
        [e["rank"], e["department"], e["score"], e["deductions"], *[e["rates"][i] for i in INDICATORS]]
        for e in table["items"]
    ]
    return table_response(format, header, rows, f"{year_}年政务公开考核排名", f"scores-{year_}")


@router.get(
    "/scores/{department}",
    summary="部门得分明细：每项指标的分子、分母、达标率、得分与扣分事项",
    responses=TABLE_OR_JSON,
)
def department_score(
    department: Annotated[str, Path(max_length=16)],
    app: App,
    departments: DepartmentsDep,
    year: Year = None,
    as_of: AsOf = None,
    format: Format = "json",
) -> Any:
    departments.check(department)
    year_, moment = _year_and_moment(app, year, as_of)
    [detail] = app.breakdowns_at([department], year_, moment)
    if format == "json":
        return detail
    header = ["指标", "权重", "分子", "分母", "达标率", "得分", "扣分事项"]
    rows = [
        [
            name,
            i["weight"],
            i["numerator"],
            i["denominator"],
            i["rate"],
            i["points"],
            "; ".join(f"{v['kind']} {v['service']}:{v['ref_id']} {v['detail']}" for v in i["violations"]),
        ]
        for name, i in detail["indicators"].items()
    ]
    rows.append(["deductions", "", "", "", "", -detail["deductions"]["points"], ""])
    rows.append(["score", "", "", "", "", detail["score"], ""])
    return table_response(format, header, rows, f"{year_}年{department}考核明细", f"score-{department}-{year_}")


@router.get("/schemes/{year}", summary="年度考核方案（未调整时为默认方案）")
def get_scheme(
    year: Annotated[int, Path(ge=2000, le=2100)], app: App, settings: SettingsDep, as_of: AsOf = None
) -> Any:
    with app.reading() as session:
        in_force, adopted = scheme_in_force(session, settings, year, as_of or app.clock())
    return {"year": year, **in_force.as_dict(), "adopted": adopted}


@router.put("/schemes/{year}", summary="调整年度考核方案（公开办）；自调整时起适用")
def put_scheme(
    year: Annotated[int, Path(ge=2000, le=2100)], body: SchemeIn, app: App, actor: Office, settings: SettingsDep
) -> Any:
    app.adopt_scheme(actor=actor, year=year, scheme=body.model_dump())
    with app.reading() as session:
        in_force, adopted = scheme_in_force(session, settings, year, app.clock())
    return {"year": year, **in_force.as_dict(), "adopted": adopted}


@router.get("/proposed-actions", summary="建议问责：应急回应超时、效果评估为无效且尚未问责的事项（公开办）")
def get_proposed_actions(app: App, _: Reader, year: Year = None, as_of: AsOf = None) -> Any:
    year_, moment = _year_and_moment(app, year, as_of)
    items = app.proposed_at(year_, moment)
    return {"year": year_, "items": items}
