"""Webhook subscriptions (the same kernel routes on every service) and their delivery: signed
CloudEvents, retries on the schedule, Retry-After, 410, redelivery, filters, redaction."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.settings import Settings
from shared.webhooks.deliverer import Sender
from shared.webhooks.messages import signed_headers
from tests.catalogue.builders import record_body
from tests.support import assert_problem, auth, service_client
from tests.webhook_receiver import Receiver, positions

FAST = "0,0.2,0.2,0.2"  # four attempts, a fifth of a second apart


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def delivering(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_allow_private": True, "webhook_retry_schedule": FAST})


def _eventually(check: Callable[[], Any], timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def _subscribe(client: TestClient, settings: Settings, receiver: Receiver, **fields: Any) -> dict[str, Any]:
    created = client.post(
        "/catalogue/v1/webhooks",
        json={"url": receiver.url, **fields},
        headers=auth(settings, "platform", sub="province-1"),
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    receiver.secret = body["secret"]
    return body


def test_subscriptions_belong_to_their_platform_and_the_office_sees_all(settings: Settings) -> None:
    allowed = settings.model_copy(update={"webhook_allow_private": True})
    with service_client("catalogue", allowed) as client:
        mine, theirs = auth(allowed, "platform", sub="province-1"), auth(allowed, "platform", sub="province-2")
        body = {"url": "http://127.0.0.1:9/hooks", "types": ["catalogue.RecordPublished"], "description": "省平台"}
        created = client.post("/catalogue/v1/webhooks", json=body, headers={**mine, "Idempotency-Key": "wh-1"})
        assert created.status_code == 201, created.text
        webhook = created.json()
        assert webhook["secret"].startswith("whsec_")
        assert created.headers["location"] == f"/catalogue/v1/webhooks/{webhook['id']}"
        assert (webhook["owner"], webhook["status"], webhook["description"]) == ("province-1", "active", "省平台")
        again = client.post("/catalogue/v1/webhooks", json=body, headers={**mine, "Idempotency-Key": "wh-1"})
        assert again.json()["id"] == webhook["id"]  # the same key: the same webhook
        assert not again.json()["secret"].startswith("whsec_")  # the secret is shown once only

        url = f"/catalogue/v1/webhooks/{webhook['id']}"
        assert client.get(url, headers=mine).json()["url"] == body["url"]
        assert_problem(client.get(url, headers=theirs), 404)  # another platform's is not revealed
        assert client.get("/catalogue/v1/webhooks", headers=theirs).json()["items"] == []
        office = auth(allowed, "office")
        assert [w["id"] for w in client.get("/catalogue/v1/webhooks", headers=office).json()["items"]] == [
            webhook["id"]
        ]
        assert_problem(
            client.post("/catalogue/v1/webhooks", json=body, headers=auth(allowed, "editor", dept="FIN")), 403
        )

        rotated = client.post(f"{url}/rotate-secret", headers=mine).json()
        assert rotated["secret"].startswith("whsec_")
        assert rotated["secret"] != webhook["secret"]
        assert_problem(client.delete(url, headers=theirs), 404)
        assert client.delete(url, headers=mine).status_code == 204
        assert_problem(client.get(url, headers=mine), 404)

        feed = client.get("/catalogue/v1/events", headers=auth(allowed, "auditor")).json()["items"]
        assert [i["type"] for i in feed] == [
            "catalogue.WebhookRegistered",
            "catalogue.WebhookSecretRotated",
            "catalogue.WebhookDeleted",
        ]
        assert webhook["secret"] not in str(feed)  # a secret is never in the log
        assert rotated["secret"] not in str(feed)
        platform_view = client.get("/catalogue/v1/events", headers=theirs).json()["items"][0]
        assert platform_view["redacted"] is True
        assert platform_view["data"]["url"] == "***"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"url": "https://127.0.0.1/hooks"}, "webhook_url_refused"),
        ({"url": "http://platform.example.com/hooks"}, "webhook_url_refused"),
        ({"url": "https://169.254.169.254/latest/meta-data/"}, "webhook_url_refused"),
        ({"types": ["catalogue.NoSuchThing"]}, "invalid_types"),
        ({"types": ["catalogue.WebhookRegistered"]}, "invalid_types"),
        ({"departments": ["NOPE"]}, "unknown_department"),
        ({"url": "https://x.example.com/" + "a" * 2000}, "validation_failed"),
    ],
)
def test_bad_subscriptions_are_422_and_record_nothing(
    catalogue: TestClient, settings: Settings, change: dict[str, Any], code: str
) -> None:
    body = {"url": "https://93.184.216.34/hooks", **change}
    refused = catalogue.post("/catalogue/v1/webhooks", json=body, headers=auth(settings, "platform"))
    assert_problem(refused, 422, code)
    assert catalogue.get("/catalogue/v1/audit/head").json()["position"] == 0


def test_every_matching_event_is_delivered_signed_and_retried_until_accepted(
    delivering: Settings, receiver: Receiver
) -> None:
    with service_client("catalogue", delivering) as client:
        editor = auth(delivering, "editor", dept="FIN")
        client.post("/catalogue/v1/records", json=record_body(title="订阅之前"), headers=editor)  # not delivered
        webhook = _subscribe(client, delivering, receiver, types=["catalogue.RecordDrafted"])
        receiver.fail[3] = 2  # the first two attempts of the first event after the subscription (3) fail
        first = client.post("/catalogue/v1/records", json=record_body(title="第一条"), headers=editor).json()
        for n in range(3):
            client.post("/catalogue/v1/records", json=record_body(title=f"后续{n}"), headers=editor)
        assert _eventually(lambda: len(receiver.events) == 4), receiver.events
        assert positions(receiver) == [3, 4, 5, 6]
        assert receiver.bad_signatures == 0
        event = next(e for e in receiver.events.values() if e["subject"] == first["id"])
        assert (event["specversion"], event["source"], event["type"]) == (
            "1.0",
            "/catalogue",
            "catalogue.RecordDrafted",
        )
        assert event["data"]["title"] == "第一条"
        assert all("v1a," in h["webhook-signature"] for h in receiver.headers)  # the log key signs too
        deliveries = f"/catalogue/v1/webhooks/{webhook['id']}/deliveries"

        def recorded() -> Any:  # outcomes are recorded after the batch is sent: the receiver sees them first
            items = client.get(deliveries, headers=auth(delivering, "platform", sub="province-1")).json()["items"]
            return items if {a["status"] for a in items} == {"delivered"} else None

        attempts = _eventually(recorded)
        assert attempts
        first_attempts = [a for a in attempts if a["event_position"] == 3]
        assert [(a["attempt"], a["status_code"]) for a in first_attempts] == [(1, 500), (2, 500), (3, 204)]
        assert first_attempts[0]["next_attempt_at"] is not None
        assert {a["status"] for a in attempts} == {"delivered"}


def test_retry_after_is_honoured_and_a_410_disables_the_webhook(delivering: Settings, receiver: Receiver) -> None:
    with service_client("catalogue", delivering) as client:
        webhook = _subscribe(client, delivering, receiver)
        platform = auth(delivering, "platform", sub="province-1")
        receiver.fail_status, receiver.extra_headers = 503, {"Retry-After": "30"}
        client.post("/catalogue/v1/records", json=record_body(), headers=auth(delivering, "editor", dept="FIN"))
        deliveries = f"/catalogue/v1/webhooks/{webhook['id']}/deliveries"
        receiver.answer_all = 503
        tried = _eventually(
            lambda: [a for a in client.get(deliveries, headers=platform).json()["items"] if a["attempt"]]
        )
        assert tried[0]["status_code"] == 503
        waited = _seconds_between(tried[0]["at"], tried[0]["next_attempt_at"])
        assert waited >= 29  # the schedule says 0.2 s; the receiver asked for 30

        receiver.answer_all = 410
        client.post(f"{deliveries}/{tried[0]['delivery_id']}/redeliver", headers=platform).raise_for_status()
        assert _eventually(
            lambda: (
                client.get(f"/catalogue/v1/webhooks/{webhook['id']}", headers=platform).json()["status"] == "disabled"
            )
        )
        assert_problem(
            client.post(f"{deliveries}/{tried[0]['delivery_id']}/redeliver", headers=platform), 409, "invalid_state"
        )


def test_failed_deliveries_can_be_redelivered_and_filters_apply(delivering: Settings, receiver: Receiver) -> None:
    with service_client("catalogue", delivering) as client:
        webhook = _subscribe(client, delivering, receiver, departments=["EDU"])
        platform = auth(delivering, "platform", sub="province-1")
        client.post("/catalogue/v1/records", json=record_body(), headers=auth(delivering, "editor", dept="FIN"))
        receiver.answer_all = 500
        client.post(
            "/catalogue/v1/records", json=record_body(department="EDU"), headers=auth(delivering, "editor", dept="EDU")
        )
        deliveries = f"/catalogue/v1/webhooks/{webhook['id']}/deliveries"
        failed = _eventually(
            lambda: [a for a in client.get(deliveries, headers=platform).json()["items"] if a["status"] == "failed"]
        )
        assert [a["attempt"] for a in failed] == [1, 2, 3, 4]  # the whole schedule, then failed
        assert {a["event_position"] for a in failed} == {3}  # FIN's record was not for this webhook
        receiver.answer_all = None
        client.post(f"{deliveries}/{failed[0]['delivery_id']}/redeliver", headers=platform).raise_for_status()
        assert _eventually(lambda: positions(receiver) == [3])


def _seconds_between(earlier: str, later: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


def test_one_slow_receiver_does_not_delay_another(delivering: Settings) -> None:
    with Receiver() as slow, Receiver() as fast, service_client("catalogue", delivering) as client:
        slow.delay = 2.0
        _subscribe(client, delivering, slow)
        _subscribe(client, delivering, fast)
        editor = auth(delivering, "editor", dept="FIN")
        for n in range(3):
            client.post("/catalogue/v1/records", json=record_body(title=f"快慢{n}"), headers=editor)
        assert _eventually(lambda: len(fast.events) == 3, timeout=1.5)  # before the slow one took its first
        assert len(slow.events) == 0
        assert _eventually(lambda: len(slow.events) == 3, timeout=20)


def test_the_backlog_shows_in_metrics(delivering: Settings, receiver: Receiver) -> None:
    with service_client("catalogue", delivering) as client:
        webhook = _subscribe(client, delivering, receiver)
        receiver.answer_all = 503
        client.post("/catalogue/v1/records", json=record_body(), headers=auth(delivering, "editor", dept="FIN"))
        depth = f'openness_webhook_queue_depth{{service="catalogue",webhook="{webhook["id"]}"}} 1.0'
        assert _eventually(lambda: depth in client.get("/metrics").text)
        assert f'openness_webhook_oldest_undelivered_seconds{{service="catalogue",webhook="{webhook["id"]}"}}' in (
            client.get("/metrics").text
        )
        assert _eventually(lambda: 'outcome="retry"' in client.get("/metrics").text)


def test_nothing_is_sent_to_a_refused_address_nor_along_a_redirect() -> None:
    with Receiver() as target, Receiver() as redirecting:
        strict = Sender(allow_private=False, timeout=5)
        refused = strict.send(target.url.replace("http://", "https://"), b"{}", {}, datetime.now(UTC))
        assert refused.status_code is None
        assert refused.error is not None
        assert refused.error.startswith("refused:")
        assert "loopback" in refused.error
        redirecting.redirect_to = target.url
        redirecting.secret = target.secret = "whsec_" + "A" * 32
        lenient = Sender(allow_private=True, timeout=5)
        body = b'{"position":1}'
        headers = signed_headers(secret=redirecting.secret, msg_id="m-1", body=body, at=datetime.now(UTC))
        followed = lenient.send(redirecting.url, body, headers, datetime.now(UTC))
        assert (followed.status_code, followed.delivered) == (307, False)  # a failed attempt, not followed
        strict.close()
        lenient.close()
        assert target.bodies == []  # neither the refused address nor the redirect target got a byte
        assert len(redirecting.bodies) == 1


def test_the_subscription_list_pages_with_limit_and_cursor(settings: Settings) -> None:
    allowed = settings.model_copy(update={"webhook_allow_private": True})
    with service_client("catalogue", allowed) as client:
        platform = auth(allowed, "platform", sub="province-1")
        made = []
        for n in range(5):
            body = {"url": f"http://127.0.0.1:9/hooks/{n}", "types": [], "description": f"第{n}个"}
            made.append(client.post("/catalogue/v1/webhooks", json=body, headers=platform).json()["id"])
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = client.get("/catalogue/v1/webhooks", params=params, headers=platform).json()
            assert len(page["items"]) <= 2
            seen += [w["id"] for w in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == made  # oldest first, each once
        assert_problem(
            client.get("/catalogue/v1/webhooks", params={"cursor": "forged"}, headers=platform), 422, "invalid_cursor"
        )
