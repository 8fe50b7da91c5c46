"""Four services in one process, followers wired over ASGI, one server clock for all of them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.catalogue.builders import record_body
from tests.support import auth, service_client

AS_OF = "2026-11-26T12:00:00+08:00"


@dataclass
class City:
    settings: Settings
    catalogue: TestClient
    interpretation: TestClient
    opinion: TestClient
    assessment: TestClient

    def at(self, moment: str) -> City:
        """Set every service's clock (published_at, recorded_at, issued_at...) to ``moment``."""
        instant = datetime.fromisoformat(moment).astimezone(UTC)
        for client in (self.catalogue, self.interpretation, self.opinion, self.assessment):
            client.app.state.application.clock = lambda instant=instant: instant  # type: ignore[attr-defined]
        return self

    def follow(self) -> None:
        for client in (self.interpretation, self.assessment):
            for follower in client.app.state.followers:  # type: ignore[attr-defined]
                follower.catch_up()

    def post(
        self, client: TestClient, path: str, body: dict[str, Any] | None = None, *roles: str, dept: str | None = None
    ) -> Any:
        response = client.post(path, json=body or {}, headers=auth(self.settings, *roles, dept=dept))
        assert response.status_code in (200, 201), (path, response.text)
        return response.json()


@contextmanager
def city(settings: Settings) -> Iterator[City]:
    with ExitStack() as stack:
        clients = {
            s: stack.enter_context(service_client(s, settings))
            for s in ("catalogue", "interpretation", "opinion", "assessment")
        }
        for client in (clients["interpretation"], clients["assessment"]):
            for follower in client.app.state.followers:  # type: ignore[attr-defined]
                follower.client, follower.base_url = clients[follower.spec.upstream], "http://testserver"
        yield City(settings, **clients)


def _record(c: City, dept: str, formed_on: str, published_at: str | None, **extra: Any) -> dict[str, Any]:
    c.at(f"{formed_on}T09:00:00+08:00")
    record = c.post(
        c.catalogue,
        "/catalogue/v1/records",
        record_body(department=dept, formed_on=formed_on, **extra),
        "editor",
        dept=dept,
    )
    if published_at:
        c.at(published_at)
        c.post(c.catalogue, f"/catalogue/v1/records/{record['id']}/publish", None, "editor", dept=dept)
    return record


def _interpretation(c: City, dept: str, policy_id: str, at: str, principal: bool) -> None:
    body = {
        "department": dept,
        "policy_record_id": policy_id,
        "title": "解读",
        "form": "text",
        "interpreter": {"name": "负责人", "position": "局长", "principal": principal},
        "body": "解读正文",
    }
    c.follow()
    made = c.post(c.interpretation, "/interpretation/v1/interpretations", body, "head", dept=dept)
    c.at(at)
    c.post(c.interpretation, f"/interpretation/v1/interpretations/{made['id']}/publish", None, "head", dept=dept)


