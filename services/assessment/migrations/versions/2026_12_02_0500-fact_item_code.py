"""the catalogue item a record fact is drafted under (its code), for a department's past breakdown

Revision ID: 97995f37df46
Revises: 3f8d2b6a9e17
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "97995f37df46"
down_revision: str | None = "3f8d2b6a9e17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DRAFTED = "catalogue.RecordDrafted"
BATCH = 5000


def upgrade() -> None:
    op.add_column("assessment_fact", sa.Column("item_code", sa.String(length=64), nullable=True))
    facts = sa.table(
        "assessment_fact",
        sa.column("upstream", sa.String()),
        sa.column("position", sa.BigInteger()),
        sa.column("type", sa.String()),
        sa.column("data", sa.JSON()),
        sa.column("item_code", sa.String()),
    )
    bind = op.get_bind()
    update = (
        facts.update()
        .where(facts.c.upstream == sa.bindparam("u"), facts.c.position == sa.bindparam("p"))
        .values(item_code=sa.bindparam("c"))
    )
    after: tuple[str, int] = ("", 0)
    while True:  # a page at a time, in key order: a decade of facts is not held at once
        page = bind.execute(
            sa.select(facts.c.upstream, facts.c.position, facts.c.data)
            .where(facts.c.type == DRAFTED, sa.tuple_(facts.c.upstream, facts.c.position) > after)
            .order_by(facts.c.upstream, facts.c.position)
            .limit(BATCH)
        ).all()
        if not page:
            break
        after = (page[-1].upstream, page[-1].position)
        codes = [{"u": row.upstream, "p": row.position, "c": row.data["item_code"]} for row in page if row.data.get("item_code")]
        if codes:
            bind.execute(update, codes)
    op.create_index("ix_assessment_fact_item_code", "assessment_fact", ["item_code"])


def downgrade() -> None:
    op.drop_index("ix_assessment_fact_item_code", table_name="assessment_fact")
    op.drop_column("assessment_fact", "item_code")
