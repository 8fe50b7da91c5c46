"""initial tables

Revision ID: 9ba97e870785
Revises: 
Create Date: 2026-11-26 13:42:02.668536
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '9ba97e870785'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('opinion_chain',
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('position', name=op.f('pk_opinion_chain'))
    )
    op.create_table('opinion_follow_position',
    sa.Column('upstream', sa.String(length=32), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('upstream_head', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('upstream', name=op.f('pk_opinion_follow_position'))
    )
    op.create_table('opinion_idempotency',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('principal', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('resource_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('key', 'principal', name=op.f('pk_opinion_idempotency'))
    )
    op.create_table('opinion_incident',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=32), nullable=False),
    sa.Column('emergency', sa.Boolean(), nullable=False),
    sa.Column('lead_department', sa.String(length=32), nullable=True),
    sa.Column('cooperating_departments', sa.JSON(), nullable=False),
    sa.Column('reporter_department', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_incident'))
    )
    with op.batch_alter_table('opinion_incident', schema=None) as batch_op:
        batch_op.create_index('ix_opinion_incident_detected_at', ['detected_at'], unique=False)
        batch_op.create_index('ix_opinion_incident_lead_department', ['lead_department'], unique=False)

    op.create_table('opinion_involvement',
    sa.Column('incident_id', sa.String(length=36), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('incident_id', 'department', name=op.f('pk_opinion_involvement'))
    )
    with op.batch_alter_table('opinion_involvement', schema=None) as batch_op:
        batch_op.create_index('ix_opinion_involvement_department', ['department'], unique=False)

    op.create_table('opinion_response',
    sa.Column('incident_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('explains', sa.JSON(), nullable=False),
    sa.Column('incomplete_explanation', sa.Boolean(), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('responded_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('incident_id', 'version', name=op.f('pk_opinion_response'))
    )
    


def downgrade() -> None:
    
    op.drop_table('opinion_response')
    with op.batch_alter_table('opinion_involvement', schema=None) as batch_op:
        batch_op.drop_index('ix_opinion_involvement_department')

    op.drop_table('opinion_involvement')
    with op.batch_alter_table('opinion_incident', schema=None) as batch_op:
        batch_op.drop_index('ix_opinion_incident_lead_department')
        batch_op.drop_index('ix_opinion_incident_detected_at')

    op.drop_table('opinion_incident')
    op.drop_table('opinion_idempotency')
    op.drop_table('opinion_follow_position')
    op.drop_table('opinion_chain')
    
