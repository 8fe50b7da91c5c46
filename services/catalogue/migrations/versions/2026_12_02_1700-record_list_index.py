"""the list of records newest first reads an index, not every record (sorted)

Revision ID: 2f7a9c3e1b58
Revises: 8e3d51a0c6f4
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "2f7a9c3e1b58"
down_revision: str | None = "8e3d51a0c6f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_catalogue_record_created_at_id", "catalogue_record", ["created_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_catalogue_record_created_at_id", table_name="catalogue_record")
