"""Arrange helpers for catalogue stories."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.support import auth


def record_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "department": "FIN",
        "title": "关于2026年市级财政预算公开的通知",
        "category": "announcement",  # a working-day limit (budgets run on calendar days)
        "area": "fiscal_budget",
        "doc_number": "某财发〔2026〕1号",
        "formed_on": "2026-09-25",
        "body": "根据《政府信息公开条例》，现将预算公开如下。",
    }
    body.update(overrides)
    return body


def draft(client: TestClient, settings: Settings, dept: str = "FIN", **overrides: Any) -> dict[str, Any]:
    response = client.post(
        "/catalogue/v1/records",
        json=record_body(department=dept, **overrides),
        headers=auth(settings, "editor", dept=dept),
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def publish(client: TestClient, settings: Settings, record: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        f"/catalogue/v1/records/{record['id']}/publish", headers=auth(settings, "editor", dept=record["department"])
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
