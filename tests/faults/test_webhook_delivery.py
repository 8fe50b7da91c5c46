"""Webhook delivery through faults: a receiver that fails first attempts, is stopped and restarted
mid-stream, and a service killed with SIGKILL once; every matching event still arrives, verified
with the standardwebhooks library and deduplicated by webhook-id."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from shared.settings import Settings
from tests.catalogue.builders import record_body
from tests.e2e.processes import cluster, free_port
from tests.support import auth
from tests.webhook_receiver import Receiver

RECORDS = 60
ENV = {
    "OPENNESS_WEBHOOK_ALLOW_PRIVATE": "true",
    "OPENNESS_WEBHOOK_TIMEOUT_SECONDS": "2",  # claims a SIGKILL leaves behind come due after 9 s
    "OPENNESS_WEBHOOK_RETRY_SCHEDULE": ",".join(["0", "0.3"] + ["1"] * 40),
}


def test_every_event_arrives_through_receiver_outages_and_a_sigkill(settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    editor, platform = auth(settings, "editor", dept="FIN"), auth(settings, "platform", sub="province-1")
    first = Receiver(port).__enter__()
    first.flaky_every = 7
    with (
        cluster(settings, tmp_path, services=("catalogue",), extra_env=ENV) as running,
        httpx.Client(timeout=30) as client,
    ):
        url = running.url("catalogue")
        webhook = client.post(
            f"{url}/catalogue/v1/webhooks",
            json={"url": first.url, "types": ["catalogue.RecordDrafted"]},
            headers=platform,
        ).json()
        first.secret = webhook["secret"]
        current = first
        for n in range(RECORDS):
            if n == 15:
                current.__exit__()  # the receiver goes away mid-stream
            if n == 30:
                running.kill("catalogue")  # SIGKILL while deliveries are pending
                running.start("catalogue")
            if n == 40:
                current = Receiver(port)  # back, on the same address, with what it had
                current.secret, current.events, current.flaky_every = first.secret, first.events, 7
                current.__enter__()  # serves only now: a retry arriving at once finds the secret
            answer = client.post(
                f"{url}/catalogue/v1/records",
                json=record_body(title=f"推送{n}"),
                headers={**editor, "Idempotency-Key": f"wh-load-{n}"},
            )
            assert answer.status_code == 201, answer.text
        deadline = time.monotonic() + 120
        while len(current.events) < RECORDS and time.monotonic() < deadline:
            time.sleep(0.2)
        feed = client.get(
            f"{url}/catalogue/v1/events",
            params={"types": "catalogue.RecordDrafted", "limit": 1000},
            headers=auth(settings, "auditor"),
        ).json()["items"]
        metrics = client.get(f"{url}/metrics").text
        current.__exit__()
    assert len(feed) == RECORDS
    assert sorted(current.events) == sorted(item["event_id"] for item in feed)  # every one, once each
    assert all(current.events[i["event_id"]]["position"] == i["position"] for i in feed)
    assert first.bad_signatures == current.bad_signatures == 0
    assert len(first.bodies) + len(current.bodies) > RECORDS  # some arrived more than once: retries
    assert 'openness_webhook_deliveries_total{outcome="delivered",service="catalogue"}' in metrics
