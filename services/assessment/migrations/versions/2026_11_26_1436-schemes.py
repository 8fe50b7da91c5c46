"""schemes

Revision ID: 223eb4e044bc
Revises: c14bedbfe491
Create Date: 2026-11-26 14:36:05.236579
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '223eb4e044bc'
down_revision: str | None = 'c14bedbfe491'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('assessment_scheme',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.JSON(), nullable=False),
    sa.Column('adopted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('adopted_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('year', 'version', name=op.f('pk_assessment_scheme'))
    )


def downgrade() -> None:
    op.drop_table('assessment_scheme')
