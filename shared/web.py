"""``build_app``: the FastAPI shell every service shares (lifespan, middleware, health, feed)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared import migrations, openapi
from shared.application import ServiceApplication
from shared.audit import audit_router
from shared.auth import ServiceCredentials, TokenVerifier, sees_operations
from shared.calendar import WorkingCalendar
from shared.departments import Departments
from shared.errors import ValidationFailed
from shared.feed import FeedWaiter, feed_router
from shared.follower import Follower, FollowSpec
from shared.middleware import BodyGuard, RequestContext, SecurityHeaders
from shared.observability import Metrics, configure_logging
from shared.persistence import Store
from shared.problems import install_problem_handlers
from shared.rules.law import Law
from shared.settings import Settings
from shared.wakeup import ReplicaWakeup
from shared.webhooks.api import webhooks_router
from shared.webhooks.deliverer import Deliverer


@dataclass(frozen=True)
class ServiceSpec:
    service: str
    title: str
    description: str
    application_class: type[ServiceApplication]
    routers: Sequence[APIRouter]
    followers: Sequence[FollowSpec] = field(default_factory=tuple)


class RefusedToStart(RuntimeError):
    """The configuration must not serve (OPENNESS_ENV=production with development settings)."""


def build_app(spec: ServiceSpec, settings: Settings) -> FastAPI:
    refusals = settings.production_refusals()
    if refusals:
        raise RefusedToStart(f"{spec.service} refuses to start in production: " + "; ".join(refusals))
    if spec.followers:  # how it will call its sources: refused now (CannotMint), not later in a follower
        ServiceCredentials(settings, sub=f"service:{spec.service}", roles=["auditor"])
    configure_logging(settings.log_level, settings.log_format)
    metrics = Metrics(spec.service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(spec.service, settings)
        migrations.upgrade(store)
        application = spec.application_class(store=store, settings=settings)
        followers = [Follower(application, f) for f in spec.followers]
        for follower in followers:
            upstream = follower.spec.upstream
            follower.on_break = lambda _, upstream=upstream: metrics.chain_breaks.labels(spec.service, upstream).inc()
            follower.on_lag = metrics.follower_lag.labels(spec.service, upstream).set  # after every poll
        app.state.application = application
        app.state.calendar = application.calendar
        app.state.feed_waiter = waiter = FeedWaiter(
            asyncio.get_running_loop(),
            max_polls_per_principal=settings.feed_max_polls_per_principal,
            on_waiting=metrics.waiting_polls.labels(spec.service).set,
        )
        application.commit_listeners.append(waiter.notify)
        application.append_listeners.append(metrics.count_appended)
        watch = asyncio.create_task(waiter.watch(application.head_position, settings.feed_recheck_seconds))
        app.state.replica_wakeup = wakeup = ReplicaWakeup(store, waiter.notify) if store.is_postgres else None
        if wakeup is not None:
            wakeup.start()
        app.state.followers = application.followers = followers
        app.state.deliverer = deliverer = (
            Deliverer(application, on_outcome=lambda kind: metrics.webhook_deliveries.labels(spec.service, kind).inc())
            if settings.deliver_webhooks
            else None
        )
        if deliverer is not None:
            application.commit_listeners.append(deliverer.wake)
            deliverer.start()
        if settings.follow:
            for follower in followers:
                follower.start()
        try:
            yield
        finally:
            watch.cancel()
            if deliverer is not None:
                deliverer.stop()
            if wakeup is not None:
                wakeup.stop()
            for follower in followers:
                follower.stop()
            store.dispose()

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version="1.0",
        lifespan=lifespan,
        docs_url=None,  # served by shared.openapi from local assets
        redoc_url=None,
        generate_unique_id_function=openapi.operation_id,
        dependencies=[Depends(refuse_unknown_query)],
    )
    openapi.install(app, spec.service)
    app.state.settings = settings
    app.state.verifier = TokenVerifier(settings)
    app.state.departments = Departments(settings.departments_file)
    app.state.metrics = metrics
    install_problem_handlers(app)
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes, max_depth=settings.max_json_depth)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestContext, metrics=metrics, trusted_proxies=settings.trusted_proxies)
    app.include_router(_health_router(spec.service, metrics))
    app.include_router(feed_router(spec.service))
    app.include_router(audit_router(spec.service))
    app.include_router(webhooks_router(spec.service))
    for router in spec.routers:
        app.include_router(router)
    return app


async def refuse_unknown_query(request: Request) -> None:
    """A query parameter the operation does not take is 422, as an unknown body field is: a
    misspelt filter (``?departmnet=FIN``) must not quietly answer with everything."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _query_names(route)
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        raise ValidationFailed(
            f"unknown query parameter(s): {', '.join(unknown)}; this operation takes: {', '.join(sorted(known)) or 'none'}",
            code="unknown_query_parameter",
        )


