"""Replicas: several processes serving one service wake each other's long polls.

Each ``service_client`` below is a separate application with its own engine, feed waiter and
(on PostgreSQL) LISTEN connection, exactly what a second process is; they share the store.
"""

from __future__ import annotations

import statistics
import threading
import time

import pytest

from shared.settings import Settings
from tests.catalogue.builders import record_body
from tests.support import auth, service_client


def _wake_latencies(settings: Settings, trials: int) -> list[float]:
    latencies = []
    with service_client("catalogue", settings) as first, service_client("catalogue", settings) as second:
        reader, editor = auth(settings, "auditor"), auth(settings, "editor", dept="FIN")
        for _ in range(trials):
            head = first.get("/catalogue/v1/events", headers=reader).json()["head_position"]
            answered: dict[str, float | list[object]] = {}

            def poll(head: int = head, answered: dict[str, float | list[object]] = answered) -> None:
                page = first.get("/catalogue/v1/events", params={"after": head, "wait": 10}, headers=reader).json()
                answered["at"], answered["items"] = time.monotonic(), page["items"]

            waiting = threading.Thread(target=poll)
            waiting.start()
            time.sleep(0.3)  # the poll is waiting on the first replica
            assert second.post("/catalogue/v1/records", json=record_body(), headers=editor).status_code == 201
            committed = time.monotonic()
            waiting.join()
            assert len(answered["items"]) == 1  # type: ignore[arg-type]
            latencies.append(max(0.0, float(answered["at"]) - committed))  # type: ignore[arg-type]
    return latencies


def test_a_commit_on_one_replica_wakes_a_long_poll_on_another_through_listen_notify(
    backend: str, settings: Settings
) -> None:
    if backend != "postgres":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite replicas are covered by the head watch below")
    # The periodic head check is pushed far out: only a notification can wake the poll in time.
    latencies = _wake_latencies(settings.model_copy(update={"feed_recheck_seconds": 60}), trials=5)
    assert statistics.median(latencies) < 0.2, latencies  # api.md: within 200 ms of the commit
    assert max(latencies) < 1.0, latencies


def test_replicas_see_each_others_commits_without_notifications(settings: Settings) -> None:
    """The head watch alone (SQLite has no notifications) wakes a poll within its recheck interval."""
    latencies = _wake_latencies(settings.model_copy(update={"feed_recheck_seconds": 0.2}), trials=3)
    assert max(latencies) < 2.0, latencies


def test_idempotency_and_index_numbers_hold_across_replicas(settings: Settings) -> None:
    """The same Idempotency-Key sent to two replicas at once creates one record; creates spread
    over both replicas get contiguous index numbers and gap-free positions."""
    editor = auth(settings, "editor", dept="FIN")
    with service_client("catalogue", settings) as first, service_client("catalogue", settings) as second:
        answers: list[dict[str, object]] = []

        def create(client: object, key: str) -> None:
            response = client.post(  # type: ignore[attr-defined]
                "/catalogue/v1/records", json=record_body(), headers={**editor, "Idempotency-Key": key}
            )
            assert response.status_code == 201, response.text
            answers.append(response.json())

        for n in range(6):
            both = [threading.Thread(target=create, args=(c, f"same-key-{n}")) for c in (first, second)]
            for thread in both:
                thread.start()
            for thread in both:
                thread.join()
        by_key = [answers[i : i + 2] for i in range(0, len(answers), 2)]
        assert all(a["id"] == b["id"] for a, b in by_key)  # one record per key, whichever replica answered
        numbers = sorted(str(a["index_number"]) for a, _ in by_key)
        assert numbers == [f"FIN-2026-{n:06d}" for n in range(1, 7)]
        page = second.get("/catalogue/v1/events", headers=auth(settings, "auditor")).json()
        assert [i["position"] for i in page["items"]] == list(range(1, 7))
