"""The event feed: positions, paging, type filters, long polling, who may read it."""

from __future__ import annotations

import base64
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from shared.settings import Settings
from tests.catalogue.builders import draft, publish, record_body
from tests.support import assert_problem, auth, service_client


def test_pages_in_position_order_with_plain_json_data(catalogue: TestClient, settings: Settings) -> None:
    for n in range(3):
        publish(catalogue, settings, draft(catalogue, settings, title=f"通知{n}"))
    reader = auth(settings, "platform")
    first = catalogue.get("/catalogue/v1/events?limit=4", headers=reader).json()
    assert [i["position"] for i in first["items"]] == [1, 2, 3, 4]
    assert first["has_more"] is True
    assert first["next_after"] == 4
    assert first["head_position"] == 6
    rest = catalogue.get("/catalogue/v1/events?after=4", headers=reader).json()
    assert [i["position"] for i in rest["items"]] == [5, 6]
    assert rest["has_more"] is False
    item = first["items"][0]
    assert item["type"] == "catalogue.RecordDrafted"
    assert item["data"]["title"] == "通知0"
    assert item["data"]["formed_on"] == "2026-09-25"
    assert item["stream_version"] == 1
    assert item["schema_version"] == 3  # RecordDrafted v3 records time_limit {days, kind}
    assert item["recorded_at"].endswith("Z")
    assert item["occurred_at"].endswith("+08:00")


def test_type_filter(catalogue: TestClient, settings: Settings) -> None:
    publish(catalogue, settings, draft(catalogue, settings))
    draft(catalogue, settings)
    only = catalogue.get(
        "/catalogue/v1/events?types=catalogue.RecordPublished", headers=auth(settings, "auditor")
    ).json()
    assert [(i["position"], i["type"]) for i in only["items"]] == [(2, "catalogue.RecordPublished")]
    none = catalogue.get("/catalogue/v1/events?types=catalogue.NoSuchThing", headers=auth(settings, "auditor")).json()
    assert none["items"] == []
    assert_problem(catalogue.get("/catalogue/v1/events?types=,,", headers=auth(settings, "auditor")), 422)
    assert_problem(catalogue.get("/catalogue/v1/events?wait=31", headers=auth(settings, "auditor")), 422)
    assert_problem(catalogue.get("/catalogue/v1/events?after=-1", headers=auth(settings, "auditor")), 422)


def test_long_polling_returns_when_an_event_arrives(catalogue: TestClient, settings: Settings) -> None:
    def write_soon() -> None:
        time.sleep(0.5)
        draft(catalogue, settings, title="等待中的通知")

    writer = threading.Thread(target=write_soon)
    writer.start()
    started = time.monotonic()
    page = catalogue.get("/catalogue/v1/events?wait=20", headers=auth(settings, "platform")).json()
    writer.join()
    assert [i["data"]["title"] for i in page["items"]] == ["等待中的通知"]
    assert time.monotonic() - started < 20  # woken by the write, not by the timeout


def test_an_empty_wait_times_out_with_no_items(catalogue: TestClient, settings: Settings) -> None:
    page = catalogue.get("/catalogue/v1/events?after=0&wait=0.3", headers=auth(settings, "platform")).json()
    assert page == {"items": [], "next_after": 0, "has_more": False, "head_position": 0}


