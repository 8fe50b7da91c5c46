"""``create_app(settings)`` for the interpretation service."""

from __future__ import annotations

from fastapi import FastAPI

from services.interpretation.api import router
from services.interpretation.application import InterpretationApplication
from services.interpretation.projection import POLICY_TYPES, follow_catalogue
from shared.follower import FollowSpec
from shared.settings import Settings, get_settings
from shared.web import ServiceSpec, build_app

SPEC = ServiceSpec(
    service="interpretation",
    title="openness interpretation 政策解读服务",
    description="政策解读与政策文件同步发布（三同步，≤ 3 个工作日），第一解读人年度数量。",
    application_class=InterpretationApplication,
    routers=[router],
    followers=[FollowSpec("catalogue", follow_catalogue, types=POLICY_TYPES)],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app(SPEC, settings or get_settings())
