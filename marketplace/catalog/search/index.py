"""Keep `catalog_entries` and the full-text index in step with each product's live data.

Call `refresh_entry(product)` (flushes, never commits) after anything that changes what buyers see: an approval,
a withdrawal, a stock or validity change, or a change of the seller's profile.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from marketplace.accounts.models import SellerProfile
from marketplace.catalog.models import CatalogEntry, Category, Product, ProductRevision, SearchTerm
from marketplace.catalog.search.text import stems, words
from marketplace.catalog.states import ProductStatus
from marketplace.core.money import with_ppn
from marketplace.extensions import db


def refresh_entry(product: Product) -> CatalogEntry | None:
    """Rebuild (or remove) the product's catalog entry and its search index rows; return the entry."""
    db.session.flush()
    existing = db.session.get(CatalogEntry, product.id)
    old_text = existing.search_text if existing is not None else ""
    revision = product.live_revision
    if product.status != ProductStatus.ACTIVE or revision is None:
        if existing is not None:
            db.session.delete(existing)
            db.session.flush()
            _update_fulltext(product.id, None)
            _count_terms(old_text, "")
        return None
    entry = existing or CatalogEntry(product_id=product.id)
    _fill_entry(entry, product, revision)
    if existing is None:
        db.session.add(entry)
    db.session.flush()
    _update_fulltext(product.id, entry.search_text)
    _count_terms(old_text, entry.search_text)
    return entry


def _category_path(category_id: int | None) -> list[Category]:
    path: list[Category] = []
    category = db.session.get(Category, category_id) if category_id else None
    while category is not None:
        path.insert(0, category)
        category = category.parent
    return path


def _fill_entry(entry: CatalogEntry, product: Product, revision: ProductRevision) -> None:
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
    entry.is_domestic = revision.is_domestic
    entry.tkdn_x100 = revision.tkdn_x100
    entry.tkdn_bmp_x100 = revision.tkdn_x100 + revision.bmp_x100
    entry.skala_usaha = profile.skala_usaha if profile else "mikro"
    entry.seller_regency_code = (profile.region_code if profile else product.cooperative.region_code)[:5]
    entry.stock = product.stock
    entry.published_at = product.published_at
    entry.main_image_id = main or (revision.images[0].image_id if revision.images else None)
    entry.search_text = search_text_of(revision, categories)


def search_text_of(revision: ProductRevision, categories: list[Category]) -> str:
    """The text a product is found by: name, brand, category names, descriptions, specification values.

    Stored as its lower-case `words()` joined by single spaces, so that PostgreSQL's parser sees the same words as
    the Python stemmer (`1.5`, `ke-2` or `rp72.500` would otherwise become different tokens on each side).
    """
    parts = [revision.name, revision.brand or "", *(c.name for c in categories)]
    parts += [revision.short_description or "", revision.description or ""]
    parts += [f"{item.get('label', '')} {item.get('value', '')}" for item in revision.specifications or []]
    return " ".join(words(" ".join(part for part in parts if part)))


def _update_fulltext(product_id: int, search_text: str | None) -> None:
    """SQLite: keep the FTS5 row of stems; PostgreSQL indexes `search_text` itself (expression index)."""
    if db.session.get_bind().dialect.name != "sqlite":
        return
    db.session.execute(text("DELETE FROM catalog_fts WHERE rowid = :id"), {"id": product_id})
    if search_text is not None:
        db.session.execute(
            text("INSERT INTO catalog_fts (rowid, stems) VALUES (:id, :stems)"),
            {"id": product_id, "stems": " ".join(stems(search_text))},
        )


def _count_terms(old_text: str, new_text: str) -> None:
    """Adjust how many entries contain each stem, for typo correction."""
    old, new = set(stems(old_text)), set(stems(new_text))
    changes = Counter(dict.fromkeys(new - old, 1))
    changes.subtract(dict.fromkeys(old - new, 1))
    rows = [{"term": term, "entries": delta} for term, delta in sorted(changes.items()) if delta and len(term) <= 60]
    if not rows:
        return
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(SearchTerm)
    db.session.execute(  # an upsert, so that concurrent approvals adding the same word do not collide
        statement.on_conflict_do_update(
            index_elements=[SearchTerm.term], set_={"entries": SearchTerm.entries + statement.excluded.entries}
        ),
        rows,
    )
    db.session.execute(delete(SearchTerm).where(SearchTerm.entries <= 0))
