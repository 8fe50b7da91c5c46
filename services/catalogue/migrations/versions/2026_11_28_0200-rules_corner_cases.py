"""Law corner cases: calendar-day time limits, public-welfare elements, the 补正期限, appeal
results and annual-report publication.

Revision ID: 7c1e5a9d2b40
Revises: cee93668351a
Create Date: 2026-11-28 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c1e5a9d2b40"
down_revision: str | None = "cee93668351a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A record's time limit becomes {days, kind}; the working-day limits recorded so far carry over.
    op.add_column("catalogue_record", sa.Column("time_limit", sa.JSON(), nullable=True))
    record = sa.table(
        "catalogue_record",
        sa.column("id", sa.String()),
        sa.column("time_limit_working_days", sa.Integer()),
        sa.column("time_limit", sa.JSON()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(record.c.id, record.c.time_limit_working_days).where(record.c.time_limit_working_days.is_not(None))
    ).all()
    for row in rows:
        connection.execute(
            record.update()
            .where(record.c.id == row.id)
            .values(time_limit={"days": row.time_limit_working_days, "kind": "working"})
        )
    with op.batch_alter_table("catalogue_record") as batch:
        batch.drop_column("time_limit_working_days")

    op.add_column(
        "catalogue_item", sa.Column("time_limit_kind", sa.String(length=16), nullable=False, server_default="working")
    )
    op.add_column("catalogue_item", sa.Column("standard", sa.Text(), nullable=True))
    op.add_column("catalogue_item", sa.Column("procedure", sa.Text(), nullable=True))
    op.add_column("catalogue_request", sa.Column("clarification_reply_by", sa.Date(), nullable=True))
    op.create_table(
        "catalogue_request_appeal_result",
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("appeal_version", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("request_id", "version", name=op.f("pk_catalogue_request_appeal_result")),
    )
    op.create_table(
        "catalogue_annual_report",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_annual_report")),
    )
    op.create_index("ix_catalogue_annual_report_year", "catalogue_annual_report", ["year", "department"])


def downgrade() -> None:
    op.drop_index("ix_catalogue_annual_report_year", table_name="catalogue_annual_report")
    op.drop_table("catalogue_annual_report")
    op.drop_table("catalogue_request_appeal_result")
    op.drop_column("catalogue_request", "clarification_reply_by")
    with op.batch_alter_table("catalogue_item") as batch:
        batch.drop_column("procedure")
        batch.drop_column("standard")
        batch.drop_column("time_limit_kind")
    op.add_column("catalogue_record", sa.Column("time_limit_working_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("catalogue_record") as batch:
        batch.drop_column("time_limit")
