"""``/{service}/v1/webhooks``: the same routes on every service (api.md "Webhooks")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from shared.application import ServiceApplication
from shared.auth import Principal, require
from shared.departments import Departments
from shared.http import IdempotencyKey, create_once
from shared.pagination import Cursor, Limit, decode_cursor, encode_cursor
from shared.webhooks import registry
from shared.webhooks.targets import MAX_URL_LENGTH

Owner = Annotated[Principal, Depends(require("platform", "office"))]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=MAX_URL_LENGTH, examples=["https://platform.example.gov.cn/openness/hooks"])
    types: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=100, description="要投递的事件类型（feed 的 type）；为空则全部"
    )
    departments: list[Annotated[str, Field(max_length=32)]] | None = Field(
        default=None, max_length=200, description="只投递这些部门的事件；不填则全部"
    )
    description: str = Field(default="", max_length=500, description="订阅说明（仅订阅者与办公室可见）")


class WebhookOut(BaseModel):
    id: str
    owner: str
    url: str
    types: list[str]
    departments: list[str]
    description: str
    status: str
    disabled_reason: str | None
    start_position: int
    created_at: datetime
    updated_at: datetime
    version: int


class WebhookWithSecret(WebhookOut):
    secret: str = Field(description="whsec_…: shown only when the webhook is created or its secret rotated")


class WebhookList(BaseModel):
    items: list[WebhookOut]
    next_cursor: str | None = None


class Attempt(BaseModel):
    delivery_id: int
    event_position: int
    event_id: str
    status: str
    attempt: int | None
    status_code: int | None
    error: str | None
    at: datetime | None
    next_attempt_at: datetime | None


class AttemptList(BaseModel):
    items: list[Attempt]


class Redelivery(BaseModel):
    delivery_id: int
    status: str
    next_attempt_at: datetime


def _app(request: Request) -> ServiceApplication:
    application: ServiceApplication = request.app.state.application
    return application


App = Annotated[ServiceApplication, Depends(_app)]
WebhookId = Annotated[UUID, Path()]


def webhooks_router(service: str) -> APIRouter:
    router = APIRouter(prefix=f"/{service}/v1/webhooks", tags=["webhooks 推送订阅"])

    def wake(request: Request) -> None:
        deliverer = getattr(request.app.state, "deliverer", None)
        if deliverer is not None:
            deliverer.wake()

    @router.post(
        "",
        status_code=201,
        response_model=WebhookWithSecret,
        operation_id=f"{service}CreateWebhook",
        summary="订阅推送（省级平台本身、公开办）",
    )
    def create_webhook(
        body: WebhookCreate, app: App, owner: Owner, request: Request, response: Response, key: IdempotencyKey = None
    ) -> Any:
        departments: Departments = request.app.state.departments
        for code in body.departments or []:
            departments.check(code)
        registry.validate(app, body.model_dump())  # DNS and all: before the write transaction, never inside
        created: dict[str, str] = {}

        def create() -> str:
            webhook_id, secret = registry.register(app, owner, body.model_dump())
            created["secret"] = secret
            return webhook_id

        return create_once(
            app,
            response,
            key=key,
            principal=owner.sub,
            body=body,
            create=create,
            location=lambda webhook_id: f"/{service}/v1/webhooks/{webhook_id}",
            # A replay cannot show the secret again (it is shown once): it says so instead.
            read=lambda webhook_id: {
                **registry.view(app, UUID(webhook_id), owner),
                "secret": created.get("secret", "(shown once, when the webhook was created)"),
            },
        )

    @router.get("", response_model=WebhookList, operation_id=f"{service}ListWebhooks", summary="订阅列表")
    def list_webhooks(app: App, owner: Owner, limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
        after = None if cursor is None else decode_cursor(app.settings.signing_key, cursor)
        items = registry.listing(app, owner, after=after, limit=limit + 1)
        next_cursor = None
        if len(items) > limit:
            items = items[:limit]
            last = items[-1]
            next_cursor = encode_cursor(
                app.settings.signing_key, {"t": last["created_at"].isoformat(), "i": str(last["id"])}
            )
        return {"items": items, "next_cursor": next_cursor}

    @router.get("/{webhook_id}", response_model=WebhookOut, operation_id=f"{service}GetWebhook", summary="订阅详情")
    def get_webhook(webhook_id: WebhookId, app: App, owner: Owner) -> dict[str, Any]:
        return registry.view(app, webhook_id, owner)

    @router.delete("/{webhook_id}", status_code=204, operation_id=f"{service}DeleteWebhook", summary="删除订阅")
    def delete_webhook(webhook_id: WebhookId, app: App, owner: Owner) -> Response:
        registry.delete(app, webhook_id, owner)
        return Response(status_code=204)

    @router.post(
        "/{webhook_id}/rotate-secret",
        response_model=WebhookWithSecret,
        operation_id=f"{service}RotateWebhookSecret",
        summary="更换签名密钥",
    )
    def rotate_secret(webhook_id: WebhookId, app: App, owner: Owner) -> dict[str, Any]:
        secret = registry.rotate_secret(app, webhook_id, owner)
        return {**registry.view(app, webhook_id, owner), "secret": secret}

    @router.get(
        "/{webhook_id}/deliveries",
        response_model=AttemptList,
        operation_id=f"{service}ListWebhookDeliveries",
        summary="推送记录：每次尝试",
    )
    def list_deliveries(
        webhook_id: WebhookId,
        app: App,
        owner: Owner,
        after: Annotated[int, Query(ge=0, le=2**62, description="只返回编号大于此值的推送")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        return {"items": registry.attempts(app, webhook_id, owner, after=after, limit=limit)}

    @router.post(
        "/{webhook_id}/deliveries/{delivery_id}/redeliver",
        response_model=Redelivery,
        operation_id=f"{service}RedeliverWebhook",
        summary="重新推送（30 天内）",
    )
    async def redeliver(
        webhook_id: WebhookId,
        delivery_id: Annotated[int, Path(ge=1, le=2**62)],
        app: App,
        owner: Owner,
        request: Request,
    ) -> dict[str, Any]:
        done = await run_in_threadpool(registry.redeliver, app, webhook_id, delivery_id, owner)
        wake(request)
        return done

    return router
