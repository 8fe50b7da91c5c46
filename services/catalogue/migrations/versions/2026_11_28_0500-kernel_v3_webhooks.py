"""kernel tables v3: webhook subscriptions, their delivery state, deliveries and attempts

Revision ID: c4224f3c6dd3
Revises: b794e207e092
Create Date: 2026-11-28 05:00:00
"""

from collections.abc import Sequence

from shared.migrations import create_webhook_tables, drop_webhook_tables

revision: str = "c4224f3c6dd3"
down_revision: str | None = "b794e207e092"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_webhook_tables("catalogue")


def downgrade() -> None:
    drop_webhook_tables("catalogue")
