"""``create_app(settings)`` for the catalogue service."""

from __future__ import annotations

from fastapi import FastAPI

from services.catalogue.api import routers
from services.catalogue.application import CatalogueApplication
from shared.settings import Settings, get_settings
from shared.web import ServiceSpec, build_app

SPEC = ServiceSpec(
    service="catalogue",
    title="openness catalogue 政务公开目录服务",
    description="主动公开基本目录、政府信息（起草、发布、更正、撤销）、建议提案办理结果、重大决策预公开、依申请公开与年度报告。",
    application_class=CatalogueApplication,
    routers=routers,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app(SPEC, settings or get_settings())