def _query_names(route: APIRoute) -> frozenset[str]:
    """The query parameters the route and its dependencies take (computed once per route)."""
    known: frozenset[str] | None = getattr(route, "_openness_query_names", None)
    if known is None:
        known = frozenset(f.alias for d in openapi.dependants(route.dependant) for f in d.query_params)
        route._openness_query_names = known  # type: ignore[attr-defined]
    return known


def _health_router(service: str, metrics: Metrics) -> APIRouter:
    router = APIRouter(tags=["health 运行状态"])

    @router.get("/healthz", summary="进程存活（不做任何 I/O）")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get("/readyz", summary="就绪：存储可达，跟随者读得到上游（详情仅公开办、审计员可见）")
    def readyz(request: Request) -> JSONResponse:
        application: ServiceApplication | None = getattr(request.app.state, "application", None)
        if application is None:
            return JSONResponse({"status": "starting", "service": service}, status_code=503)
        detailed = sees_operations(request)
        try:
            application.store.ping()
        except Exception as error:
            store = type(error).__name__ if detailed else "unavailable"
            down = {"status": "unavailable", "service": service, "store": store}
            return JSONResponse(down, status_code=503, headers={"Retry-After": "5"})
        followers = [f.status(detailed=detailed) for f in request.app.state.followers]
        if any(status["chain_break"] for status in followers):
            status, code = "upstream_chain_broken", 503
        elif any(status["failing"] for status in followers):
            status, code = "follower_failing", 503  # a source cannot be read (down, or refusing our token)
        else:
            status, code = "ready", 200
        body: dict[str, Any] = {"status": status, "service": service, "store": "ok", "followers": followers}
        return JSONResponse(body, status_code=code, headers={"Retry-After": "5"} if code == 503 else None)

    @router.get(
        "/metrics",
        summary="Prometheus 指标",
        response_class=Response,
        responses={
            200: {
                "description": "Prometheus 文本格式",
                "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
            }
        },
    )
    def prometheus(request: Request) -> Response:
        application = request.app.state.application
        with contextlib.suppress(Exception):  # the store is away: /readyz says so; the rest still shows
            metrics.log_head.labels(service).set(application.head_position())
            violations = application.violations_now(request.app.state.departments.codes())
            metrics.violations.clear()
            for kind, count in violations.items():
                metrics.violations.labels(service, kind).set(count)
        deliverer = getattr(request.app.state, "deliverer", None)
        if deliverer is not None:
            with contextlib.suppress(Exception):  # the store is away: /readyz says so; the rest still shows
                metrics.webhook_queue.clear()
                metrics.webhook_oldest.clear()
                for webhook_id, depth, oldest in deliverer.backlog():
                    metrics.webhook_queue.labels(service, webhook_id).set(depth)
                    metrics.webhook_oldest.labels(service, webhook_id).set(oldest)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router


# --- dependencies the services' routes share ---------------------------------------------------


def _state(name: str) -> Callable[[Request], Any]:
    def dependency(request: Request) -> Any:
        return getattr(request.app.state, name)

    return dependency


CalendarDep = Annotated[WorkingCalendar, Depends(_state("calendar"))]


def _law(request: Request) -> Law:
    return request.app.state.application.law  # type: ignore[no-any-return]


LawDep = Annotated[Law, Depends(_law)]
DepartmentsDep = Annotated[Departments, Depends(_state("departments"))]
SettingsDep = Annotated[Settings, Depends(_state("settings"))]
