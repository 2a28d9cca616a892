"""indexes for the latest update's verification state and for the waiting list

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 20:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # The commitment list's ?verification= filter reads each commitment's latest update: newest
    # first per commitment, with its state, from the index alone (bench/README.md). Its prefix
    # replaces the plain index on commitment_id.
    with op.batch_alter_table('commitment_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_updates_commitment_id')
        batch_op.create_index('ix_commitment_updates_latest',
                              ['commitment_id', 'created_at', 'id', 'verification_state'],
                              unique=False)
    # A full workshop's next waiting-list place (MAX) and first person waiting, under the lock.
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_workshop_waitlist',
                              ['workshop_id', 'waitlist_position'], unique=False)


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_workshop_waitlist')
    with op.batch_alter_table('commitment_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_updates_latest')
        batch_op.create_index('ix_commitment_updates_commitment_id', ['commitment_id'],
                              unique=False)
