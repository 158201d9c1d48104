"""feeds: the ocds shape (orders as an OCDS release package)

Revision ID: c0cd5a7e1f02
Revises: 394fed6383af
Create Date: 2026-11-28 23:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c0cd5a7e1f02'
down_revision = '394fed6383af'
branch_labels = None
depends_on = None


def _shapes(shapes):
    with op.batch_alter_table('feeds', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_feeds_shape'), type_='check')
        batch_op.create_check_constraint('shape', f"shape IN ({', '.join(repr(s) for s in shapes)})")


def upgrade():
    _shapes(('datafeed', 'csv', 'xlsx', 'ocds'))


def downgrade():
    op.execute("DELETE FROM feeds WHERE shape = 'ocds'")
    _shapes(('datafeed', 'csv', 'xlsx'))
