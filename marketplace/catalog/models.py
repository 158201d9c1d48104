"""Catalog: products, their reviewed revisions, reference lists, images, imports and the search listing.

A `Product` is the identity and the live state (status, live revision, stock, price validity). Every change to the
e-Katalog data is a `ProductRevision`; the live data changes only when a revision is approved
(`product.live_revision_id`). `CatalogEntry` is the denormalised row of each sellable product that search and the
public catalog read; it is rebuilt whenever the live data changes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import TimestampMixin
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class Category(db.Model):
    """A node of the operator-managed three-level category tree."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("parent_id", "name"), CheckConstraint("level BETWEEN 1 AND 3", name="level"))

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: 1, 2 or 3; products are filed under level-3 categories.
    level: Mapped[int] = mapped_column(SmallInteger)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: LKPP category id, where mapped (`id_kategori_produk_lkpp`).
    lkpp_id: Mapped[str | None] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(back_populates="parent", order_by="Category.position")


class Unit(db.Model):
    """A unit of measure from the managed list (`unit_pengukuran`)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    #: LKPP unit id, where mapped (`id_unit_pengukuran_lkpp`).
    lkpp_id: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class KbkiCode(db.Model):
    """A KBKI commodity code (BPS) at any of its levels (1, 2, 3, 4, 5, 7 or 10 digits)."""

    __tablename__ = "kbki_codes"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    level: Mapped[int] = mapped_column(SmallInteger)


class Product(TimestampMixin, db.Model):
    """A product's identity and live state; its data lives in revisions."""

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "sku"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        # "My products" lists, newest change first, of a cooperative (managers) and of a seller.
        Index("ix_products_cooperative_last_change", "cooperative_id", "last_change_at", "id"),
        Index("ix_products_seller_last_change", "seller_id", "last_change_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    #: The member (UMKM) who makes the product and owns the listing.
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: `no_produk_penyedia`, unique within the cooperative.
    sku: Mapped[str] = mapped_column(String(50))
    #: `draft` (never approved), `active` (sold and exported) or `withdrawn`.
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft", index=True)
    live_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_revisions.id", use_alter=True, name="fk_products_live_revision_id_product_revisions")
    )
    #: Units available now (reserved stock is already taken off).
    stock: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Live price validity (`berlaku_sampai`).
    valid_until: Mapped[date | None] = mapped_column(Date)
    #: First approval.
    published_at: Mapped[datetime | None]
    #: Last change a feed must carry (approval, stock or validity change, withdrawal): drives delta feeds.
    feed_changed_at: Mapped[datetime | None] = mapped_column(index=True)
    #: Last change made to the listing: the product's own columns or any of its revisions (their images,
    #: attachments and regional prices too), kept by `catalog.last_change`; stock taken or given back by orders
    #: and feed marks are not changes. Sorts "my products".
    last_change_at: Mapped[datetime] = mapped_column(default=utcnow)

    cooperative = relationship("Cooperative")
    seller = relationship("User")
    live_revision: Mapped[ProductRevision | None] = relationship(foreign_keys=[live_revision_id], post_update=True)
    revisions: Mapped[list[ProductRevision]] = relationship(
        foreign_keys="ProductRevision.product_id", back_populates="product", order_by="ProductRevision.number"
    )


