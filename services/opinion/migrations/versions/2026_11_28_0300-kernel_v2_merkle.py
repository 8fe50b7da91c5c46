"""kernel tables v2: chain formats, the Merkle tree, verified following

Revision ID: d610efd36e58
Revises: 4d2a8c6e1f93
Create Date: 2026-11-28 03:00:00
"""

from collections.abc import Sequence

from shared.migrations import downgrade_kernel_tables_v2, upgrade_kernel_tables_v2

revision: str = "d610efd36e58"
down_revision: str | None = "4d2a8c6e1f93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_kernel_tables_v2("opinion")


def downgrade() -> None:
    downgrade_kernel_tables_v2("opinion")
