"""``create_app(settings)`` for the opinion service."""

from __future__ import annotations

from fastapi import FastAPI

from services.opinion.api import router
from services.opinion.application import OpinionApplication
from shared.settings import Settings, get_settings
from shared.web import ServiceSpec, build_app

SPEC = ServiceSpec(
    service="opinion",
    title="openness opinion 政务舆情服务",
    description="舆情事件的监测、预警、研判、处置与回应：5 小时权威发布、24 小时新闻发布会、48 小时回应。",
    application_class=OpinionApplication,
    routers=[router],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app(SPEC, settings or get_settings())