def test_a_filtered_long_poll_waits_without_spinning_and_reports_how_far_it_scanned(
    catalogue: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        draft(catalogue, settings, title=f"草稿{n}")  # three events no filter below matches
    app = catalogue.app.state.application  # type: ignore[attr-defined]
    scanned_from: list[int] = []
    scan_feed = app.scan_feed

    def counted(*, after: int, limit: int, types: list[str] | None) -> object:
        scanned_from.append(after)
        return scan_feed(after=after, limit=limit, types=types)

    monkeypatch.setattr(app, "scan_feed", counted)
    reader = auth(settings, "auditor")
    page = catalogue.get(
        "/catalogue/v1/events",
        params={"after": 0, "types": "catalogue.RecordPublished", "wait": 5},
        headers=reader,
    ).json()
    assert (page["items"], page["next_after"], page["has_more"]) == ([], 3, False)
    # It used to rescan for the whole wait, burning a core (thousands of scans in 5 s). Now it
    # reads once, then only when woken, from where it got to. What may wake it here: the head
    # check (every OPENNESS_FEED_RECHECK_SECONDS) seeing the three drafts late, once per draft at
    # most, and the PostgreSQL listener saying it has started. Counted rather than timed: the
    # test process's CPU time also holds its garbage collections (once 3 s of a CI run).
    assert len(scanned_from) <= 1 + 3 + 1, scanned_from
    assert scanned_from[0] == 0, scanned_from
    assert set(scanned_from[1:]) <= {3}, scanned_from
    published = publish(catalogue, settings, draft(catalogue, settings, title="终于发布"))
    page = catalogue.get(
        "/catalogue/v1/events", params={"after": 3, "types": "catalogue.RecordPublished"}, headers=reader
    ).json()
    assert [(i["type"], i["stream_id"]) for i in page["items"]] == [("catalogue.RecordPublished", published["id"])]
    assert page["next_after"] == 5


def test_a_stored_event_that_no_longer_decodes_is_flagged_never_a_500(
    catalogue: TestClient, settings: Settings
) -> None:
    for n in range(3):
        draft(catalogue, settings, title=f"通知{n}")
    app = catalogue.app.state.application  # type: ignore[attr-defined]
    with app.store.engine.begin() as connection:
        connection.execute(text("UPDATE catalogue_events SET state = :s WHERE id = 2"), {"s": b"\xff{not json"})
    auditor = catalogue.get("/catalogue/v1/events", headers=auth(settings, "auditor"))
    assert auditor.status_code == 200
    broken = auditor.json()["items"][1]
    assert (broken["position"], broken["undecodable"]) == (2, True)
    assert base64.b64decode(broken["data"]["raw_base64"]) == b"\xff{not json"
    platform = catalogue.get("/catalogue/v1/events", headers=auth(settings, "platform")).json()["items"][1]
    assert (platform["undecodable"], platform["data"], platform["redacted"]) == (True, {}, True)
    verdict = catalogue.get("/catalogue/v1/audit/verify", headers=auth(settings, "auditor")).json()
    assert (verdict["ok"], verdict["first_broken_position"]) == (False, 2)


def test_waiting_long_polls_hold_no_worker_thread(catalogue: TestClient, settings: Settings) -> None:
    """More waiting polls than the server has worker threads (40): a write still gets through
    while every one of them is waiting."""
    finished: list[tuple[str, float]] = []

    def poll(n: int) -> None:
        reader = auth(settings, "auditor", sub=f"platform-{n % 6}")  # six readers, ten polls each
        answer = catalogue.get(
            "/catalogue/v1/events", params={"types": "catalogue.RecordRevoked", "wait": 8}, headers=reader
        )
        finished.append(("poll" if answer.status_code == 200 else f"poll {answer.status_code}", time.monotonic()))

    polls = [threading.Thread(target=poll, args=(n,)) for n in range(60)]
    for thread in polls:
        thread.start()
    time.sleep(1.0)  # let them all start waiting (8 s: ample on a loaded 2-core CI machine)
    started = time.monotonic()
    created = catalogue.post("/catalogue/v1/records", json=record_body(), headers=auth(settings, "editor", dept="FIN"))
    finished.append(("write", time.monotonic()))
    took = time.monotonic() - started
    assert created.status_code == 201
    assert catalogue.get("/healthz").status_code == 200
    for thread in polls:
        thread.join()
    order = [name for name, _ in sorted(finished, key=lambda f: f[1])]
    assert order[0] == "write", f"the write took {took:.2f} s; {order[:3]}"  # answered while all 60 polls waited


def test_a_caller_may_keep_only_so_many_polls_waiting(settings: Settings) -> None:
    limited = settings.model_copy(update={"feed_max_polls_per_principal": 2})
    with service_client("catalogue", limited) as catalogue:
        answers: list[int] = []

        def poll(sub: str) -> None:
            headers = auth(limited, "auditor", sub=sub)
            answers.append(catalogue.get("/catalogue/v1/events", params={"wait": 2}, headers=headers).status_code)

        waiting = [threading.Thread(target=poll, args=("platform-a",)) for _ in range(2)]
        for thread in waiting:
            thread.start()
        time.sleep(0.5)
        third = catalogue.get(
            "/catalogue/v1/events", params={"wait": 2}, headers=auth(limited, "auditor", sub="platform-a")
        )
        assert_problem(third, 429, "too_many_polls")
        assert third.headers["Retry-After"] == "1"
        other = catalogue.get(
            "/catalogue/v1/events", params={"wait": 0.2}, headers=auth(limited, "auditor", sub="platform-b")
        )
        assert other.status_code == 200  # another caller is not limited by platform-a's polls
        no_wait = catalogue.get("/catalogue/v1/events", headers=auth(limited, "auditor", sub="platform-a"))
        assert no_wait.status_code == 200  # a page that does not wait is never refused
        for thread in waiting:
            thread.join()
        assert answers == [200, 200]
        again = catalogue.get(
            "/catalogue/v1/events", params={"wait": 0.1}, headers=auth(limited, "auditor", sub="platform-a")
        )
        assert again.status_code == 200  # the slots are given back when the polls return
