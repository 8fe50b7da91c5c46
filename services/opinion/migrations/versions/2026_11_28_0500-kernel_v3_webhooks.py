"""kernel tables v3: webhook subscriptions, their delivery state, deliveries and attempts

Revision ID: 9a3800175a13
Revises: d610efd36e58
Create Date: 2026-11-28 05:00:00
"""

from collections.abc import Sequence

from shared.migrations import create_webhook_tables, drop_webhook_tables

revision: str = "9a3800175a13"
down_revision: str | None = "d610efd36e58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_webhook_tables("opinion")


def downgrade() -> None:
    drop_webhook_tables("opinion")
