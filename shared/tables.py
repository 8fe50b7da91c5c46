"""Kernel tables every service has next to its read models (prefixed with the service name)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Column, DateTime, Dialect, Integer, MetaData, String, Table
from sqlalchemy.types import TypeDecorator

from shared.chain import chain_table, checkpoint_table, merkle_table

if TYPE_CHECKING:
    from shared.webhooks.tables import WebhookTables

# Constraint names that are stable across SQLite and PostgreSQL, so migrations can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


@dataclass(frozen=True)
class KernelTables:
    chain: Table
    merkle: Table
    checkpoints: Table
    follow_positions: Table
    idempotency: Table
    webhooks: WebhookTables


def kernel_tables(metadata: MetaData, service: str) -> KernelTables:
    follow_positions = Table(
        f"{service}_follow_position",
        metadata,
        Column("upstream", String(32), primary_key=True),
        Column("position", BigInteger().with_variant(Integer(), "sqlite"), nullable=False),
        Column("upstream_head", BigInteger().with_variant(Integer(), "sqlite"), nullable=True),
        Column("updated_at", String(32), nullable=False),
        # The chain hash of the last upstream event applied: the next one must link to it.
        Column("hash", String(64), nullable=True),
    )
    idempotency = Table(
        f"{service}_idempotency",
        metadata,
        Column("key", String(200), primary_key=True),
        Column("principal", String(200), primary_key=True),
        Column("request_hash", String(64), nullable=False),
        Column("resource_id", String(64), nullable=False),
        Column("created_at", String(32), nullable=False),
    )
    from shared.webhooks.tables import webhook_tables  # it uses UtcDateTime below

    return KernelTables(
        chain_table(metadata, service),
        merkle_table(metadata, service),
        checkpoint_table(metadata, service),
        follow_positions,
        idempotency,
        webhook_tables(metadata, service),
    )


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC on every database, read back aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
