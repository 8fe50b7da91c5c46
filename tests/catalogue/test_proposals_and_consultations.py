"""NPC/CPPCC replies published without contact details; draft decisions open for comment."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.catalogue.builders import draft, publish
from tests.support import assert_problem, auth


def proposal_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "cppcc_proposal",
        "number": "第0123号",
        "title": "关于加快老旧小区改造的提案",
        "handler_department": "HOUSING",
        "replied_on": "2026-09-30",
        "reply_text": "感谢您的提案。经办人：张三，电话 13812345678，邮箱 zhangsan@example.gov.cn，座机 0571-87654321。",
    }
    body.update(overrides)
    return body


def test_a_reply_is_published_in_full_without_contact_details(catalogue: TestClient, settings: Settings) -> None:
    editor = auth(settings, "editor", dept="HOUSING")
    created = catalogue.post("/catalogue/v1/proposals", json=proposal_body(), headers=editor)
    assert created.status_code == 201, created.text
    proposal = created.json()
    assert proposal["deadline"]["due_on"] == "2026-11-03"  # 20 working days across National Day
    assert_problem(catalogue.get(f"/catalogue/v1/proposals/{proposal['id']}"), 404)  # not yet public
    published = catalogue.post(f"/catalogue/v1/proposals/{proposal['id']}/publish", headers=editor).json()
    text = published["published_text"]
    assert "感谢您的提案" in text
    for secret in ("13812345678", "zhangsan@example.gov.cn", "0571-87654321"):
        assert secret not in text
    assert text.count("[联系方式已删除]") == 3
    public = catalogue.get(f"/catalogue/v1/proposals/{proposal['id']}").json()
    assert public["reply_text"] is None  # the original stays with the department
    assert public["published_text"] == text
    assert public["on_time"] is False  # published today, long after 2026-11-03
    assert_problem(catalogue.post(f"/catalogue/v1/proposals/{proposal['id']}/publish", headers=editor), 409)


def test_only_the_handling_department_records_and_publishes(catalogue: TestClient, settings: Settings) -> None:
    other = auth(settings, "editor", dept="FIN")
    assert_problem(catalogue.post("/catalogue/v1/proposals", json=proposal_body(), headers=other), 403)
    proposal = catalogue.post(
        "/catalogue/v1/proposals", json=proposal_body(), headers=auth(settings, "editor", dept="HOUSING")
    ).json()
    assert_problem(catalogue.post(f"/catalogue/v1/proposals/{proposal['id']}/publish", headers=other), 403)
    assert_problem(catalogue.post("/catalogue/v1/proposals", json=proposal_body(kind="npc"), headers=other), 422)
    assert catalogue.get("/catalogue/v1/audit/head").json()["position"] == 1


def consultation_body(**overrides: Any) -> dict[str, Any]:
    today = date.today()
    body: dict[str, Any] = {
        "department": "TRANSPORT",
        "title": "关于调整公交票价的决策草案",
        "draft": "草案全文……",
        "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
    }
    body.update(overrides)
    return body


def test_a_consultation_takes_comments_and_publishes_how_they_were_adopted(
    catalogue: TestClient, settings: Settings
) -> None:
    editor = auth(settings, "editor", dept="TRANSPORT")
    consultation = catalogue.post("/catalogue/v1/consultations", json=consultation_body(), headers=editor).json()
    url = f"/catalogue/v1/consultations/{consultation['id']}"
    assert consultation["open_for_comment"] is True
    assert catalogue.post(f"{url}/comments", json={"text": "建议保留老年人优惠。"}).status_code == 202
    assert catalogue.get(url).json()["comment_count"] == 1
    assert_problem(
        catalogue.post(f"{url}/result", json={"adoption_summary": "采纳"}, headers=editor),
        409,
        "invalid_state",
        "still_open",
    )


def test_the_comment_period_is_30_days_unless_a_reason_is_given(catalogue: TestClient, settings: Settings) -> None:
    editor = auth(settings, "editor", dept="TRANSPORT")
    short = consultation_body(closes_on=(date.today() + timedelta(days=10)).isoformat())
    assert_problem(
        catalogue.post("/catalogue/v1/consultations", json=short, headers=editor), 422, "comment_period_too_short"
    )
    with_reason = {**short, "shortened_reason": "涉及紧急公共安全事项"}
    assert catalogue.post("/catalogue/v1/consultations", json=with_reason, headers=editor).status_code == 201
    inverted = consultation_body(closes_on="2020-01-01")
    assert_problem(catalogue.post("/catalogue/v1/consultations", json=inverted, headers=editor), 422)


def test_a_closed_consultation_publishes_its_result_linked_to_the_decision(
    catalogue: TestClient, settings: Settings
) -> None:
    editor = auth(settings, "editor", dept="TRANSPORT")
    past = consultation_body(opens_on="2026-01-05", closes_on="2026-02-10")
    consultation = catalogue.post("/catalogue/v1/consultations", json=past, headers=editor).json()
    url = f"/catalogue/v1/consultations/{consultation['id']}"
    assert_problem(
        catalogue.post(f"{url}/comments", json={"text": "太晚了"}), 409, "invalid_state", "not_open_for_comment"
    )
    decision = publish(
        catalogue, settings, draft(catalogue, settings, dept="TRANSPORT", title="关于调整公交票价的决定")
    )
    unknown = {
        "adoption_summary": "共收到意见12条，采纳5条。",
        "decision_record_id": "00000000-0000-4000-8000-000000000000",
    }
    assert_problem(catalogue.post(f"{url}/result", json=unknown, headers=editor), 422, "unknown_record")
    result = {"adoption_summary": "共收到意见12条，采纳5条。", "decision_record_id": decision["id"]}
    done = catalogue.post(f"{url}/result", json=result, headers=editor)
    assert done.status_code == 200, done.text
    assert done.json()["decision_record_id"] == decision["id"]
    assert_problem(catalogue.post(f"{url}/result", json=result, headers=auth(settings, "editor", dept="FIN")), 403)


def test_public_comments_are_limited_in_length_and_rate(catalogue: TestClient, settings: Settings) -> None:
    consultation = catalogue.post(
        "/catalogue/v1/consultations", json=consultation_body(), headers=auth(settings, "editor", dept="TRANSPORT")
    ).json()
    url = f"/catalogue/v1/consultations/{consultation['id']}/comments"
    assert_problem(catalogue.post(url, json={"text": "长" * 2001}), 422)
    assert_problem(catalogue.post(url, json={"text": "x\u202e"}), 422)
    # Every attempt counts, refused or not: the two above and three good ones use up five.
    statuses = [catalogue.post(url, json={"text": f"意见{n}"}).status_code for n in range(4)]
    assert statuses == [202, 202, 202, 429]
    assert catalogue.get(f"/catalogue/v1/consultations/{consultation['id']}").json()["comment_count"] == 3
    limited = catalogue.post(url, json={"text": "再来一条"})
    body = assert_problem(limited, 429, "rate_limited")
    assert int(limited.headers["retry-after"]) >= 1
    assert "retry" in body["detail"]
