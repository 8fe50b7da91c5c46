"""what each search document was made from, so a rebuild makes again only the changed ones

Revision ID: 5b0c7e41d2a9
Revises: c4224f3c6dd3
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b0c7e41d2a9"
down_revision: str | None = "c4224f3c6dd3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Null for the documents already made: the next rebuild makes them again, once, and keeps
    # what each was made from (services/catalogue/search.py, ``source``).
    op.add_column("catalogue_record_search", sa.Column("source", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # In place on both stores (SQLite 3.35+): a copied table would renumber the rowids the SQLite
    # full-text rows share with their documents.
    op.execute("ALTER TABLE catalogue_record_search DROP COLUMN source")
