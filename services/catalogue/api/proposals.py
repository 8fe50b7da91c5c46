"""Replies to NPC suggestions and CPPCC proposals, published in full without contact details."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from sqlalchemy import select

from services.catalogue.api.deps import App, Editor
from services.catalogue.application import CatalogueApplication
from services.catalogue.read_models import proposal
from services.catalogue.schemas import ProposalCreate, ProposalPublic
from shared.auth import MaybePrincipal, Principal, sees_inside
from shared.errors import NotFound
from shared.http import IdempotencyKey, IfMatch, create_once, parse_if_match, set_etag
from shared.rules.proposals import reply_publication_due, reply_publication_status
from shared.rules.time import on_time
from shared.timeutil import to_shanghai
from shared.types import NoFields
from shared.web import DepartmentsDep

router = APIRouter(prefix="/catalogue/v1", tags=["proposals 建议提案办理结果"])


def _view(app: CatalogueApplication, proposal_id: str, viewer: Principal | None) -> dict[str, Any]:
    with app.reading() as session:
        row = session.execute(select(proposal).where(proposal.c.id == proposal_id)).first()
    insider = row is not None and sees_inside(viewer, row.handler_department)
    if row is None or (row.published_at is None and not insider):
        raise NotFound(f"no proposal {proposal_id}")
    due = reply_publication_due(row.replied_on, app.calendar, app.law)
    view = dict(row._mapping)
    if not insider:
        view["reply_text"] = None  # the original may carry contact details
    for key in ("published_at", "created_at", "updated_at"):
        view[key] = view[key] and to_shanghai(view[key])
    view["deadline"] = due.as_dict()
    view["on_time"] = on_time(reply_publication_status(due, row.published_at, app.clock()))
    return view


@router.post("/proposals", status_code=201, response_model=ProposalPublic, summary="登记建议提案答复（承办部门编辑）")
def record_reply(
    body: ProposalCreate,
    app: App,
    actor: Editor,
    departments: DepartmentsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    departments.check(body.handler_department)
    return create_once(
        app,
        response,
        key=idempotency_key,
        principal=actor.sub,
        body=body,
        create=lambda: str(app.record_reply(actor=actor, fields=body.model_dump()).id),
        location=lambda proposal_id: f"/catalogue/v1/proposals/{proposal_id}",
        read=lambda proposal_id: _view(app, proposal_id, actor),
    )


@router.post("/proposals/{proposal_id}/publish", response_model=ProposalPublic, summary="公开答复全文（删除联系方式）")
def publish_reply(
    proposal_id: UUID,
    app: App,
    actor: Editor,
    response: Response,
    _: NoFields,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    published = app.publish_reply(proposal_id, actor=actor, expected_version=parse_if_match(if_match))
    set_etag(response, published.version)
    return _view(app, str(proposal_id), actor)


@router.get("/proposals/{proposal_id}", response_model=ProposalPublic, summary="建议提案办理结果（公开后公众可见）")
def get_proposal(
    proposal_id: UUID,
    app: App,
    viewer: MaybePrincipal,
    response: Response,
) -> dict[str, Any]:
    view = _view(app, str(proposal_id), viewer)
    set_etag(response, view["version"])
    return view
