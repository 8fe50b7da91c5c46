"""tally snapshots, and the stream a fact refers to (an interpretation's policy record)

Revision ID: 3f8d2b6a9e17
Revises: 7c1e5a9d2f40
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f8d2b6a9e17"
down_revision: str | None = "7c1e5a9d2f40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DRAFTED = "interpretation.InterpretationDrafted"


def upgrade() -> None:
    op.add_column("assessment_fact", sa.Column("refers_to", sa.String(length=36), nullable=True))
    facts = sa.table(
        "assessment_fact",
        sa.column("upstream", sa.String()),
        sa.column("position", sa.BigInteger()),
        sa.column("type", sa.String()),
        sa.column("data", sa.JSON()),
        sa.column("refers_to", sa.String()),
    )
    bind = op.get_bind()
    drafted = bind.execute(sa.select(facts.c.upstream, facts.c.position, facts.c.data).where(facts.c.type == DRAFTED))
    refers = [
        {"u": row.upstream, "p": row.position, "r": row.data.get("policy_record_id")}
        for row in drafted
        if row.data.get("policy_record_id")
    ]
    if refers:
        bind.execute(
            facts.update()
            .where(facts.c.upstream == sa.bindparam("u"), facts.c.position == sa.bindparam("p"))
            .values(refers_to=sa.bindparam("r")),
            refers,
        )
    op.create_index("ix_assessment_fact_refers_to", "assessment_fact", ["refers_to"])
    op.create_table(
        "assessment_tally_snapshot",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("format", sa.String(length=64), nullable=False),
        sa.Column("rules", sa.String(length=64), nullable=False),
        sa.Column("facts", sa.BigInteger(), nullable=False),
        sa.Column("recorded_through", sa.DateTime(timezone=True), nullable=False),
        sa.Column("frontier", sa.JSON(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_tally_snapshot")),
    )
    op.create_index(
        "ix_assessment_tally_snapshot_lookup", "assessment_tally_snapshot", ["format", "rules", "recorded_through"]
    )


def downgrade() -> None:
    op.drop_index("ix_assessment_tally_snapshot_lookup", table_name="assessment_tally_snapshot")
    op.drop_table("assessment_tally_snapshot")
    op.drop_index("ix_assessment_fact_refers_to", table_name="assessment_fact")
    op.drop_column("assessment_fact", "refers_to")
