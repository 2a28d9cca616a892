"""data versions for cached aggregates

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


def downgrade():
    op.drop_table('data_versions')
