"""data versions for cached aggregates; indexes found by the benchmark

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_versions',
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', name=op.f('pk_data_versions'))
    )
    with op.batch_alter_table('commitment_issues', schema=None) as batch_op:
        batch_op.create_index('ix_commitment_issues_issue_id', ['issue_id'], unique=False)
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index('ix_commitments_status_sector', ['status', 'sector'], unique=False)


def downgrade():
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_commitments_status_sector')
    with op.batch_alter_table('commitment_issues', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_issues_issue_id')
    op.drop_table('data_versions')
