"""kernel tables v2: chain formats, the Merkle tree, verified following

Revision ID: b794e207e092
Revises: 7c1e5a9d2b40
Create Date: 2026-11-28 03:00:00
"""

from collections.abc import Sequence

from shared.migrations import downgrade_kernel_tables_v2, upgrade_kernel_tables_v2

revision: str = "b794e207e092"
down_revision: str | None = "7c1e5a9d2b40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_kernel_tables_v2("catalogue")


def downgrade() -> None:
    downgrade_kernel_tables_v2("catalogue")
