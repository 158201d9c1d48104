"""orders: index completed orders by completion time, for the sales figures of the dashboards

Every dashboard sums the orders completed this month, this year and in each of the last twelve months (per
cooperative, seller, work unit or the whole platform): `status = 'COMPLETED' AND completed_at >= …`.

Revision ID: b5e8c2d7f9a1
Revises: a4d9e6f1c3b8
Create Date: 2026-11-29 07:30:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b5e8c2d7f9a1'
down_revision = 'a4d9e6f1c3b8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_status_completed', ['status', 'completed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_status_completed')