class ProductRevision(TimestampMixin, db.Model):
    """One proposed version of a product's e-Katalog data; see `catalog.states.REVISION`."""

    __tablename__ = "product_revisions"
    __table_args__ = (
        UniqueConstraint("product_id", "number"),
        Index("ix_product_revisions_status_submitted", "status", "submitted_at"),
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("ppn_percent IN (0, 11, 12)", name="ppn_percent"),
        CheckConstraint("tkdn_x100 BETWEEN 0 AND 10000", name="tkdn_range"),
        CheckConstraint("bmp_x100 BETWEEN 0 AND 1500", name="bmp_range"),
        CheckConstraint("min_order >= 1", name="min_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    #: 1, 2, 3… per product.
    number: Mapped[int] = mapped_column(Integer)
    #: draft, submitted, approved, rejected, changes_requested; `superseded` once a newer revision goes live.
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Rejection reason or the notes sent back with "changes requested".
    decision_note: Mapped[str | None] = mapped_column(Text)

    # e-Katalog data (see ../shared/ekatalog-spec.md)
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(100))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    kbki_code: Mapped[str | None] = mapped_column(String(10))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    #: Government price excluding PPN, integer rupiah (`harga_pemerintah`).
    price: Mapped[int] = mapped_column(BigInteger)
    #: Retail price, integer rupiah (`harga_retail`), where known.
    retail_price: Mapped[int | None] = mapped_column(BigInteger)
    ppn_percent: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    shipping_cost: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    #: True: the base price applies to every delivery region; False: only the regions in `regional_prices`.
    national_price: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    stock: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The product's stock when this revision was started from the live one: approval adds the difference
    #: (stock - stock_base) to the live stock, so units sold meanwhile are not restored. None for a first version.
    stock_base: Mapped[int | None] = mapped_column(Integer)
    min_order: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    valid_until: Mapped[date | None] = mapped_column(Date)
    #: Made in Indonesia (PDN).
    is_domestic: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    #: TKDN % × 100 (40.25 % is 4025), so percentages are exact integers on every database.
    tkdn_x100: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    tkdn_certificate: Mapped[str | None] = mapped_column(String(100))
    #: BMP % × 100 (0 to 15 %).
    bmp_x100: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sni_number: Mapped[str | None] = mapped_column(String(60))
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    short_description: Mapped[str | None] = mapped_column(String(250))
    description: Mapped[str | None] = mapped_column(Text)
    #: [{"label": ..., "value": ...}] in display order.
    specifications: Mapped[list[dict]] = mapped_column(JSON, default=list)
    #: LKPP ids and UNSPSC, where the cooperative mapped them.
    lkpp_category_id: Mapped[str | None] = mapped_column(String(40))
    unspsc: Mapped[int | None] = mapped_column(Integer)

    product: Mapped[Product] = relationship(foreign_keys=[product_id], back_populates="revisions")
    author = relationship("User", foreign_keys=[author_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    category: Mapped[Category | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    regional_prices: Mapped[list[RegionalPrice]] = relationship(
        cascade="all, delete-orphan", order_by="RegionalPrice.region_code"
    )
    images: Mapped[list[RevisionImage]] = relationship(cascade="all, delete-orphan", order_by="RevisionImage.position")
    attachments: Mapped[list[RevisionAttachment]] = relationship(cascade="all, delete-orphan")


class RegionalPrice(db.Model):
    """A price for deliveries to a province (`35`) or kab/kota (`35.76`)."""

    __tablename__ = "regional_prices"
    __table_args__ = (
        Index("ix_regional_prices_region_revision", "region_code", "revision_id"),
        CheckConstraint("price > 0", name="price_positive"),
    )

    revision_id: Mapped[int] = mapped_column(ForeignKey("product_revisions.id", ondelete="CASCADE"), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(13), primary_key=True)
    price: Mapped[int] = mapped_column(BigInteger)
    shipping_cost: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class ProductImage(db.Model):
    """An uploaded product image; resized versions (50/100/300/800 px) are made by a task."""

    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    #: Storage key of the original, e.g. `products/12/3f2a….jpg` (generated, never the uploaded name).
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    #: Sizes made so far, e.g. [50, 100, 300, 800].
    sizes: Mapped[list[int]] = mapped_column(JSON, default=list)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RevisionImage(db.Model):
    __tablename__ = "revision_images"

    revision_id: Mapped[int] = mapped_column(ForeignKey("product_revisions.id", ondelete="CASCADE"), primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("product_images.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)

    image: Mapped[ProductImage] = relationship(lazy="joined")


class ProductAttachment(db.Model):
    """A PDF attached to a product (certificates: TKDN, SNI, halal…)."""

    __tablename__ = "product_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    #: The uploaded file name, cleaned; used only in Content-Disposition.
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    byte_size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RevisionAttachment(db.Model):
    __tablename__ = "revision_attachments"

    revision_id: Mapped[int] = mapped_column(ForeignKey("product_revisions.id", ondelete="CASCADE"), primary_key=True)
    attachment_id: Mapped[int] = mapped_column(
        ForeignKey("product_attachments.id", ondelete="CASCADE"), primary_key=True
    )
    description: Mapped[str | None] = mapped_column(String(200))

    attachment: Mapped[ProductAttachment] = relationship(lazy="joined")


#: Database objects made by the migrations for search, outside the ORM metadata: SQLite's FTS5 table (with its
#: shadow tables), PostgreSQL's `catalog_entries.search_vector` column and its GIN index, and PostgreSQL's
#: order-number index (`procurement.models.ORDER_NUMBER_SEARCH_INDEX`). Migration comparisons skip them (and
#: anything named with these prefixes).
SEARCH_INDEX_OBJECTS = ("catalog_fts", "search_vector", "ix_catalog_entries_search_vector", "ix_orders_number_upper")


class CatalogEntry(db.Model):
    """The searchable row of a sellable (active, approved) product, rebuilt when its live data changes.

    It holds everything a result card shows (names of the cooperative, maker and unit included), so a result page
    reads this table alone; `search.sync` keeps the copied names in step when they change at the source. On
    PostgreSQL the table also has `search_vector` (tsvector, GIN-indexed, outside the ORM: see
    `SEARCH_INDEX_OBJECTS`), written by `search.index.refresh_entry`.
    """

    __tablename__ = "catalog_entries"
    __table_args__ = (
        Index("ix_catalog_entries_price", "price"),
        Index("ix_catalog_entries_published", "published_at"),
        # A category at any level, in price order (a price sort within a category walks its own index).
        Index("ix_catalog_entries_category_l1_price", "category_l1_id", "price"),
        Index("ix_catalog_entries_category_l2_price", "category_l2_id", "price"),
        Index("ix_catalog_entries_category_price", "category_id", "price"),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("product_revisions.id"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    category_l1_id: Mapped[int | None]
    category_l2_id: Mapped[int | None]
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(100))
    price: Mapped[int] = mapped_column(BigInteger)
    price_with_ppn: Mapped[int] = mapped_column(BigInteger)
    national_price: Mapped[bool] = mapped_column(Boolean)
    #: The live revision's regional prices, {region code: [price, shipping cost]}, or None: what searches for a
    #: delivery region price each match with (without reading `regional_prices`).
    regional_prices: Mapped[dict[str, list[int]] | None] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    is_domestic: Mapped[bool] = mapped_column(Boolean)
    #: TKDN + BMP, × 100.
    tkdn_bmp_x100: Mapped[int] = mapped_column(Integer, index=True)
    tkdn_x100: Mapped[int] = mapped_column(Integer)
    skala_usaha: Mapped[str] = mapped_column(String(10), index=True)
    #: Kab/kota code of the maker, e.g. `35.76`.
    seller_regency_code: Mapped[str] = mapped_column(String(5), index=True)
    stock: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime]
    main_image_id: Mapped[int | None]
    #: Copies for the result card: the cooperative's name, the maker's business name ("" without a profile), the
    #: live revision's unit name, PPN % and shipping cost.
    cooperative_name: Mapped[str] = mapped_column(String(200), server_default="")
    seller_name: Mapped[str] = mapped_column(String(200), server_default="")
    unit_name: Mapped[str | None] = mapped_column(String(40))
    ppn_percent: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    shipping_cost: Mapped[int] = mapped_column(BigInteger, server_default="0")
    #: Name, brand, category names, descriptions and specification values as lower-case words. PostgreSQL
    #: searches `search_vector` made from it (the name weighted A, the brand B); on SQLite `catalog_fts` holds its
    #: Snowball Indonesian stems.
    search_text: Mapped[str] = mapped_column(Text)


class SearchTerm(db.Model):
    """Every stemmed word in the catalog, to correct one-letter typos the same way on every database."""

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(String(60), primary_key=True)
    #: How many catalog entries contain it (0 rows are removed).
    entries: Mapped[int] = mapped_column(Integer, default=0)


class ProductImport(TimestampMixin, db.Model):
    """A bulk upload (CSV/XLSX) processed by a worker: validated first, then imported as the user chooses."""

    __tablename__ = "product_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    #: The member whose products these are.
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200))
    storage_key: Mapped[str] = mapped_column(String(200))
    #: csv or xlsx.
    file_format: Mapped[str] = mapped_column(String(10))
    #: queued, validating, validated, importing, completed, discarded, failed.
    status: Mapped[str] = mapped_column(String(20), default="queued", server_default="queued")
    #: What the user chose after validation: `good_only` or `nothing`.
    decision: Mapped[str | None] = mapped_column(String(20))
    total_rows: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    processed_rows: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    good_rows: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    bad_rows: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    imported_rows: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failure: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None]


class ProductImportError(db.Model):
    """One problem in one row of an import (row numbers as the spreadsheet shows them, header = 1)."""

    __tablename__ = "product_import_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("product_imports.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(60))
    message: Mapped[str] = mapped_column(String(300))


# Registers the flush listener that keeps `Product.last_change_at` current wherever the models are used.
from marketplace.catalog import last_change  # noqa: E402, F401
