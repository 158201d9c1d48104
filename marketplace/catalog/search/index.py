"""Keep `catalog_entries` and the full-text index in step with each product's live data.

Call `refresh_entry(product)` (flushes, never commits) after anything that changes what buyers see: an approval,
a withdrawal, a stock or validity change. The names a card shows beside the product (cooperative, maker, unit) and
the maker's scale and region are copied into the entry too; `search.sync` updates those copies when they change at
the source, whichever service changes them.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from sqlalchemy import bindparam, delete, select, text

from marketplace.accounts.models import DEFAULT_SKALA_USAHA, SellerProfile
from marketplace.catalog.models import CatalogEntry, Category, Product, ProductRevision, SearchTerm
from marketplace.catalog.search import sync  # noqa: F401  (registers the listeners that keep copied names fresh)
from marketplace.catalog.search.text import stems, words
from marketplace.catalog.states import ProductStatus
from marketplace.core.db import upsert_insert
from marketplace.core.money import with_ppn
from marketplace.extensions import db

#: PostgreSQL: the stored `search_vector` of an entry, from its words (`SearchParts`): the name weighted A, the brand
#: B and the rest D without positions (ts_rank counts each of those words once, and the vector stays small: the
#: rows a search reads stay in fewer pages). Its lexemes are exactly those of `to_tsvector('indonesian',
#: search_text)`, so the same products match; the migration that added it writes the same expression.
SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('indonesian', {name}), 'A') || setweight(to_tsvector('indonesian', {brand}), 'B')"
    " || strip(to_tsvector('indonesian', {rest}))"
)
_SET_VECTOR = text(  # constant SQL: the values are bound parameters
    "UPDATE catalog_entries SET search_vector = "  # noqa: S608
    + SEARCH_VECTOR_SQL.format(name=":name", brand=":brand", rest=":rest")
    + " WHERE product_id = :id"
)


#: Entries removed per statement (SQLite's bound-parameter limit is 32,766).
REMOVAL_CHUNK = 5000


class SearchParts(NamedTuple):
    """A product's searchable words (lower case, joined by single spaces): its name, its brand, the rest."""

    name: str
    brand: str
    rest: str

    @property
    def text(self) -> str:
        """The whole `search_text`."""
        return " ".join(part for part in self if part)


def refresh_entry(product: Product) -> CatalogEntry | None:
    """Rebuild (or remove) the product's catalog entry and its search index rows; return the entry."""
    db.session.flush()
    existing = db.session.get(CatalogEntry, product.id)
    old_text = existing.search_text if existing is not None else ""
    revision = product.live_revision
    if product.status != ProductStatus.ACTIVE or revision is None:
        if existing is not None:
            remove_entries([product.id])
        return None
    entry = existing or CatalogEntry(product_id=product.id)
    parts = _fill_entry(entry, product, revision)
    if existing is None:
        db.session.add(entry)
    db.session.flush()
    _update_fulltext(product.id, parts)
    _count_terms(old_text, entry.search_text)
    return entry


def remove_entries(product_ids: list[int]) -> None:
    """Remove the catalog entries and search index rows of products taken off sale, a chunk of ids per statement
    (flushes, never commits)."""
    db.session.flush()
    for start in range(0, len(product_ids), REMOVAL_CHUNK):
        chunk = product_ids[start : start + REMOVAL_CHUNK]
        texts = list(db.session.scalars(select(CatalogEntry.search_text).where(CatalogEntry.product_id.in_(chunk))))
        db.session.execute(
            delete(CatalogEntry)
            .where(CatalogEntry.product_id.in_(chunk))
            .execution_options(synchronize_session="fetch")
        )
        if db.session.get_bind().dialect.name == "sqlite":
            db.session.execute(
                text("DELETE FROM catalog_fts WHERE rowid IN :ids").bindparams(bindparam("ids", expanding=True)),
                {"ids": chunk},
            )
        _count_removed_terms(texts)


def _category_path(category_id: int | None) -> list[Category]:
    path: list[Category] = []
    category = db.session.get(Category, category_id) if category_id else None
    while category is not None:
        path.insert(0, category)
        category = category.parent
    return path


