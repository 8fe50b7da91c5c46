"""Webhook bodies are CloudEvents 1.0 and their signatures verify with the standardwebhooks library
(v1) and with the log key's public half (v1a)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from shared.webhooks.messages import cloud_event, new_secret, signed_headers

ITEM = {
    "position": 7,
    "event_id": "5f0c2c7e-4c7f-5b0e-9d1e-2f1a0c3b4d5e",
    "stream_id": "0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
    "type": "catalogue.RecordPublished",
    "occurred_at": "2026-11-28T12:00:00+08:00",
    "data": {"published_at": "2026-11-28T12:00:00+08:00", "标题": "关于公交票价的通知"},
    "hash": "ab" * 32,
    "prev_hash": "cd" * 32,
}


def test_the_body_is_a_structured_cloud_event_with_the_log_position() -> None:
    event = json.loads(cloud_event("catalogue", ITEM))
    assert event == {
        "specversion": "1.0",
        "id": ITEM["event_id"],
        "source": "/catalogue",
        "type": "catalogue.RecordPublished",
        "subject": ITEM["stream_id"],
        "time": ITEM["occurred_at"],
        "datacontenttype": "application/json",
        "data": ITEM["data"],
        "position": 7,
        "hash": "ab" * 32,
        "prevhash": "cd" * 32,
    }
    assert "关于公交票价的通知".encode() in cloud_event("catalogue", ITEM)  # Chinese as UTF-8, not escaped


def test_v1_verifies_with_the_standardwebhooks_library_and_v1a_with_the_log_key() -> None:
    secret, key = new_secret(), Ed25519PrivateKey.generate()
    assert secret.startswith("whsec_")
    body = cloud_event("catalogue", ITEM)
    headers = signed_headers(secret=secret, msg_id=ITEM["event_id"], body=body, at=datetime.now(UTC), log_key=key)
    assert headers["webhook-id"] == ITEM["event_id"]
    assert headers["content-type"] == "application/cloudevents+json"
    assert Webhook(secret).verify(body, headers)["position"] == 7
    v1a = next(s for s in headers["webhook-signature"].split(" ") if s.startswith("v1a,"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    key.public_key().verify(base64.b64decode(v1a[4:]), signed)  # raises if it does not verify
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)  # another webhook's secret
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"7", b"8", 1), headers)  # a changed body


def test_without_a_log_key_only_v1_is_sent() -> None:
    headers = signed_headers(secret=new_secret(), msg_id="m", body=b"{}", at=datetime.now(UTC))
    assert headers["webhook-signature"].startswith("v1,")
    assert " " not in headers["webhook-signature"]
