"""Catalogue items (主动公开基本目录): the office keeps them; everyone reads them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import select

from services.catalogue.api.deps import App, Office
from services.catalogue.application import CatalogueApplication
from services.catalogue.read_models import item
from services.catalogue.schemas import Area, ItemCreate, ItemPage, ItemPublic, ItemRetire, ItemUpdate
from shared.errors import NotFound
from shared.http import IdempotencyKey, IfMatch, create_once, parse_if_match, set_etag
from shared.pagination import Cursor, Limit, decode_cursor, encode_cursor
from shared.rules.time import TimeLimit
from shared.timeutil import to_shanghai
from shared.web import DepartmentsDep, SettingsDep

router = APIRouter(prefix="/catalogue/v1", tags=["catalogue items 主动公开目录"])
Code = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


def _present(row: Any) -> dict[str, Any]:
    view = dict(row._mapping)
    view["time_limit_days"] = TimeLimit(row.time_limit_working_days, row.time_limit_kind).as_dict()
    view["created_at"], view["updated_at"] = to_shanghai(row.created_at), to_shanghai(row.updated_at)
    return view


def _item_view(app: CatalogueApplication, code: str) -> dict[str, Any]:
    with app.reading() as session:
        row = session.execute(select(item).where(item.c.code == code)).first()
    if row is None:
        raise NotFound(f"no catalogue item {code!r}")
    return _present(row)


@router.post("/items", status_code=201, response_model=ItemPublic, summary="登记目录事项（公开办）")
def register_item(
    body: ItemCreate,
    app: App,
    actor: Office,
    departments: DepartmentsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    departments.check(body.department)
    stated = body.time_limit_days
    fields = body.model_dump(exclude={"time_limit_days"})
    fields["time_limit_working_days"] = (
        stated.days if stated else body.time_limit_working_days or app.law.disclosure_working_days
    )
    fields["time_limit_kind"] = stated.kind if stated else "working"
    return create_once(
        app,
        response,
        key=idempotency_key,
        principal=actor.sub,
        body=body,
        create=lambda: str(app.register_item(actor=actor, fields=fields).id),
        location=lambda _: f"/catalogue/v1/items/{body.code}",
        read=lambda _: _item_view(app, body.code),
    )


@router.get("/items/{code}", response_model=ItemPublic, summary="目录事项详情")
def get_item(code: Code, app: App, response: Response) -> dict[str, Any]:
    view = _item_view(app, code)
    set_etag(response, view["version"])
    return view


@router.post("/items/{code}/update", response_model=ItemPublic, summary="修改目录事项（公开办）")
def update_item(
    code: Code, body: ItemUpdate, app: App, actor: Office, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    changes = body.model_dump(exclude_none=True, exclude={"time_limit_days"})
    if body.time_limit_days is not None:
        changes.update(time_limit_working_days=body.time_limit_days.days, time_limit_kind=body.time_limit_days.kind)
    updated = app.update_item(code, actor=actor, expected_version=parse_if_match(if_match), changes=changes)
    set_etag(response, updated.version)
    return _item_view(app, code)


@router.post("/items/{code}/retire", response_model=ItemPublic, summary="停用目录事项（公开办）")
def retire_item(
    code: Code, body: ItemRetire, app: App, actor: Office, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    retired = app.retire_item(code, actor=actor, expected_version=parse_if_match(if_match), reason=body.reason)
    set_etag(response, retired.version)
    return _item_view(app, code)


@router.get("/items", response_model=ItemPage, summary="主动公开基本目录（按部门、领域筛选）")
def list_items(
    app: App,
    settings: SettingsDep,
    department: Annotated[str | None, Query(max_length=16)] = None,
    area: Area | None = None,
    include_retired: bool = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    query = select(item)
    if department:
        query = query.where(item.c.department == department)
    if area:
        query = query.where(item.c.area == area)
    if not include_retired:
        query = query.where(item.c.retired.is_(False))
    if cursor is not None:
        query = query.where(item.c.code > str(decode_cursor(settings.signing_key, cursor).get("c")))
    with app.reading() as session:
        rows = list(session.execute(query.order_by(item.c.code).limit(limit + 1)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(settings.signing_key, {"c": rows[-1].code})
    return {"items": [_present(r) for r in rows], "next_cursor": next_cursor}
