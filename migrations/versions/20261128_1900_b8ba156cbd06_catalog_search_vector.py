"""catalog search vector and card columns

Catalog entries get what a result card shows (cooperative, maker and unit names, PPN %, shipping cost, regional
prices as JSON), so a result page reads `catalog_entries` alone; categories are indexed with the price, so a
price sort within a category walks an index; on PostgreSQL they also get a stored, weighted `search_vector` (name A, brand B,
the rest D without positions) with a GIN index, replacing the expression index on `to_tsvector(search_text)`.
Existing entries are filled in. SQLite keeps its FTS5 table.

Revision ID: b8ba156cbd06
Revises: b7f3a2c91d05
Create Date: 2026-11-28 19:00:00.000000

"""

import re

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "b8ba156cbd06"
down_revision = "b7f3a2c91d05"
branch_labels = None
depends_on = None

#: As `marketplace.catalog.search.index.SEARCH_VECTOR_SQL` when this migration was written.
VECTOR_SQL = (
    "setweight(to_tsvector('indonesian', {name}), 'A') || setweight(to_tsvector('indonesian', {brand}), 'B')"
    " || strip(to_tsvector('indonesian', {rest}))"
)
#: As `marketplace.catalog.search.text.WORD`: `search_text` is these words of the name, the brand, then the rest.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
BATCH = 1000


def upgrade():
    with op.batch_alter_table("catalog_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cooperative_name", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("seller_name", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("unit_name", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("ppn_percent", sa.SmallInteger(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("shipping_cost", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column(
                "regional_prices",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.drop_index("ix_catalog_entries_category")
        batch_op.create_index("ix_catalog_entries_category_l1_price", ["category_l1_id", "price"], unique=False)
        batch_op.create_index("ix_catalog_entries_category_l2_price", ["category_l2_id", "price"], unique=False)
        batch_op.create_index("ix_catalog_entries_category_price", ["category_id", "price"], unique=False)
    fill_card_columns()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE catalog_entries ADD COLUMN search_vector tsvector")
        fill_search_vectors()
        op.execute("CREATE INDEX ix_catalog_entries_search_vector ON catalog_entries USING GIN (search_vector)")
        op.execute("DROP INDEX IF EXISTS ix_catalog_entries_fulltext")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_catalog_entries_fulltext ON catalog_entries "
            "USING GIN (to_tsvector('indonesian', search_text))"
        )
        op.execute("DROP INDEX IF EXISTS ix_catalog_entries_search_vector")
        op.execute("ALTER TABLE catalog_entries DROP COLUMN search_vector")
    with op.batch_alter_table("catalog_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_entries_category_price")
        batch_op.drop_index("ix_catalog_entries_category_l2_price")
        batch_op.drop_index("ix_catalog_entries_category_l1_price")
        batch_op.create_index(
            "ix_catalog_entries_category", ["category_l1_id", "category_l2_id", "category_id"], unique=False
        )
        batch_op.drop_column("regional_prices")
        batch_op.drop_column("shipping_cost")
        batch_op.drop_column("ppn_percent")
        batch_op.drop_column("unit_name")
        batch_op.drop_column("seller_name")
        batch_op.drop_column("cooperative_name")


def fill_card_columns():
    """Copy the names, PPN and shipping cost of every existing entry from their sources."""
    op.execute(
        """
        UPDATE catalog_entries SET
            cooperative_name = (SELECT c.name FROM cooperatives c WHERE c.id = catalog_entries.cooperative_id),
            seller_name = coalesce(
                (SELECT p.business_name FROM seller_profiles p WHERE p.user_id = catalog_entries.seller_id), ''),
            unit_name = (
                SELECT u.name FROM product_revisions r JOIN units u ON u.id = r.unit_id
                WHERE r.id = catalog_entries.revision_id),
            ppn_percent = (SELECT r.ppn_percent FROM product_revisions r WHERE r.id = catalog_entries.revision_id),
            shipping_cost = (SELECT r.shipping_cost FROM product_revisions r WHERE r.id = catalog_entries.revision_id)
        """
    )
    prices = "jsonb_object_agg" if op.get_bind().dialect.name == "postgresql" else "json_group_object"
    array = "jsonb_build_array" if prices == "jsonb_object_agg" else "json_array"
    op.execute(
        f"""
        UPDATE catalog_entries SET regional_prices = (
            SELECT {prices}(rp.region_code, {array}(rp.price, rp.shipping_cost)) FROM regional_prices rp
            WHERE rp.revision_id = catalog_entries.revision_id)
        WHERE EXISTS (SELECT 1 FROM regional_prices rp WHERE rp.revision_id = catalog_entries.revision_id)
        """
    )


def fill_search_vectors():
    """Write every entry's vector from its `search_text`, split back into the words of the name, brand and rest."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT product_id, name, brand, search_text FROM catalog_entries")).all()
    statement = sa.text(  # constant SQL: the values are bound parameters
        "UPDATE catalog_entries SET search_vector = "  # noqa: S608
        + VECTOR_SQL.format(name=":name", brand=":brand", rest=":rest")
        + " WHERE product_id = :id"
    )
    for start in range(0, len(rows), BATCH):
        values = []
        for product_id, name, brand, search_text in rows[start : start + BATCH]:
            name_words, brand_words = WORD.findall(name.lower()), WORD.findall((brand or "").lower())
            rest = search_text.split(" ")[len(name_words) + len(brand_words) :]
            values.append(
                {"id": product_id, "name": " ".join(name_words), "brand": " ".join(brand_words), "rest": " ".join(rest)}
            )
        bind.execute(statement, values)