def build_year(c: City) -> dict[str, Any]:
    """A small 2026 by hand (FIN and EDU): every indicator, a deduction each, facts recorded over the
    months; the clocks end at ``AS_OF``."""
    office = ("office",)
    c.at("2026-01-05T09:00:00+08:00")
    for code in ("FIN-A", "FIN-B"):
        item = {
            "code": code,
            "name": "事项",
            "area": "fiscal_budget",
            "content": "内容",
            "basis": "依据",
            "department": "FIN",
            "channels": ["website"],
        }
        c.post(c.catalogue, "/catalogue/v1/items", item, *office)
    # FIN disclosure: formed 03-02, due 03-30. r1 on time, r2 late, r3 never published, r4 not yet due.
    r1 = _record(c, "FIN", "2026-03-02", "2026-03-10T10:00:00+08:00", category="policy", item_code="FIN-A")
    _record(c, "FIN", "2026-03-02", "2026-04-15T10:00:00+08:00", category="policy")
    _record(c, "FIN", "2026-03-02", None, category="announcement")
    _record(c, "FIN", "2026-11-20", None, category="announcement")
    # FIN interpretations: r1 explained a day later (in sync), twice as principal; r2 never explained.
    _interpretation(c, "FIN", r1["id"], "2026-03-11T10:00:00+08:00", principal=True)
    _interpretation(c, "FIN", r1["id"], "2026-05-06T10:00:00+08:00", principal=True)
    # FIN proposals: p1 published 4 days after the reply, p2 never.
    c.at("2026-06-01T09:00:00+08:00")
    reply = {
        "kind": "npc_suggestion",
        "number": "1",
        "title": "建议",
        "handler_department": "FIN",
        "replied_on": "2026-06-01",
        "reply_text": "答复",
    }
    p1 = c.post(c.catalogue, "/catalogue/v1/proposals", reply, "editor", dept="FIN")
    c.post(c.catalogue, "/catalogue/v1/proposals", {**reply, "number": "2"}, "editor", dept="FIN")
    c.at("2026-06-05T09:00:00+08:00")
    c.post(c.catalogue, f"/catalogue/v1/proposals/{p1['id']}/publish", None, "editor", dept="FIN")
    # FIN opinion: release at +3 h (met), press conference at +30 h (missed).
    c.at("2026-05-01T08:00:00+08:00")
    incident = {
        "title": "突发事件",
        "source": "monitoring",
        "detected_at": "2026-05-01T08:00:00+08:00",
        "topic": "disaster",
        "severity": "especially_major",
        "emergency": True,
        "lead_department": "FIN",
    }
    made = c.post(c.opinion, "/opinion/v1/incidents", incident, *office)
    full = {"cause": "因", "solution": "策", "constraints": "限"}
    for kind, at in (
        ("authoritative_release", "2026-05-01T11:00:00+08:00"),
        ("press_conference", "2026-05-02T14:00:00+08:00"),
    ):
        c.at(at)
        c.post(
            c.opinion,
            f"/opinion/v1/incidents/{made['id']}/responses",
            {"kind": kind, "at": at, "channel": "官网", "summary": "回应", "explains": full},
            "editor",
            dept="FIN",
        )
    # FIN requests: due 10-30; one replied 10-30 (on time), one 11-02 (late), one received 11-20 (pending).
    for received, replied in (("2026-09-28", "2026-10-30"), ("2026-09-28", "2026-11-02"), ("2026-11-20", None)):
        c.at(f"{received}T09:00:00+08:00")
        body = {
            "department": "FIN",
            "applicant": {"type": "commercial", "name": "某公司", "contact": "x"},
            "description": "申请",
            "channel": "in_person",
            "received_on": received,
        }
        request = c.post(c.catalogue, "/catalogue/v1/requests", body, "editor", dept="FIN")
        if replied:
            c.at(f"{replied}T09:00:00+08:00")
            c.post(
                c.catalogue,
                f"/catalogue/v1/requests/{request['id']}/replied",
                {"on": replied, "outcome": "granted"},
                "editor",
                dept="FIN",
            )
    # EDU: one policy published the next day and explained the same day by its head, three times.
    e1 = _record(c, "EDU", "2026-06-01", "2026-06-02T10:00:00+08:00", category="policy")
    for _ in range(3):
        _interpretation(c, "EDU", e1["id"], "2026-06-02T15:00:00+08:00", principal=True)
    # Actions: FIN criticised, EDU interviewed.
    c.at("2026-07-01T09:00:00+08:00")
    c.post(
        c.assessment,
        "/assessment/v1/actions",
        {
            "department": "FIN",
            "kind": "circulated_criticism",
            "reason": "发布会超时",
            "refs": [{"service": "opinion", "ref_id": made["id"]}],
        },
        *office,
    )
    c.post(
        c.assessment,
        "/assessment/v1/actions",
        {"department": "EDU", "kind": "rectification_interview", "reason": "约谈"},
        *office,
    )
    c.at(AS_OF)
    c.follow()
    return {"incident": made["id"]}
