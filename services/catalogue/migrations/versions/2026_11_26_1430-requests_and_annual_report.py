"""requests and annual report

Revision ID: cee93668351a
Revises: 15f26f98dd99
Create Date: 2026-11-26 14:30:05.997856
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = 'cee93668351a'
down_revision: str | None = '15f26f98dd99'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('catalogue_annual_figures',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_annual_figures'))
    )
    op.create_table('catalogue_request',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('applicant_type', sa.String(length=32), nullable=False),
    sa.Column('applicant_name', sa.Text(), nullable=False),
    sa.Column('applicant_contact', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('query_code', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('clarification_requested_on', sa.Date(), nullable=True),
    sa.Column('clarification_note', sa.Text(), nullable=True),
    sa.Column('clarified_on', sa.Date(), nullable=True),
    sa.Column('consultations', sa.JSON(), nullable=False),
    sa.Column('extension_working_days', sa.Integer(), nullable=False),
    sa.Column('extension_approved_by', sa.Text(), nullable=True),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('replied_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('outcome_reason', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_request')),
    sa.UniqueConstraint('query_code', name=op.f('uq_catalogue_request_query_code'))
    )
    with op.batch_alter_table('catalogue_request', schema=None) as batch_op:
        batch_op.create_index('ix_catalogue_request_department_status', ['department', 'status'], unique=False)

    op.create_table('catalogue_request_appeal',
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('request_id', 'version', name=op.f('pk_catalogue_request_appeal'))
    )
    with op.batch_alter_table('catalogue_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('catalogue_record', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')

    op.drop_table('catalogue_request_appeal')
    with op.batch_alter_table('catalogue_request', schema=None) as batch_op:
        batch_op.drop_index('ix_catalogue_request_department_status')

    op.drop_table('catalogue_request')
    op.drop_table('catalogue_annual_figures')
