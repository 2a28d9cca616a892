"""people's e-mails stored lower-cased (lookups use ix_people_email); filtered commitment list index

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # Person.email is lower-cased on write (models/organisation.py); bring older rows in line so
    # `people.email = :email` finds them (no lower(email) scan).
    op.execute(sa.text("UPDATE people SET email = lower(email) WHERE email <> lower(email)"))
    # The filtered commitment list: ids by target date and totals by funding source from the
    # index alone (supersedes ix_commitments_status_sector, its prefix).
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_commitments_status_sector')
        batch_op.create_index('ix_commitments_filtered',
                              ['status', 'sector', 'target_date', 'funding_source', 'amount_idr'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_commitments_filtered')
        batch_op.create_index('ix_commitments_status_sector', ['status', 'sector'], unique=False)
    # Lower-cased e-mail addresses stay as they are.
