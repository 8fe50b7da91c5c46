"""world snapshots hold the changes over the snapshot they extend (base), not the whole world

Revision ID: 253242ecfabb
Revises: 97995f37df46
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "253242ecfabb"
down_revision: str | None = "97995f37df46"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the snapshots stored so far are of an older format: the service removes and lays them out again
    op.add_column("assessment_world_snapshot", sa.Column("base", sa.Integer(), nullable=True))


def downgrade() -> None:
    # A cache the older code cannot read (another format: it would remove them at start, and lay
    # its own out again); none is left referring to another.
    op.execute("DELETE FROM assessment_world_snapshot")
    op.drop_column("assessment_world_snapshot", "base")
