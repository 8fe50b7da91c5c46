"""Contract: interpretation reads the catalogue's /events feed over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.catalogue.builders import draft, publish
from tests.support import assert_problem, auth, service_client


@pytest.fixture
def services(settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    with (
        service_client("catalogue", settings) as catalogue,
        service_client("interpretation", settings) as interpretation,
    ):
        for follower in interpretation.app.state.followers:  # type: ignore[attr-defined]
            follower.client = catalogue  # the real catalogue app, spoken to over HTTP (ASGI transport)
            follower.base_url = "http://testserver"
        yield catalogue, interpretation


def _interpretation(policy_id: str, principal: bool = False) -> dict[str, object]:
    return {
        "department": "FIN",
        "policy_record_id": policy_id,
        "title": "一图读懂预算政策",
        "form": "graphic",
        "interpreter": {"name": "王局长", "position": "局长", "principal": principal},
        "body": "图解正文",
    }


def test_a_policy_published_a_moment_ago_is_interpretable(
    services: tuple[TestClient, TestClient], settings: Settings
) -> None:
    catalogue, interpretation = services
    policy = publish(catalogue, settings, draft(catalogue, settings, category="policy"))
    editor = auth(settings, "editor", dept="FIN")
    created = interpretation.post(
        "/interpretation/v1/interpretations", json=_interpretation(policy["id"]), headers=editor
    )
    assert created.status_code == 201, created.text
    published = interpretation.post(
        f"/interpretation/v1/interpretations/{created.json()['id']}/publish", headers=editor
    )
    assert published.status_code == 200
    assert published.json()["lag_working_days"] == 0
    assert published.json()["in_sync"] is True
    follower = interpretation.app.state.followers[0]  # type: ignore[attr-defined]
    assert follower.position() == 2  # drafted and published, each applied once


def test_an_unknown_policy_is_422(services: tuple[TestClient, TestClient], settings: Settings) -> None:
    _, interpretation = services
    body = _interpretation("00000000-0000-4000-8000-000000000000")
    response = interpretation.post(
        "/interpretation/v1/interpretations", json=body, headers=auth(settings, "editor", dept="FIN")
    )
    assert_problem(response, 422, "unknown_policy")


def test_a_principal_interpretation_is_published_by_the_head(
    services: tuple[TestClient, TestClient], settings: Settings
) -> None:
    catalogue, interpretation = services
    policy = publish(catalogue, settings, draft(catalogue, settings, category="policy"))
    editor, head = auth(settings, "editor", dept="FIN"), auth(settings, "head", dept="FIN")
    created = interpretation.post(
        "/interpretation/v1/interpretations", json=_interpretation(policy["id"], True), headers=editor
    )
    url = f"/interpretation/v1/interpretations/{created.json()['id']}/publish"
    assert_problem(interpretation.post(url, headers=editor), 403, "head_required")
    assert_problem(interpretation.post(url, headers=auth(settings, "head", dept="EDU")), 404)
    assert interpretation.post(url, headers=head).json()["status"] == "published"
    public = interpretation.get("/interpretation/v1/interpretations?department=FIN").json()["items"]
    assert [(i["principal"], i["in_sync"]) for i in public] == [(True, True)]
