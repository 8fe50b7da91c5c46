"""kernel tables v2: chain formats, the Merkle tree, verified following

Revision ID: d3df15775f8e
Revises: 223eb4e044bc
Create Date: 2026-11-28 03:00:00
"""

from collections.abc import Sequence

from shared.migrations import downgrade_kernel_tables_v2, upgrade_kernel_tables_v2

revision: str = "d3df15775f8e"
down_revision: str | None = "223eb4e044bc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_kernel_tables_v2("assessment")


def downgrade() -> None:
    downgrade_kernel_tables_v2("assessment")
