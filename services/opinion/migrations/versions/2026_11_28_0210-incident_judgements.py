"""Incidents keep every severity judgement with the instant it took effect (re-assessment).

Revision ID: 4d2a8c6e1f93
Revises: 2eb59f21b5d5
Create Date: 2026-11-28 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4d2a8c6e1f93"
down_revision: str | None = "2eb59f21b5d5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("opinion_incident", sa.Column("judgements", sa.JSON(), nullable=True))
    incident = sa.table(
        "opinion_incident",
        sa.column("id", sa.String()),
        sa.column("severity", sa.String()),
        sa.column("emergency", sa.Boolean()),
        sa.column("judgements", sa.JSON()),
    )
    connection = op.get_bind()
    # Rows projected before this revision knew only the judgement in force; `openness rebuild
    # opinion` restores the full history from the events.
    for row in connection.execute(sa.select(incident.c.id, incident.c.severity, incident.c.emergency)).all():
        judgement = {"severity": row.severity, "emergency": bool(row.emergency), "since": None}
        connection.execute(incident.update().where(incident.c.id == row.id).values(judgements=[judgement]))
    with op.batch_alter_table("opinion_incident") as batch:
        batch.alter_column("judgements", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("opinion_incident") as batch:
        batch.drop_column("judgements")
