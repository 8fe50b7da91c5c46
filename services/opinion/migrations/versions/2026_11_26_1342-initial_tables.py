"""initial tables

Revision ID: 9ba97e870785
Revises: 
Create Date: 2026-11-26 13:42:02.668536
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_kernel_tables_v1, drop_kernel_tables_v1


revision: str = '9ba97e870785'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_kernel_tables_v1('opinion')
    
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
    
    drop_kernel_tables_v1('opinion')
