"""kernel tables v2: chain formats, the Merkle tree, verified following

Revision ID: fc606294fca1
Revises: 7a2dc525fbf9
Create Date: 2026-11-28 03:00:00
"""

from collections.abc import Sequence

from shared.migrations import downgrade_kernel_tables_v2, upgrade_kernel_tables_v2

revision: str = "fc606294fca1"
down_revision: str | None = "7a2dc525fbf9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_kernel_tables_v2("interpretation")


def downgrade() -> None:
    downgrade_kernel_tables_v2("interpretation")
