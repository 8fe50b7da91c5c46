"""Draft decisions open for public comment (重大决策预公开)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select

from services.catalogue.api.deps import App, Editor
from services.catalogue.application import CatalogueApplication
from services.catalogue.read_models import consultation
from services.catalogue.schemas import (
    CommentCreate,
    CommentReceipt,
    ConsultationCreate,
    ConsultationPublic,
    ConsultationResult,
)
from shared.clientaddr import client_address
from shared.errors import NotFound
from shared.http import IdempotencyKey, IfMatch, create_once, parse_if_match, request_hash, set_etag
from shared.ratelimit import RateLimiter
from shared.rules.consultations import open_for_comment
from shared.timeutil import to_shanghai
from shared.web import DepartmentsDep

router = APIRouter(prefix="/catalogue/v1", tags=["consultations 重大决策预公开"])


def _view(app: CatalogueApplication, consultation_id: str) -> dict[str, Any]:
    with app.reading() as session:
        row = session.execute(select(consultation).where(consultation.c.id == consultation_id)).first()
    if row is None:
        raise NotFound(f"no consultation {consultation_id}")
    view = dict(row._mapping)
    view["created_at"], view["updated_at"] = to_shanghai(row.created_at), to_shanghai(row.updated_at)
    view["open_for_comment"] = open_for_comment(
        row.opens_on, row.closes_on, row.adoption_summary is not None, app.today()
    )
    return view


def _comment_limit(request: Request) -> None:
    limiter: RateLimiter | None = getattr(request.app.state, "comment_limiter", None)
    if limiter is None:
        limiter = request.app.state.comment_limiter = RateLimiter(
            request.app.state.settings.public_comment_per_minute, 60
        )
    limiter.hit(client_address(request, request.app.state.settings.trusted_proxies))


@router.post(
    "/consultations", status_code=201, response_model=ConsultationPublic, summary="发布决策草案征求意见（本部门编辑）"
)
def open_consultation(
    body: ConsultationCreate,
    app: App,
    actor: Editor,
    departments: DepartmentsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    departments.check(body.department)
    return create_once(
        app,
        response,
        key=idempotency_key,
        principal=actor.sub,
        body=body,
        create=lambda: str(app.open_consultation(actor=actor, fields=body.model_dump()).id),
        location=lambda consultation_id: f"/catalogue/v1/consultations/{consultation_id}",
        read=lambda consultation_id: _view(app, consultation_id),
    )


@router.get("/consultations/{consultation_id}", response_model=ConsultationPublic, summary="征求意见详情（公开）")
def get_consultation(consultation_id: UUID, app: App, response: Response) -> dict[str, Any]:
    view = _view(app, str(consultation_id))
    set_etag(response, view["version"])
    return view


@router.post(
    "/consultations/{consultation_id}/comments",
    status_code=202,
    response_model=CommentReceipt,
    dependencies=[Depends(_comment_limit)],
    summary="公众提交意见（无需令牌；限长、限频）",
)
def comment(
    consultation_id: UUID, body: CommentCreate, app: App, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """A citizen's retry with the same ``Idempotency-Key`` records the comment once (no identity is
    kept, so the key alone, unguessable, names the attempt; it is scoped to this consultation)."""

    def record() -> str:
        app.comment(consultation_id, text=body.text)
        return str(consultation_id)

    app.once(
        key=idempotency_key,
        principal=f"public:{consultation_id}",
        request_hash=request_hash(body),
        create=record,
    )
    return {"consultation_id": str(consultation_id)}


@router.post("/consultations/{consultation_id}/result", response_model=ConsultationPublic, summary="公布意见采纳情况")
def publish_result(
    consultation_id: UUID,
    body: ConsultationResult,
    app: App,
    actor: Editor,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    done = app.publish_result(
        consultation_id,
        actor=actor,
        expected_version=parse_if_match(if_match),
        adoption_summary=body.adoption_summary,
        decision_record_id=body.decision_record_id,
    )
    set_etag(response, done.version)
    return _view(app, str(consultation_id))