def _fill_entry(entry: CatalogEntry, product: Product, revision: ProductRevision) -> SearchParts:
    profile = db.session.scalar(select(SellerProfile).where(SellerProfile.user_id == product.seller_id))
    categories = _category_path(revision.category_id)
    main = next((link.image_id for link in revision.images if link.is_main), None)
    entry.revision_id = revision.id
    entry.cooperative_id = product.cooperative_id
    entry.seller_id = product.seller_id
    entry.category_id = revision.category_id
    entry.category_l1_id = categories[0].id if categories else None
    entry.category_l2_id = categories[1].id if len(categories) > 1 else None
    entry.name = revision.name
    entry.brand = revision.brand
    entry.price = revision.price
    entry.price_with_ppn = with_ppn(revision.price, revision.ppn_percent)
    entry.national_price = revision.national_price
    entry.regional_prices = {rp.region_code: [rp.price, rp.shipping_cost] for rp in revision.regional_prices} or None
    entry.is_domestic = revision.is_domestic
    entry.tkdn_x100 = revision.tkdn_x100
    entry.tkdn_bmp_x100 = revision.tkdn_x100 + revision.bmp_x100
    entry.skala_usaha = profile.skala_usaha if profile else DEFAULT_SKALA_USAHA
    entry.seller_regency_code = (profile.region_code if profile else product.cooperative.region_code)[:5]
    entry.stock = product.stock
    entry.published_at = product.published_at
    entry.main_image_id = main or (revision.images[0].image_id if revision.images else None)
    entry.cooperative_name = product.cooperative.name
    entry.seller_name = profile.business_name if profile else ""
    entry.unit_name = revision.unit.name if revision.unit else None
    entry.ppn_percent = revision.ppn_percent
    entry.shipping_cost = revision.shipping_cost
    parts = search_parts(revision, categories)
    entry.search_text = parts.text
    return parts


def search_parts(revision: ProductRevision, categories: list[Category]) -> SearchParts:
    """The words a product is found by: name, brand, then category names, descriptions, specification values.

    Stored as lower-case `words()` joined by single spaces, so that PostgreSQL's parser sees the same words as the
    Python stemmer (`1.5`, `ke-2` or `rp72.500` would otherwise become different tokens on each side).
    """
    rest = [*(c.name for c in categories), revision.short_description or "", revision.description or ""]
    rest += [f"{item.get('label', '')} {item.get('value', '')}" for item in revision.specifications or []]
    return SearchParts(
        " ".join(words(revision.name)),
        " ".join(words(revision.brand or "")),
        " ".join(words(" ".join(part for part in rest if part))),
    )


def search_text_of(revision: ProductRevision, categories: list[Category]) -> str:
    """The text a product is found by (`search_parts` as one string)."""
    return search_parts(revision, categories).text


def _update_fulltext(product_id: int, parts: SearchParts) -> None:
    """PostgreSQL: write the entry's `search_vector`; SQLite: replace the FTS5 row of stems."""
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(_SET_VECTOR, {"id": product_id, **parts._asdict()})
        return
    db.session.execute(text("DELETE FROM catalog_fts WHERE rowid = :id"), {"id": product_id})
    db.session.execute(
        text("INSERT INTO catalog_fts (rowid, stems) VALUES (:id, :stems)"),
        {"id": product_id, "stems": " ".join(stems(parts.text))},
    )


def _count_terms(old_text: str, new_text: str) -> None:
    """Adjust how many entries contain each stem, for typo correction."""
    old, new = set(stems(old_text)), set(stems(new_text))
    changes = Counter(dict.fromkeys(new - old, 1))
    changes.subtract(dict.fromkeys(old - new, 1))
    _apply_term_changes(changes)


def _count_removed_terms(texts: list[str]) -> None:
    """One entry fewer for each stem of each removed entry's text."""
    changes: Counter[str] = Counter()
    for removed in texts:
        changes.subtract(dict.fromkeys(set(stems(removed)), 1))
    _apply_term_changes(changes)


def _apply_term_changes(changes: Counter[str]) -> None:
    rows = [{"term": term, "entries": delta} for term, delta in sorted(changes.items()) if delta and len(term) <= 60]
    if not rows:
        return
    statement = upsert_insert(db.session)(SearchTerm)
    db.session.execute(  # an upsert, so that concurrent approvals adding the same word do not collide
        statement.on_conflict_do_update(
            index_elements=[SearchTerm.term], set_={"entries": SearchTerm.entries + statement.excluded.entries}
        ),
        rows,
    )
    db.session.execute(delete(SearchTerm).where(SearchTerm.entries <= 0))
