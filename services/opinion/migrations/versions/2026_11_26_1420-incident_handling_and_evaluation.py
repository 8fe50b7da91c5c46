"""incident handling and evaluation

Revision ID: 2eb59f21b5d5
Revises: 9ba97e870785
Create Date: 2026-11-26 14:20:17.734510
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '2eb59f21b5d5'
down_revision: str | None = '9ba97e870785'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('opinion_incident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warning_level', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('rating', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('findings', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('opinion_incident', schema=None) as batch_op:
        batch_op.drop_column('findings')
        batch_op.drop_column('rating')
        batch_op.drop_column('warning_level')

