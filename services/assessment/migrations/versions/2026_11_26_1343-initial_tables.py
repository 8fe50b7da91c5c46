"""initial tables

Revision ID: c14bedbfe491
Revises: 
Create Date: 2026-11-26 13:43:22.429688
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_kernel_tables_v1, drop_kernel_tables_v1


revision: str = 'c14bedbfe491'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_kernel_tables_v1('assessment')
    op.create_table('assessment_action',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('refs', sa.JSON(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('rectification_due_on', sa.Date(), nullable=True),
    sa.Column('rectified_on', sa.Date(), nullable=True),
    sa.Column('rectification_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_action'))
    )
    with op.batch_alter_table('assessment_action', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_action_department', ['department'], unique=False)

    op.create_table('assessment_fact',
    sa.Column('upstream', sa.String(length=32), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('stream_id', sa.String(length=36), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('upstream', 'position', name=op.f('pk_assessment_fact'))
    )
    with op.batch_alter_table('assessment_fact', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_fact_department', ['department'], unique=False)
        batch_op.create_index('ix_assessment_fact_stream', ['stream_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('assessment_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_fact_stream')
        batch_op.drop_index('ix_assessment_fact_department')

    op.drop_table('assessment_fact')
    with op.batch_alter_table('assessment_action', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_action_department')

    op.drop_table('assessment_action')
    drop_kernel_tables_v1('assessment')
