"""The webhook tables every service has (prefixed with the service name).

``webhooks`` is a read model of the webhook events (rebuilt with the others); the rest is
delivery state that no event holds: the signing secret (never in the log, so never in the feed),
how far in the feed each webhook has been queued, every delivery and every attempt.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, MetaData, String, Table, UniqueConstraint

from shared.tables import UtcDateTime

_Position = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class WebhookTables:
    webhooks: Table
    state: Table
    deliveries: Table
    attempts: Table


def webhook_tables(metadata: MetaData, service: str) -> WebhookTables:
    webhooks = Table(
        f"{service}_webhooks",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("owner", String(200), nullable=False),
        Column("url", String(2000), nullable=False),
        Column("types", JSON, nullable=False),
        Column("departments", JSON, nullable=False),
        Column("description", String(500), nullable=False),
        Column("start_position", _Position, nullable=False),
        Column("status", String(16), nullable=False),  # active, disabled (a 410), deleted
        Column("disabled_reason", String(500), nullable=True),
        Column("created_at", UtcDateTime, nullable=False),
        Column("updated_at", UtcDateTime, nullable=False),
        Column("version", Integer, nullable=False),
    )
    state = Table(
        f"{service}_webhook_state",
        metadata,
        Column("webhook_id", String(36), primary_key=True),
        Column("secret", String(100), nullable=False),
        Column("queued_to", _Position, nullable=False),  # feed position scanned into deliveries
    )
    deliveries = Table(
        f"{service}_webhook_deliveries",
        metadata,
        Column("id", _Position, primary_key=True, autoincrement=True),
        Column("webhook_id", String(36), nullable=False),
        Column("event_position", _Position, nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("status", String(16), nullable=False),  # pending, delivered, failed
        Column("attempts", Integer, nullable=False),
        Column("next_attempt_at", UtcDateTime, nullable=True),
        Column("created_at", UtcDateTime, nullable=False),
        UniqueConstraint("webhook_id", "event_position"),
        Index(f"ix_{service}_webhook_deliveries_due", "status", "next_attempt_at"),
        # a lane's claim: one webhook's pending deliveries in position order, read a batch at a time
        Index(f"ix_{service}_webhook_deliveries_lane", "webhook_id", "status", "event_position"),
    )
    attempts = Table(
        f"{service}_webhook_attempts",
        metadata,
        Column("delivery_id", _Position, primary_key=True),
        Column("attempt", Integer, primary_key=True, autoincrement=False),
        Column("status_code", Integer, nullable=True),
        Column("error", String(500), nullable=True),
        Column("at", UtcDateTime, nullable=False),
        Column("next_attempt_at", UtcDateTime, nullable=True),
    )
    return WebhookTables(webhooks, state, deliveries, attempts)
