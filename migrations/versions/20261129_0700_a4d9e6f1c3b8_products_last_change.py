"""products: last_change_at, the listing's last change, indexed per cooperative and per seller for "my products"

"My products" sorted on the latest `updated_at` of each product's revisions (a correlated subquery over every
product in scope). The product now stores that moment (`catalog.last_change` keeps it current). Existing rows get
the expression the list sorted on, so their order does not change: the latest revision's `updated_at`, or the
product's own where it has no revision (its `updated_at` also moves with stock taken by orders and feed marks, so
it is not taken when revisions exist). The column is added empty, filled, then made NOT NULL: there is no sensible
server default for it (SQLite cannot add a column defaulting to the current time), and the application always sets
it.

Revision ID: a4d9e6f1c3b8
Revises: 0cfddded37f1
Create Date: 2026-11-29 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a4d9e6f1c3b8'
down_revision = '0cfddded37f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_change_at', sa.DateTime(timezone=True), nullable=True))

    products = sa.table('products', sa.column('id'), sa.column('updated_at'), sa.column('last_change_at'))
    revisions = sa.table('product_revisions', sa.column('product_id'), sa.column('updated_at'))
    latest_revision = (
        sa.select(sa.func.max(revisions.c.updated_at))
        .where(revisions.c.product_id == products.c.id)
        .scalar_subquery()
    )
    op.execute(products.update().values(last_change_at=sa.func.coalesce(latest_revision, products.c.updated_at)))

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.alter_column('last_change_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index(
            'ix_products_cooperative_last_change', ['cooperative_id', 'last_change_at', 'id'], unique=False
        )
        batch_op.create_index('ix_products_seller_last_change', ['seller_id', 'last_change_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_seller_last_change')
        batch_op.drop_index('ix_products_cooperative_last_change')
        batch_op.drop_column('last_change_at')
