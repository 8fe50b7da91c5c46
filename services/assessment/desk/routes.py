"""The office desk (办公桌): the assessment's scores as Chinese pages, rendered on the server.

Every number comes from the functions the JSON routes answer with (``league``, ``breakdown``,
``proposed``), called with the same year and instant, so a page and ``/assessment/v1/scores``
never disagree. 待办 is for the office and auditors: a bearer token in ``Authorization``, or one
pasted into the page's form, kept in an HttpOnly, SameSite=Strict cookie for the desk's path.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from services.assessment.application import AssessmentApplication
from services.assessment.desk import labels
from services.assessment.desk.charts import Bar, bar_chart, line_chart
from shared.auth import Principal, TokenVerifier, optional_principal
from shared.errors import Unauthorized
from shared.pages import page, render
from shared.settings import Settings
from shared.timeutil import SHANGHAI, local_date
from shared.web import DepartmentsDep, SettingsDep

HERE = Path(__file__).parent
PREFIX = "/assessment/desk"
COOKIE = "openness_desk"
COOKIE_SECONDS = 8 * 3600

router = APIRouter(prefix=PREFIX, include_in_schema=False)

Year = Annotated[int | None, Query(ge=2000, le=2100)]
AsOf = Annotated[str | None, Query(max_length=40, description="yyyy-mm-ddThh:mm (北京时间) or an ISO instant")]


def _app(request: Request) -> AssessmentApplication:
    application: AssessmentApplication = request.app.state.application
    return application


def _moment(text: str | None, now: datetime) -> datetime:
    """The as-of picker's value: a local (北京时间) date and time, or an ISO instant; empty is now."""
    if not text:
        return now
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _BadPicker(f"评判时点格式不对：{text!r}（应为 2026-06-30T18:00）") from None
    return parsed.replace(tzinfo=SHANGHAI) if parsed.tzinfo is None else parsed


class _BadPicker(Exception):
    pass


def _context(request: Request, settings: Settings, title: str, section: str, **values: Any) -> dict[str, Any]:
    today = local_date(_app(request).clock())
    return {
        "title": title,
        "section": section,
        "prefix": PREFIX,
        "links": _Links(settings),
        "years": year_choices(today),
        **values,
    }


class _Links:
    """Where a page links a violation's source: the owning service's route, at the address
    browsers reach it (``OPENNESS_PUBLIC_URL``, e.g. the gateway) or the service's own address."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def source(self, kind: str, ref_id: str, year: int) -> str:
        path = labels.source_path(kind, ref_id, year)
        if self.settings.public_url is not None:
            return self.settings.public_url.rstrip("/") + path
        return self.settings.url_of(path.split("/")[1]) + path


def _picked(app: AssessmentApplication, year: int | None, as_of: str | None) -> dict[str, Any]:
    """What the year and as-of pickers chose, as the templates show it (and carry it on in links)."""
    moment = _moment(as_of, app.clock())
    return {
        "year": year or local_date(moment).year,
        "moment": moment,
        "moment_text": moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") + "（北京时间）",
        "as_of": moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") if as_of else "",
        "query": _query(year, as_of),
    }


def _respond(
    request: Request,
    settings: Settings,
    template: str,
    title: str,
    section: str,
    *,
    status_code: int = 200,
    public: bool = True,
    **values: Any,
) -> Response:
    html = render(HERE, template, **_context(request, settings, title, section, **values))
    return page(html, status_code=status_code, public=public)


def _bad_picker(request: Request, settings: Settings, error: _BadPicker) -> Response:
    return _respond(request, settings, "error.html", "输入有误", "", status_code=422, message=str(error))


@router.get("/")
def league_page(
    request: Request,
    departments: DepartmentsDep,
    settings: SettingsDep,
    year: Year = None,
    as_of: AsOf = None,
) -> Response:
    app = _app(request)
    try:
        picked = _picked(app, year, as_of)
    except _BadPicker as error:
        return _bad_picker(request, settings, error)
    table = app.league_at(departments.codes(), picked["year"], picked["moment"])
    rows = [{**entry, "name": departments.name_of(entry["department"])} for entry in table["items"]]
    chart = bar_chart(
        "league", f"{picked['year']}年各部门考核得分", [Bar(f"{r['rank']}. {r['name']}", r["score"]) for r in rows]
    )
    return _respond(
        request,
        settings,
        "league.html",
        f"{picked['year']}年考核排名",
        "league",
        **picked,
        rows=rows,
        chart=chart,
        indicators=labels.INDICATOR_NAMES,
    )


@router.get("/departments/{department}")
def department_page(
    request: Request,
    department: Annotated[str, PathParam(max_length=16)],
    departments: DepartmentsDep,
    settings: SettingsDep,
    year: Year = None,
    as_of: AsOf = None,
) -> Response:
    departments.check(department)
    app = _app(request)
    try:
        picked = _picked(app, year, as_of)
    except _BadPicker as error:
        return _bad_picker(request, settings, error)
    name = departments.name_of(department)
    return _respond(
        request,
        settings,
        "department.html",
        f"{name} {picked['year']}年考核明细",
        "department",
        **picked,
        department=department,
        name=name,
        detail=app.breakdowns_at([department], picked["year"], picked["moment"])[0],
        indicators=labels.INDICATOR_NAMES,
        violation_name=labels.violation_name,
        all_departments=[(code, departments.name_of(code)) for code in departments.codes()],
    )


def month_ends(year: int, now: datetime) -> list[tuple[str, datetime]]:
    """The end of every month of ``year`` that has begun by ``now`` (the current month ends now)."""
    points = []
    for month in range(1, 13):
        start = datetime(year, month, 1, tzinfo=SHANGHAI)
        if start > now:
            break
        following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SHANGHAI)
        end = following - timedelta(microseconds=1)
        points.append((f"{month}月", min(end, now).astimezone(UTC)))
    return points


@router.get("/trend")
def trend_page(
    request: Request,
    departments: DepartmentsDep,
    settings: SettingsDep,
    year: Year = None,
) -> Response:
    app = _app(request)
    now = app.clock()
    year_ = year or local_date(now).year
    codes = departments.codes()
    points = month_ends(year_, now)
    scores: dict[str, list[float | None]] = {code: [] for code in codes}
    for _, moment in points:
        by_department = {e["department"]: e["score"] for e in app.league_at(codes, year_, moment)["items"]}
        for code in codes:
            scores[code].append(by_department.get(code))
    month_labels = [label for label, _ in points]
    chart = line_chart(
        "trend",
        f"{year_}年各部门月末得分",
        month_labels,
        {departments.name_of(code): values for code, values in scores.items()},
    )
    rows = [{"department": code, "name": departments.name_of(code), "scores": scores[code]} for code in codes]
    return _respond(
        request,
        settings,
        "trend.html",
        f"{year_}年得分趋势",
        "trend",
        year=year_,
        months=month_labels,
        instants=[moment for _, moment in points],
        rows=rows,
        chart=chart,
    )


def _desk_principal(request: Request) -> Principal | None:
    """The office or auditor reading 待办: a bearer header as on every route, else the desk's cookie."""
    if "authorization" in request.headers:
        return optional_principal(request)
    token = request.cookies.get(COOKIE, "").strip()
    verifier: TokenVerifier = request.app.state.verifier
    return verifier.verify(token) if token else None


