"""kernel tables v3: webhook subscriptions, their delivery state, deliveries and attempts

Revision ID: c6b05e7490c9
Revises: fc606294fca1
Create Date: 2026-11-28 05:00:00
"""

from collections.abc import Sequence

from shared.migrations import create_webhook_tables, drop_webhook_tables

revision: str = "c6b05e7490c9"
down_revision: str | None = "fc606294fca1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_webhook_tables("interpretation")


def downgrade() -> None:
    drop_webhook_tables("interpretation")
