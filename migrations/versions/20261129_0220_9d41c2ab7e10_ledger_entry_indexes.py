"""ledger entries: index the payment and refund they belong to (read when an order is paid or refunded)

Revision ID: 9d41c2ab7e10
Revises: 6786ce77acbc
Create Date: 2026-11-29 02:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d41c2ab7e10'
down_revision = '6786ce77acbc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_refund_id'), ['refund_id'], unique=False)


def downgrade():
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_refund_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_payment_id'))