@router.get("/todo")
def todo_page(
    request: Request,
    departments: DepartmentsDep,
    settings: SettingsDep,
    year: Year = None,
) -> Response:
    app = _app(request)
    try:
        principal = _desk_principal(request)
    except Unauthorized as error:
        return _sign_in(request, settings, f"令牌无效：{error.detail}")
    if principal is None:
        return _sign_in(request, settings, None)
    if not principal.has("office", "auditor"):
        message = "待办仅对公开办和审计员开放。"
        return _respond(
            request, settings, "error.html", "无权查看", "todo", status_code=403, public=False, message=message
        )
    now = app.clock()
    year_ = year or local_date(now).year
    proposals = app.proposed_at(year_, now)
    overdue = [
        {**violation, "department": detail["department"], "name": departments.name_of(detail["department"])}
        for detail in app.breakdowns_at(departments.codes(), year_, now)
        for values in detail["indicators"].values()
        for violation in values["violations"]
        if labels.is_task(violation["kind"])
    ]
    return _respond(
        request,
        settings,
        "todo.html",
        f"{year_}年待办",
        "todo",
        public=False,
        year=year_,
        proposals=[{**p, "name": departments.name_of(p["department"])} for p in proposals],
        overdue=overdue,
        violation_name=labels.violation_name,
        action_names=labels.ACTION_NAMES,
        service_names=labels.SERVICE_NAMES,
        indicators=labels.INDICATOR_NAMES,
        viewer=principal.sub,
    )


def _sign_in(request: Request, settings: Settings, message: str | None) -> Response:
    html = render(HERE, "sign_in.html", **_context(request, settings, "登录待办", "todo", message=message))
    return page(html, status_code=401, public=False, www_authenticate='Bearer realm="openness"')


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    """The form of the 待办 page: a token (from the identity provider or ``openness token``)."""
    form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    token = (form.get("token") or [""])[0].strip()
    verifier: TokenVerifier = request.app.state.verifier
    settings: Settings = request.app.state.settings
    try:
        verifier.verify(token)
    except Unauthorized as error:
        return _sign_in(request, settings, f"令牌无效：{error.detail}")
    response = RedirectResponse(f"{PREFIX}/todo", status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=COOKIE_SECONDS,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/sign-out")
def sign_out() -> Response:
    response = RedirectResponse(f"{PREFIX}/", status_code=303)
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


@router.get("/desk.css")
def stylesheet() -> Response:
    return Response(
        (HERE / "static" / "desk.css").read_bytes(),
        media_type="text/css; charset=utf-8",
        headers={"cache-control": "public, max-age=3600"},
    )


def _query(year: int | None, as_of: str | None) -> str:
    values = {k: v for k, v in (("year", year), ("as_of", as_of)) if v}
    return f"?{urlencode(values)}" if values else ""


def year_choices(today: date) -> list[int]:
    return list(range(today.year, today.year - 6, -1))
