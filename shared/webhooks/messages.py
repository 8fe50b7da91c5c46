"""What a webhook delivery carries: a CloudEvents 1.0 structured-JSON body made from a feed item,
and Standard Webhooks 1.0 headers.

``webhook-signature`` holds ``v1,<base64 HMAC-SHA256>`` over ``{webhook-id}.{webhook-timestamp}.{body}``
with the webhook's secret (computed by the ``standardwebhooks`` library itself, so a receiver
verifying with it agrees byte for byte), plus ``v1a,<base64 Ed25519>`` over the same bytes with
the service's log key when one is configured (its public half is ``/audit/keys``).
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from standardwebhooks import Webhook

CONTENT_TYPE = "application/cloudevents+json"
SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix, not a secret)


def new_secret() -> str:
    """A fresh signing secret, shown once to the webhook's owner: ``whsec_`` + base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def cloud_event(service: str, item: dict[str, Any]) -> bytes:
    """The body for one feed item (its ``data`` already redacted as for ``platform`` readers)."""
    event = {
        "specversion": "1.0",
        "id": item["event_id"],
        "source": f"/{service}",
        "type": item["type"],
        "subject": item["stream_id"],
        "time": item["occurred_at"],
        "datacontenttype": "application/json",
        "data": item["data"],
        # Extensions (lower-case alphanumerics, CloudEvents 1.0): where the event sits in the log.
        "position": item["position"],
        "hash": item["hash"],
        "prevhash": item["prev_hash"],
    }
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signed_headers(
    *, secret: str, msg_id: str, body: bytes, at: datetime, log_key: Ed25519PrivateKey | None = None
) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt (a retry is signed afresh, with its own timestamp)."""
    timestamp = int(at.astimezone(UTC).timestamp())
    signatures = [Webhook(secret).sign(msg_id, datetime.fromtimestamp(timestamp, UTC), body.decode("utf-8"))]
    if log_key is not None:
        signed = f"{msg_id}.{timestamp}.".encode() + body
        signatures.append("v1a," + base64.b64encode(log_key.sign(signed)).decode("ascii"))
    return {
        "content-type": CONTENT_TYPE,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }
