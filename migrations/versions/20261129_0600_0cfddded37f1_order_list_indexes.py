"""orders: index the lists' sort (created_at, id) alone, by status, work unit and cooperative; index upper(number)

The order lists sort newest first on `created_at, id`: the scope indexes get `id` too, and new indexes serve the
unscoped list (operators) and a status filter. On PostgreSQL the number search (`upper(number) LIKE 'X%'`) gets an
expression index with text_pattern_ops, so a prefix match uses it whatever the collation; it lives outside the ORM
metadata (`procurement.models.ORDER_NUMBER_SEARCH_INDEX`): SQLite cannot reflect expression indexes, nor use one
for this LIKE.

Revision ID: 0cfddded37f1
Revises: 5b7e2c9d4a18
Create Date: 2026-11-29 06:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0cfddded37f1'
down_revision = '5b7e2c9d4a18'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_work_unit_created')
        batch_op.drop_index('ix_orders_cooperative_created')
        batch_op.create_index('ix_orders_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_orders_status_created', ['status', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_orders_work_unit_created', ['work_unit_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_orders_cooperative_created', ['cooperative_id', 'created_at', 'id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE INDEX ix_orders_number_upper ON orders (upper(number) text_pattern_ops)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_orders_number_upper')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_cooperative_created')
        batch_op.drop_index('ix_orders_work_unit_created')
        batch_op.drop_index('ix_orders_status_created')
        batch_op.drop_index('ix_orders_created')
        batch_op.create_index('ix_orders_cooperative_created', ['cooperative_id', 'created_at'], unique=False)
        batch_op.create_index('ix_orders_work_unit_created', ['work_unit_id', 'created_at'], unique=False)
