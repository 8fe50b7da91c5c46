"""``create_app(settings)`` for the assessment service."""

from __future__ import annotations

from fastapi import FastAPI

from services.assessment.api import router
from services.assessment.application import AssessmentApplication
from services.assessment.desk.routes import router as desk_router
from services.assessment.projection import record_fact, record_facts
from services.assessment.world import UPSTREAMS
from shared.follower import FollowSpec
from shared.settings import Settings, get_settings
from shared.web import ServiceSpec, build_app

SPEC = ServiceSpec(
    service="assessment",
    title="openness assessment 政务公开考核服务",
    description="跟随目录、解读、舆情三个服务的事件流，按部门计算可复核的考核得分；通报批评与约谈整改。",
    application_class=AssessmentApplication,
    routers=[router, desk_router],
    followers=[
        FollowSpec(upstream, record_fact(upstream), handle_batch=record_facts(upstream)) for upstream in UPSTREAMS
    ],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app(SPEC, settings or get_settings())
