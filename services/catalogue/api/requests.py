"""Information requests (依申请公开) with their legal clocks, and the statutory annual report."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from services.catalogue import annual_report, report_document, request_queries
from services.catalogue.api.deps import App, Editor, Publisher, Reviser
from services.catalogue.application import CatalogueApplication
from services.catalogue.domain.annual_report import SECTION_NUMERALS
from services.catalogue.schemas import (
    Appeal,
    AppealResultIn,
    ClarificationRequest,
    ConsultationStart,
    Extension,
    FiguresEntry,
    NarrativeEntry,
    OverdueRequests,
    Reply,
    RequestCreate,
    RequestPublic,
    RequestStatus,
    StepOn,
)
from shared.auth import MaybePrincipal, Principal, sees_inside
from shared.errors import Forbidden, NotFound
from shared.export import (
    CSV_MEDIA_TYPE,
    DOCX_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    attachment_disposition,
    documented_content,
    table_response,
)
from shared.http import IdempotencyKey, IfMatch, create_once, parse_if_match, set_etag
from shared.pages import DOCUMENT_POLICY, page
from shared.types import NoFields
from shared.web import DepartmentsDep, SettingsDep

router = APIRouter(prefix="/catalogue/v1", tags=["requests 依申请公开与年度报告"])
QueryCode = Annotated[str, Path(pattern=r"^[A-Z0-9]{6,16}$")]


def _view(app: CatalogueApplication, request_id: str, viewer: Principal | None) -> dict[str, Any]:
    with app.reading() as session:
        row = request_queries.get_request(session, request_id)
        if row is None or not sees_inside(viewer, row.department):
            raise NotFound(f"no request {request_id}")  # a request is never public: only its status page is
        return request_queries.present(session, row, app.calendar, app.law, app.today(), viewer)


@router.post("/requests", status_code=201, response_model=RequestPublic, summary="登记政府信息公开申请（本部门编辑）")
def receive_request(
    body: RequestCreate,
    app: App,
    actor: Editor,
    departments: DepartmentsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    departments.check(body.department)
    fields = {
        "department": body.department,
        "applicant_type": body.applicant.type,
        "applicant_name": body.applicant.name,
        "applicant_contact": body.applicant.contact,
        "description": body.description,
        "channel": body.channel,
        "received_on": body.received_on,
    }
    return create_once(
        app,
        response,
        key=idempotency_key,
        principal=actor.sub,
        body=body,
        create=lambda: str(app.receive_request(actor=actor, fields=fields).id),
        location=lambda request_id: f"/catalogue/v1/requests/{request_id}",
        read=lambda request_id: _view(app, request_id, actor),
    )


def _step(verb: str, body_type: type[StepOn], summary: str) -> None:
    def step(
        request_id: UUID,
        body: Any,
        app: App,
        actor: Editor,
        response: Response,
        if_match: IfMatch = None,
    ) -> dict[str, Any]:
        done = app.act_on_request(
            request_id, actor=actor, expected_version=parse_if_match(if_match), verb=verb, **body.model_dump()
        )
        set_etag(response, done.version)
        return _view(app, str(request_id), actor)

    step.__annotations__["body"] = body_type
    step.__name__ = f"request_{verb.replace('-', '_')}"
    router.post(f"/requests/{{request_id}}/{verb}", response_model=RequestPublic, summary=summary)(step)


_step("clarification-requested", ClarificationRequest, "发出补正通知（收到申请后 7 个工作日内）")
_step("clarified", StepOn, "收到补正后的申请：答复期限重新起算")
_step("consultation-started", ConsultationStart, "征求第三方或其他机关意见：暂停计时")
_step("consultation-ended", StepOn, "征求意见结束：恢复计时")
_step("extended", Extension, "延期答复（仅一次，≤ 20 个工作日，须经批准）")
_step("replied", Reply, "答复：结果与理由取自 2021 年度报告格式的封闭清单")
_step("appealed", Appeal, "行政复议、行政诉讼及其结果")


@router.post(
    "/requests/{request_id}/appeals/{appeal_id}/result",
    response_model=RequestPublic,
    summary="更新行政复议或诉讼的结果（年度报告表四按年末最新结果计一次）",
)
def appeal_result(
    request_id: UUID,
    appeal_id: Annotated[str, Path(pattern=r"^[0-9]{1,9}$")],
    body: AppealResultIn,
    app: App,
    actor: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    done = app.record_appeal_result(
        request_id, appeal_id, actor=actor, expected_version=parse_if_match(if_match), on=body.on, result=body.result
    )
    set_etag(response, done.version)
    return _view(app, str(request_id), actor)


@router.get(
    "/requests/status/{query_code}", response_model=RequestStatus, summary="申请人凭查询码查看办理状态（无个人信息）"
)
def request_status(query_code: QueryCode, app: App) -> dict[str, Any]:
    with app.reading() as session:
        row = request_queries.by_query_code(session, query_code)
    if row is None:
        raise NotFound("no request with this query code")
    return request_queries.status_page(row, app.calendar, app.law, app.today())


@router.get("/requests/overdue", response_model=OverdueRequests, summary="本部门已逾期及 5 个工作日内到期的申请")
def overdue_requests(
    department: Annotated[str, Query(max_length=16)],
    app: App,
    viewer: MaybePrincipal,
    departments: DepartmentsDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    departments.check(department)
    if not sees_inside(viewer, department):
        raise Forbidden(f"only {department}, the office and auditors see its requests", code="other_department")
    with app.reading() as session:
        lists = request_queries.overdue(
            session,
            department=department,
            calendar=app.calendar,
            law=app.law,
            today=app.today(),
            horizon=settings.request_due_soon_working_days,
        )
    return {"department": department, **lists}


@router.get("/requests/{request_id}", response_model=RequestPublic, summary="申请详情（办理部门、公开办、审计员）")
def get_request(request_id: UUID, app: App, viewer: MaybePrincipal, response: Response) -> dict[str, Any]:
    view = _view(app, str(request_id), viewer)
    set_etag(response, view["version"])
    return view


@router.put("/annual-reports/{year}/figures", summary="填报年度报告表二的许可、处罚、强制、收费数据（本部门）")
def enter_figures(
    year: Annotated[int, Path(ge=2000, le=2100)],
    body: FiguresEntry,
    app: App,
    actor: Editor,
    departments: DepartmentsDep,
) -> dict[str, Any]:
    departments.check(body.department)
    figures = body.model_dump(exclude={"department"})
    sheet = app.enter_figures(actor=actor, department=body.department, year=year, figures=figures)
    return {"department": body.department, "year": year, "version": sheet.version, **figures}


@router.get(
    "/annual-reports/{year}",
    summary="政府信息公开工作年度报告（表二、表三、表四）；format=json|csv|xlsx，或整份报告 format=html|docx",
    responses=documented_content(
        CSV_MEDIA_TYPE,
        XLSX_MEDIA_TYPE,
        "text/html; charset=utf-8",
        DOCX_MEDIA_TYPE,
        description="按 format：JSON（默认）、CSV、XLSX、HTML 或 DOCX",
        json_model={"type": "object"},
    ),
)
def get_annual_report(
    year: Annotated[int, Path(ge=2000, le=2100)],
    app: App,
    departments: DepartmentsDep,
    department: Annotated[str | None, Query(max_length=16)] = None,
    format: Literal["json", "csv", "xlsx", "html", "docx"] = "json",
) -> Any:
    if department is not None:
        departments.check(department)
    with app.reading() as session:
        report = annual_report.report(session, year=year, department=department, law=app.law, as_of=app.clock())
    if format == "json":
        return report
    scope = "全市" if department is None else departments.name_of(department)
    if format in ("html", "docx"):
        document = app.annual_report(department, year)
        narrative = {} if document is None else document.narrative
        ascii_name = f"annual-report-{year}-{department or 'city'}.docx"
        if format == "html":
            return page(report_document.html(report, narrative, scope), policy=DOCUMENT_POLICY)
        return Response(
            report_document.docx(report, narrative, scope),
            media_type=DOCX_MEDIA_TYPE,
            headers={
                "content-disposition": attachment_disposition(
                    f"{report_document.title_of(year, scope)}.docx", ascii_name
                )
            },
        )
    header, rows = annual_report.flat_rows(report)
    return table_response(format, header, rows, f"{year}年政府信息公开工作年度报告-{scope}", f"annual-report-{year}")


@router.put(
    "/annual-reports/{year}/narrative",
    summary="填写年度报告的文字部分（一、五、六）；部门报告由本部门，全市报告由公开办",
)
def write_narrative(
    year: Annotated[int, Path(ge=2000, le=2100)],
    body: NarrativeEntry,
    app: App,
    actor: Reviser,
    departments: DepartmentsDep,
    department: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:
    if department is not None:
        departments.check(department)
    section = SECTION_NUMERALS.get(body.section, body.section)
    report = app.write_annual_narrative(actor=actor, department=department, year=year, section=section, text=body.text)
    return {
        "year": year,
        "department": department,
        "section": section,
        "text": report.narrative[section],
        "version": report.version,
    }


@router.post("/annual-reports/{year}/publish", summary="发布年度报告（部门报告由本部门负责人、全市报告由公开办发布）")
def publish_annual_report(
    year: Annotated[int, Path(ge=2000, le=2100)],
    app: App,
    actor: Publisher,
    departments: DepartmentsDep,
    _: NoFields,
    department: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:
    if department is not None:
        departments.check(department)
    app.publish_annual_report(actor=actor, department=department, year=year)
    with app.reading() as session:
        return annual_report.publication(session, year=year, department=department, law=app.law, as_of=app.clock())
