"""initial tables

Revision ID: 7a2dc525fbf9
Revises: 
Create Date: 2026-11-26 13:42:58.750850
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_kernel_tables_v1, drop_kernel_tables_v1


revision: str = '7a2dc525fbf9'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_kernel_tables_v1('interpretation')
    op.create_table('interpretation_interpretation',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('policy_record_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('form', sa.String(length=32), nullable=False),
    sa.Column('interpreter', sa.JSON(), nullable=False),
    sa.Column('principal', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('media_url', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpretation_interpretation'))
    )
    with op.batch_alter_table('interpretation_interpretation', schema=None) as batch_op:
        batch_op.create_index('ix_interpretation_interpretation_department', ['department'], unique=False)
        batch_op.create_index('ix_interpretation_interpretation_policy', ['policy_record_id'], unique=False)

    op.create_table('interpretation_policy',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('needs_interpretation', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpretation_policy'))
    )
    with op.batch_alter_table('interpretation_policy', schema=None) as batch_op:
        batch_op.create_index('ix_interpretation_policy_department', ['department'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('interpretation_policy', schema=None) as batch_op:
        batch_op.drop_index('ix_interpretation_policy_department')

    op.drop_table('interpretation_policy')
    with op.batch_alter_table('interpretation_interpretation', schema=None) as batch_op:
        batch_op.drop_index('ix_interpretation_interpretation_policy')
        batch_op.drop_index('ix_interpretation_interpretation_department')

    op.drop_table('interpretation_interpretation')
    drop_kernel_tables_v1('interpretation')
