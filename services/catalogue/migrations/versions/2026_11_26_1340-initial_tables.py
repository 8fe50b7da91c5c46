"""initial tables

Revision ID: 792a035bf311
Revises: 
Create Date: 2026-11-26 13:40:20.284887
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '792a035bf311'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('catalogue_chain',
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('position', name=op.f('pk_catalogue_chain'))
    )
    op.create_table('catalogue_follow_position',
    sa.Column('upstream', sa.String(length=32), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('upstream_head', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('upstream', name=op.f('pk_catalogue_follow_position'))
    )
    op.create_table('catalogue_idempotency',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('principal', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('resource_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('key', 'principal', name=op.f('pk_catalogue_idempotency'))
    )
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
    op.drop_table('catalogue_idempotency')
    op.drop_table('catalogue_follow_position')
    op.drop_table('catalogue_chain')
    
