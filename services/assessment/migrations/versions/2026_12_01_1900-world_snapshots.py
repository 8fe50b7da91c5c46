"""world snapshots, and the fact indexes a past as_of reads by

Revision ID: 7c1e5a9d2f40
Revises: 49b50f9d7b2a
Create Date: 2026-12-01 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e5a9d2f40"
down_revision: str | None = "49b50f9d7b2a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_assessment_fact_upstream_recorded", "assessment_fact", ["upstream", "recorded_at"])
    op.create_index("ix_assessment_fact_recorded", "assessment_fact", ["recorded_at"])
    op.create_table(
        "assessment_world_snapshot",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("format", sa.String(length=64), nullable=False),
        sa.Column("facts", sa.BigInteger(), nullable=False),
        sa.Column("recorded_through", sa.DateTime(timezone=True), nullable=False),
        sa.Column("frontier", sa.JSON(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_world_snapshot")),
    )
    op.create_index("ix_assessment_world_snapshot_lookup", "assessment_world_snapshot", ["format", "recorded_through"])


def downgrade() -> None:
    op.drop_index("ix_assessment_world_snapshot_lookup", table_name="assessment_world_snapshot")
    op.drop_table("assessment_world_snapshot")
    op.drop_index("ix_assessment_fact_recorded", table_name="assessment_fact")
    op.drop_index("ix_assessment_fact_upstream_recorded", table_name="assessment_fact")
