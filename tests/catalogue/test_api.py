"""A department editor's day with disclosure records, through HTTP."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session

from services.catalogue import projection as catalogue_projection
from shared.settings import Settings
from tests.catalogue.builders import draft, publish, record_body
from tests.support import assert_problem, auth, service_client


def _head(client: TestClient) -> int:
    return int(client.get("/catalogue/v1/audit/head").json()["position"])


def test_draft_publish_correct_revoke_with_history(catalogue: TestClient, settings: Settings) -> None:
    record = draft(catalogue, settings)
    assert record["status"] == "draft"
    assert record["index_number"] == "FIN-2026-000001"
    assert record["version"] == 1
    published = publish(catalogue, settings, record)
    assert published["status"] == "published"
    assert published["published_at"].endswith("+08:00")
    headers = auth(settings, "head", dept="FIN")
    corrected = catalogue.post(
        f"/catalogue/v1/records/{record['id']}/correct",
        json={"body": "更正后的正文", "reason": "数字有误"},
        headers=headers,
    )
    assert corrected.status_code == 200
    assert corrected.headers["etag"] == '"3"'
    revoked = catalogue.post(
        f"/catalogue/v1/records/{record['id']}/revoke", json={"reason": "已废止"}, headers=auth(settings, "office")
    )
    assert revoked.json()["status"] == "revoked"
    public = catalogue.get(f"/catalogue/v1/records/{record['id']}")  # still readable, as revoked
    assert public.status_code == 200
    assert public.json()["status"] == "revoked"
    history = catalogue.get(f"/catalogue/v1/records/{record['id']}/history").json()["items"]
    assert [h["change"] for h in history] == ["drafted", "published", "corrected", "revoked"]
    assert history[2]["reason"] == "数字有误"
    assert history[2]["changed_fields"] == ["body"]
    assert history[1]["body"] == record_body()["body"]
    assert history[2]["body"] == "更正后的正文"
    # a version the database copies the texts into (publish, revoke) holds them as they were then
    assert (history[1]["title"], history[1]["changed_fields"], history[1]["reason"]) == (record["title"], [], None)
    assert (history[3]["body"], history[3]["changed_fields"], history[3]["reason"]) == ("更正后的正文", [], "已废止")
    assert history[3]["title"] == record["title"]
    assert history[3]["at"].endswith("+08:00")


def test_index_numbers_are_unique_per_department_and_year(catalogue: TestClient, settings: Settings) -> None:
    numbers = [draft(catalogue, settings)["index_number"] for _ in range(3)]
    numbers.append(draft(catalogue, settings, dept="EDU")["index_number"])
    numbers.append(draft(catalogue, settings, formed_on="2025-12-31")["index_number"])
    assert numbers == ["FIN-2026-000001", "FIN-2026-000002", "FIN-2026-000003", "EDU-2026-000001", "FIN-2025-000001"]


def test_another_department_cannot_write_and_does_not_see_drafts(catalogue: TestClient, settings: Settings) -> None:
    record = draft(catalogue, settings)
    before = _head(catalogue)
    edu = auth(settings, "editor", dept="EDU")
    assert_problem(catalogue.post("/catalogue/v1/records", json=record_body(), headers=edu), 403, "other_department")
    assert_problem(catalogue.post(f"/catalogue/v1/records/{record['id']}/publish", headers=edu), 404)
    assert_problem(catalogue.get(f"/catalogue/v1/records/{record['id']}", headers=edu), 404)
    assert_problem(catalogue.get(f"/catalogue/v1/records/{record['id']}"), 404)
    publish(catalogue, settings, record)
    after_publish = _head(catalogue)
    for verb, body in (("correct", {"title": "改", "reason": "r"}), ("revoke", {"reason": "r"})):
        assert_problem(catalogue.post(f"/catalogue/v1/records/{record['id']}/{verb}", json=body, headers=edu), 403)
    assert_problem(
        catalogue.post(f"/catalogue/v1/records/{record['id']}/publish", headers=auth(settings, "auditor")), 403
    )
    assert before + 1 == after_publish == _head(catalogue)


def test_if_match_and_illegal_state(catalogue: TestClient, settings: Settings) -> None:
    record = draft(catalogue, settings)
    headers = auth(settings, "editor", dept="FIN")
    stale = {**headers, "If-Match": '"7"'}
    assert_problem(
        catalogue.post(f"/catalogue/v1/records/{record['id']}/publish", headers=stale), 412, "version_mismatch"
    )
    current = {**headers, "If-Match": '"1"'}
    assert catalogue.post(f"/catalogue/v1/records/{record['id']}/publish", headers=current).status_code == 200
    again = catalogue.post(f"/catalogue/v1/records/{record['id']}/publish", headers=current)
    assert_problem(again, 412)  # the same If-Match twice: the second is stale
    assert_problem(
        catalogue.post(f"/catalogue/v1/records/{record['id']}/publish", headers=headers), 409, "invalid_state"
    )


def test_the_public_sees_published_records_and_editors_also_their_drafts(
    catalogue: TestClient, settings: Settings
) -> None:
    shown = publish(catalogue, settings, draft(catalogue, settings, title="公开的通知"))
    draft(catalogue, settings, title="草稿")
    draft(catalogue, settings, dept="EDU", title="教育草稿")
    public = catalogue.get("/catalogue/v1/records").json()
    assert [r["title"] for r in public["items"]] == ["公开的通知"]
    assert public["next_cursor"] is None
    mine = catalogue.get("/catalogue/v1/records", headers=auth(settings, "editor", dept="FIN")).json()
    assert sorted(r["title"] for r in mine["items"]) == ["公开的通知", "草稿"]
    assert catalogue.get("/catalogue/v1/records?department=EDU").json()["items"] == []
    assert catalogue.get(f"/catalogue/v1/records/{shown['id']}").headers["etag"] == '"2"'


def test_cursor_pagination_walks_every_visible_record_once(catalogue: TestClient, settings: Settings) -> None:
    for n in range(5):
        publish(catalogue, settings, draft(catalogue, settings, title=f"第{n}号"))
    seen: list[str] = []
    url = "/catalogue/v1/records?limit=2"
    while url:
        page = catalogue.get(url).json()
        seen.extend(r["title"] for r in page["items"])
        url = f"/catalogue/v1/records?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert sorted(seen) == [f"第{n}号" for n in range(5)]


def test_deadline_is_explained_and_judged(catalogue: TestClient, settings: Settings) -> None:
    record = draft(catalogue, settings, formed_on="2026-09-30")
    # By hand: 10-01..07 holiday; 10-08, 10-09, Saturday 10-10 (调休) are days 1-3; 10-12..16 are 4-8;
    # 10-19..23 are 9-13; 10-26..30 are 14-18; 11-02 is 19; 11-03 is the 20th working day.
    assert record["deadline"] == {
        "start_on": "2026-09-30",
        "kind": "working",
        "days": 20,
        "working_days": 20,
        "due_on": "2026-11-03",
        "calendar_provisional": False,
    }
    assert record["on_time"] is False  # unpublished and already past due (today is later)
    late = publish(catalogue, settings, record)
    assert late["on_time"] is False
    future = draft(catalogue, settings, formed_on="2026-12-30")
    assert future["deadline"]["calendar_provisional"] is True
    assert future["on_time"] is None


def test_content_hash_lets_anyone_check_a_downloaded_copy(catalogue: TestClient, settings: Settings) -> None:
    record = publish(catalogue, settings, draft(catalogue, settings))
    copy = {
        "index_number": record["index_number"],
        "department": record["department"],
        "doc_number": record["doc_number"],
        "formed_on": record["formed_on"],
        "title": record["title"],
        "body": record["body"],
        "attachments": record["attachments"],
    }
    canonical = json.dumps(copy, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert hashlib.new("sm3", canonical).hexdigest() == record["content_hash"]


def test_a_new_years_holiday_notice_redates_open_records(settings: Settings, tmp_path: Path) -> None:
    with service_client("catalogue", settings) as client:
        record = draft(client, settings, formed_on="2026-12-17")
    assert record["deadline"] == {
        "start_on": "2026-12-17",
        "kind": "working",
        "days": 20,
        "working_days": 20,
        "due_on": "2027-01-14",
        "calendar_provisional": True,
    }
    notice = tmp_path / "calendar.json"
    notice.write_text(json.dumps({"2027": {"holidays": ["2027-01-01"], "workdays": []}}), encoding="utf-8")
    with service_client("catalogue", settings.model_copy(update={"calendar_file": notice})) as client:
        redated = client.get(
            f"/catalogue/v1/records/{record['id']}", headers=auth(settings, "editor", dept="FIN")
        ).json()
    assert redated["deadline"] == {
        "start_on": "2026-12-17",
        "kind": "working",
        "days": 20,
        "working_days": 20,
        "due_on": "2027-01-15",
        "calendar_provisional": False,
    }


def test_a_version_row_for_a_record_without_a_row_fails_loudly(catalogue: TestClient) -> None:
    """A publish's or revoke's version copies the record row's texts in the database; a record
    the read model lacks is an error, as reading its texts back was, never a silent gap."""
    app = catalogue.app.state.application  # type: ignore[attr-defined]
    change = SimpleNamespace(originator_id="no-such-record", originator_version=2, timestamp=datetime.now(UTC))
    with Session(app.store.engine) as session, pytest.raises(NoResultFound):  # rolled back when closed
        catalogue_projection._history(session, change, "published", [], None, "editor")
