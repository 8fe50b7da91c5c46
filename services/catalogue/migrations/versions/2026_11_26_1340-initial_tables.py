"""initial tables

Revision ID: 792a035bf311
Revises: 
Create Date: 2026-11-26 13:40:20.284887
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_kernel_tables_v1, drop_kernel_tables_v1


revision: str = '792a035bf311'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_kernel_tables_v1('catalogue')
    
    op.create_table('catalogue_record',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('index_number', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('area', sa.String(length=32), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=True),
    sa.Column('doc_number', sa.String(length=200), nullable=True),
    sa.Column('formed_on', sa.Date(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('disclosure', sa.String(length=16), nullable=False),
    sa.Column('withheld_reason', sa.String(length=64), nullable=True),
    sa.Column('needs_interpretation', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_record')),
    sa.UniqueConstraint('index_number', name=op.f('uq_catalogue_record_index_number'))
    )
    with op.batch_alter_table('catalogue_record', schema=None) as batch_op:
        batch_op.create_index('ix_catalogue_record_department_status', ['department', 'status'], unique=False)
        batch_op.create_index('ix_catalogue_record_published_at', ['published_at'], unique=False)

    op.create_table('catalogue_record_version',
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=16), nullable=False),
    sa.Column('changed_fields', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('record_id', 'version', name=op.f('pk_catalogue_record_version'))
    )
    


def downgrade() -> None:
    
    op.drop_table('catalogue_record_version')
    with op.batch_alter_table('catalogue_record', schema=None) as batch_op:
        batch_op.drop_index('ix_catalogue_record_published_at')
        batch_op.drop_index('ix_catalogue_record_department_status')

    op.drop_table('catalogue_record')
    
    drop_kernel_tables_v1('catalogue')
