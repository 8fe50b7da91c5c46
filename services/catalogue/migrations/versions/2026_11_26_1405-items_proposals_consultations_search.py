"""items proposals consultations search

Revision ID: 15f26f98dd99
Revises: 792a035bf311
Create Date: 2026-11-26 14:05:31.626977
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '15f26f98dd99'
down_revision: str | None = '792a035bf311'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('catalogue_consultation',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('draft', sa.Text(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('shortened_reason', sa.Text(), nullable=True),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('adoption_summary', sa.Text(), nullable=True),
    sa.Column('decision_record_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_consultation'))
    )
    op.create_table('catalogue_consultation_comment',
    sa.Column('consultation_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('consultation_id', 'version', name=op.f('pk_catalogue_consultation_comment'))
    )
    op.create_table('catalogue_item',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('area', sa.String(length=32), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('time_limit_working_days', sa.Integer(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('audience', sa.String(length=32), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_item')),
    sa.UniqueConstraint('code', name=op.f('uq_catalogue_item_code'))
    )
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.create_index('ix_catalogue_item_department_area', ['department', 'area'], unique=False)

    op.create_table('catalogue_proposal',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('handler_department', sa.String(length=32), nullable=False),
    sa.Column('replied_on', sa.Date(), nullable=False),
    sa.Column('reply_text', sa.Text(), nullable=False),
    sa.Column('published_text', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_proposal'))
    )
    with op.batch_alter_table('catalogue_proposal', schema=None) as batch_op:
        batch_op.create_index('ix_catalogue_proposal_handler_department', ['handler_department'], unique=False)

    op.create_table('catalogue_record_search',
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('record_id', name=op.f('pk_catalogue_record_search'))
    )
    # Full-text search (services/catalogue/search.py). Records drafted before this revision are
    # indexed by `openness rebuild catalogue`.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE catalogue_record_search ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', document)) STORED"
        )
        op.execute("CREATE INDEX ix_catalogue_record_search_tsv ON catalogue_record_search USING gin (tsv)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE catalogue_record_fts USING fts5("
            "record_id UNINDEXED, document, tokenize = 'unicode61 remove_diacritics 0')"
        )
    with op.batch_alter_table('catalogue_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_limit_working_days', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('catalogue_record', schema=None) as batch_op:
        batch_op.drop_column('time_limit_working_days')

    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE catalogue_record_fts")
    op.drop_table('catalogue_record_search')
    with op.batch_alter_table('catalogue_proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_catalogue_proposal_handler_department')

    op.drop_table('catalogue_proposal')
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.drop_index('ix_catalogue_item_department_area')

    op.drop_table('catalogue_item')
    op.drop_table('catalogue_consultation_comment')
    op.drop_table('catalogue_consultation')
