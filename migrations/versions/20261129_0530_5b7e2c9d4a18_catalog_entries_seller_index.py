"""catalog entries: index the seller (a maker's profile change updates and re-marks their entries)

Revision ID: 5b7e2c9d4a18
Revises: 3f1c9a7d2b64
Create Date: 2026-11-29 05:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b7e2c9d4a18'
down_revision = '3f1c9a7d2b64'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('catalog_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_entries_seller_id'), ['seller_id'], unique=False)


def downgrade():
    with op.batch_alter_table('catalog_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_entries_seller_id'))
