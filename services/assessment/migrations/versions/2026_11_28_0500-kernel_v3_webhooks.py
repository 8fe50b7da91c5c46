"""kernel tables v3: webhook subscriptions, their delivery state, deliveries and attempts

Revision ID: 49b50f9d7b2a
Revises: d3df15775f8e
Create Date: 2026-11-28 05:00:00
"""

from collections.abc import Sequence

from shared.migrations import create_webhook_tables, drop_webhook_tables

revision: str = "49b50f9d7b2a"
down_revision: str | None = "d3df15775f8e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_webhook_tables("assessment")


def downgrade() -> None:
    drop_webhook_tables("assessment")
