"""How a listing's fields are named and shown, and the field-by-field difference between two versions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, select

from marketplace.catalog.models import Category, ProductRevision
from marketplace.catalog.rules import format_percent, format_weight
from marketplace.core.templating import rupiah
from marketplace.extensions import db

#: Label of each field (API names), in the order pages show them.
FIELD_LABELS = {
    "name": _l("Product name"),
    "brand": _l("Brand"),
    "category_id": _l("Category"),
    "kbki": _l("KBKI code"),
    "unit": _l("Unit"),
    "price": _l("Government price (excl. PPN)"),
    "retail_price": _l("Retail price"),
    "ppn_percent": _l("PPN %"),
    "shipping_cost": _l("Shipping cost"),
    "national_price": _l("Price applies nationally"),
    "regional_prices": _l("Regional prices"),
    "stock": _l("Stock"),
    "min_order": _l("Minimum order"),
    "valid_until": _l("Price valid until"),
    "is_domestic": _l("Made in Indonesia (PDN)"),
    "tkdn": _l("TKDN %"),
    "tkdn_certificate": _l("TKDN certificate number"),
    "bmp": _l("BMP %"),
    "sni_number": _l("SNI number"),
    "weight_kg": _l("Weight (kg)"),
    "short_description": _l("Short description"),
    "description": _l("Full description"),
    "specifications": _l("Specifications"),
    "images": _l("Images"),
    "attachments": _l("Attachments"),
    "lkpp_category_id": _l("LKPP category id"),
    "unspsc": _l("UNSPSC"),
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    live: str
    proposed: str

    @property
    def changed(self) -> bool:
        return self.live != self.proposed


def category_path(category_id: int | None) -> str:
    """`Bahan Pokok › Beras dan Serealia › Beras`."""
    names: list[str] = []
    category = db.session.get(Category, category_id) if category_id else None
    while category is not None:
        names.insert(0, category.name)
        category = category.parent
    return " › ".join(names)


def category_paths(category_ids: Iterable[int]) -> dict[int, str]:
    """`category_path` of each category, read with its ancestors in one query (a recursive walk up the tree)."""
    ids = set(category_ids)
    if not ids:
        return {}
    walk = (
        select(Category.id.label("start_id"), Category.parent_id, Category.name, literal(0).label("depth"))
        .where(Category.id.in_(ids))
        .cte("walk", recursive=True)
    )
    walk = walk.union_all(
        select(walk.c.start_id, Category.parent_id, Category.name, walk.c.depth + 1).join(
            Category, Category.id == walk.c.parent_id
        )
    )
    names: dict[int, list[tuple[int, str]]] = {}
    for start_id, name, depth in db.session.execute(select(walk.c.start_id, walk.c.name, walk.c.depth)):
        names.setdefault(start_id, []).append((depth, name))
    return {start_id: " › ".join(name for _, name in sorted(path, reverse=True)) for start_id, path in names.items()}


def _yes_no(value: bool) -> str:
    return str(_l("Yes") if value else _l("No"))


def shown_values(revision: ProductRevision | None) -> dict[str, str]:
    """Every field of a revision as text for people (empty strings for a missing revision)."""
    if revision is None:
        return dict.fromkeys(FIELD_LABELS, "")
    return {
        "name": revision.name,
        "brand": revision.brand or "",
        "category_id": category_path(revision.category_id),
        "kbki": revision.kbki_code or "",
        "unit": revision.unit.name if revision.unit else "",
        "price": rupiah(revision.price),
        "retail_price": rupiah(revision.retail_price),
        "ppn_percent": f"{revision.ppn_percent}%",
        "shipping_cost": rupiah(revision.shipping_cost),
        "national_price": _yes_no(revision.national_price),
        "regional_prices": "\n".join(
            f"{rp.region_code}: {rupiah(rp.price)} (+{rupiah(rp.shipping_cost)})" for rp in revision.regional_prices
        ),
        "stock": str(revision.stock),
        "min_order": str(revision.min_order),
        "valid_until": revision.valid_until.isoformat() if revision.valid_until else "",
        "is_domestic": _yes_no(revision.is_domestic),
        "tkdn": format_percent(revision.tkdn_x100),
        "tkdn_certificate": revision.tkdn_certificate or "",
        "bmp": format_percent(revision.bmp_x100),
        "sni_number": revision.sni_number or "",
        "weight_kg": format_weight(revision.weight_grams),
        "short_description": revision.short_description or "",
        "description": revision.description or "",
        "specifications": "\n".join(f"{s['label']}: {s['value']}" for s in revision.specifications or []),
        "images": ", ".join(
            f"#{link.image_id}{' ★' if link.is_main else ''}" for link in sorted(revision.images, key=_position)
        ),
        "attachments": ", ".join(link.attachment.filename for link in revision.attachments),
        "lkpp_category_id": revision.lkpp_category_id or "",
        "unspsc": str(revision.unspsc or ""),
    }


def _position(link: object) -> int:
    return link.position


def listing_diff(live: ProductRevision | None, proposed: ProductRevision) -> list[FieldChange]:
    """Each field with its live and proposed value (a new product has no live values)."""
    before, after = shown_values(live), shown_values(proposed)
    return [FieldChange(field, str(label), before[field], after[field]) for field, label in FIELD_LABELS.items()]
