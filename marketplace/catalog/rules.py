"""The rules of a product's e-Katalog data, shared by the seller's form, the JSON API and the bulk upload.

`clean_listing(raw, cooperative=…)` takes the fields under their API names (`sku`, `name`, `kbki`, `unit`,
`price`, `tkdn`, …) and returns the values for a `ProductRevision`, or raises `ValidationFailed` whose `fields` map
each bad field (dotted paths for lists: `regional_prices.2.price`) to a message in the interface language.
Values may come as strings (forms, CSV cells) or typed (JSON, XLSX cells).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import g
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.catalog.models import Category, KbkiCode, Unit
from marketplace.core.errors import ValidationFailed
from marketplace.core.fields import (
    FieldErrors,
    as_database_id,
    is_blank,
    read_boolean,
    read_integer,
    read_percent_x100,
    read_text,
)
from marketplace.extensions import db
from marketplace.reference.regions import get_region

SKU_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,49}")
MAX_PRICE = 1_000_000_000_000
MAX_STOCK = 100_000_000
MAX_SPECIFICATIONS = 50
MAX_REGIONAL_PRICES = 600
PPN_CHOICES = (0, 11, 12)
#: Field names (API names) in the order forms and error lists show them.
LISTING_FIELDS = (
    "sku",
    "name",
    "brand",
    "category_id",
    "kbki",
    "unit",
    "price",
    "retail_price",
    "ppn_percent",
    "shipping_cost",
    "national_price",
    "stock",
    "min_order",
    "valid_until",
    "is_domestic",
    "tkdn",
    "tkdn_certificate",
    "bmp",
    "sni_number",
    "weight_kg",
    "short_description",
    "description",
    "specifications",
    "regional_prices",
    "lkpp_category_id",
    "unspsc",
)
#: API field → ProductRevision attribute, where they differ.
COLUMN_OF = {
    "kbki": "kbki_code",
    "unit": "unit_id",
    "tkdn": "tkdn_x100",
    "bmp": "bmp_x100",
    "weight_kg": "weight_grams",
    "sku": None,  # lives on Product
}


def _date(raw: dict, key: str, errors: FieldErrors, *, today: date) -> date | None:
    value = raw.get(key)
    if is_blank(value):
        errors.add(key, _("This field is required."))
        return None
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            errors.add(key, _("Enter a date as YYYY-MM-DD."))
            return None
    if parsed < today:
        errors.add(key, _("The price validity date has already passed."))
    return parsed


def _category(raw: dict, errors: FieldErrors) -> int | None:
    value = raw.get("category_id")
    if is_blank(value):
        errors.add("category_id", _("This field is required."))
        return None
    key = as_database_id(value)
    category = db.session.get(Category, key) if key is not None else None
    if category is None or not category.is_active or category.level != 3:
        errors.add("category_id", _("Choose a category of the third level from the list."))
        return None
    return category.id


def _kbki(raw: dict, errors: FieldErrors) -> str | None:
    code = read_text(raw, "kbki", errors, limit=10, required=True)
    if code is None:
        return None
    if not re.fullmatch(r"\d{10}", code):
        errors.add("kbki", _("A KBKI code has 10 digits."))
        return None
    if db.session.get(KbkiCode, code) is None:
        errors.add("kbki", _("Unknown KBKI code. Choose one from the reference list."))
    return code


def active_units() -> dict[str, int]:
    """Active units by lower-case name, read once per request or task (a bulk upload checks thousands of rows)."""
    if "active_units" not in g:
        g.active_units = {
            name.lower(): unit_id
            for unit_id, name in db.session.execute(select(Unit.id, Unit.name).where(Unit.is_active.is_(True)))
        }
    return g.active_units


def forget_active_units() -> None:
    """Drop the cached unit list after the operator changed units."""
    g.pop("active_units", None)


def _unit(raw: dict, errors: FieldErrors) -> int | None:
    name = read_text(raw, "unit", errors, limit=40, required=True)
    if name is None:
        return None
    unit_id = active_units().get(name.lower())
    if unit_id is None:
        errors.add("unit", _("Unknown unit. Choose one from the list, e.g. Kilogram."))
    return unit_id


def _specifications(raw: dict, errors: FieldErrors) -> list[dict[str, str]]:
    items = raw.get("specifications") or []
    if not isinstance(items, list):
        errors.add("specifications", _("Enter a list of label and value pairs."))
        return []
    if len(items) > MAX_SPECIFICATIONS:
        errors.add("specifications", _("At most %(n)d specifications.", n=MAX_SPECIFICATIONS))
    cleaned: list[dict[str, str]] = []
    for index, item in enumerate(items):
        item = item if isinstance(item, dict) else {}
        label = read_text(item, "label", _Nested(errors, f"specifications.{index}"), limit=100, required=True)
        value = read_text(item, "value", _Nested(errors, f"specifications.{index}"), limit=500, required=True)
        if label and value:
            cleaned.append({"label": label, "value": value})
    return cleaned


def _regional_prices(raw: dict, errors: FieldErrors) -> list[dict[str, Any]]:
    items = raw.get("regional_prices") or []
    if not isinstance(items, list):
        errors.add("regional_prices", _("Enter a list of regional prices."))
        return []
    if len(items) > MAX_REGIONAL_PRICES:
        errors.add("regional_prices", _("At most %(n)d regional prices.", n=MAX_REGIONAL_PRICES))
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        item = item if isinstance(item, dict) else {}
        nested = _Nested(errors, f"regional_prices.{index}")
        code = read_text(item, "region_code", nested, limit=13, required=True)
        region = get_region(code) if code else None
        if code and (region is None or region.level not in (1, 2)):
            nested.add("region_code", _("Enter a province (35) or regency/city (35.76) code."))
        elif code in seen:
            nested.add("region_code", _("This region already has a price."))
        price = read_integer(item, "price", nested, minimum=1, maximum=MAX_PRICE, required=True)
        shipping = read_integer(item, "shipping_cost", nested, minimum=0, maximum=MAX_PRICE, default=0)
        if code and region is not None and code not in seen and price is not None and shipping is not None:
            cleaned.append({"region_code": code, "price": price, "shipping_cost": shipping})
        if code:
            seen.add(code)
    return cleaned


class _Nested:
    """Adds messages under a path prefix of the parent collector."""

    def __init__(self, parent: FieldErrors, prefix: str) -> None:
        self.parent = parent
        self.prefix = prefix

    def add(self, path: str, message: str) -> None:
        self.parent.add(f"{self.prefix}.{path}", message)


def clean_listing(raw: dict[str, Any], *, is_pkp: bool, today: date) -> dict[str, Any]:
    """Check every field of a listing; return the values for Product (`sku`) and ProductRevision.

    Raises ValidationFailed naming every bad field at once. `is_pkp`: whether the cooperative charges PPN.
    """
    errors = FieldErrors()
    values: dict[str, Any] = {
        "sku": read_text(raw, "sku", errors, limit=50, required=True),
        "name": read_text(raw, "name", errors, limit=200, required=True),
        "brand": read_text(raw, "brand", errors, limit=100),
        "category_id": _category(raw, errors),
        "kbki_code": _kbki(raw, errors),
        "unit_id": _unit(raw, errors),
        "price": read_integer(raw, "price", errors, minimum=1, maximum=MAX_PRICE, required=True),
        "retail_price": read_integer(raw, "retail_price", errors, minimum=1, maximum=MAX_PRICE),
        "ppn_percent": read_integer(raw, "ppn_percent", errors, minimum=0, maximum=12, default=0),
        "shipping_cost": read_integer(raw, "shipping_cost", errors, minimum=0, maximum=MAX_PRICE, default=0),
        "national_price": read_boolean(raw, "national_price", errors, default=True),
        "stock": read_integer(raw, "stock", errors, minimum=0, maximum=MAX_STOCK, required=True),
        "min_order": read_integer(raw, "min_order", errors, minimum=1, maximum=MAX_STOCK, default=1),
        "valid_until": _date(raw, "valid_until", errors, today=today),
        "is_domestic": read_boolean(raw, "is_domestic", errors, default=True),
        "tkdn_x100": read_percent_x100(raw, "tkdn", errors, maximum=100),
        "tkdn_certificate": read_text(raw, "tkdn_certificate", errors, limit=100),
        "bmp_x100": read_percent_x100(raw, "bmp", errors, maximum=15),
        "sni_number": read_text(raw, "sni_number", errors, limit=60),
        "weight_grams": _weight_grams(raw, errors),
        "short_description": read_text(raw, "short_description", errors, limit=250),
        "description": read_text(raw, "description", errors, limit=10_000),
        "specifications": _specifications(raw, errors),
        "regional_prices": _regional_prices(raw, errors),
        "lkpp_category_id": read_text(raw, "lkpp_category_id", errors, limit=40),
        "unspsc": read_integer(raw, "unspsc", errors, minimum=10_000_000, maximum=99_999_999),
    }
    _check_combinations(values, errors, is_pkp=is_pkp)
    if errors:
        raise ValidationFailed("invalid listing", dict(errors))
    return values


def _weight_grams(raw: dict, errors: FieldErrors) -> int | None:
    value = raw.get("weight_kg")
    if is_blank(value):
        return None
    try:
        kilograms = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        kilograms = Decimal("NaN")
    if not kilograms.is_finite() or not 0 <= kilograms <= 100_000:
        errors.add("weight_kg", _("Enter the weight in kilograms, e.g. 5 or 0.25."))
        return None
    return int((kilograms * 1000).to_integral_value())


def _check_combinations(values: dict[str, Any], errors: FieldErrors, *, is_pkp: bool) -> None:
    sku = values["sku"]
    if sku and not SKU_PATTERN.fullmatch(sku):
        errors.add("sku", _("Use letters, digits and . _ / - only (at most 50), starting with a letter or digit."))
    ppn = values["ppn_percent"]
    if ppn is not None and ppn not in PPN_CHOICES:
        errors.add("ppn_percent", _("PPN is 0, 11 or 12 percent."))
    elif ppn and not is_pkp:
        errors.add("ppn_percent", _("The cooperative is not PKP, so PPN must be 0."))
    if not values["is_domestic"] and values["tkdn_x100"] > 0:
        errors.add("tkdn", _("An imported product has no TKDN; set TKDN to 0 or mark it as made in Indonesia."))
    if not values["national_price"] and not values["regional_prices"] and "regional_prices" not in errors:
        errors.add("regional_prices", _("Without a national price, add at least one regional price."))


def listing_to_raw(product_sku: str, revision: Any, unit_name: str | None) -> dict[str, Any]:
    """The API-named fields of a revision, e.g. to prefill a form or start a new revision."""
    return {
        "sku": product_sku,
        "name": revision.name,
        "brand": revision.brand,
        "category_id": revision.category_id,
        "kbki": revision.kbki_code,
        "unit": unit_name,
        "price": revision.price,
        "retail_price": revision.retail_price,
        "ppn_percent": revision.ppn_percent,
        "shipping_cost": revision.shipping_cost,
        "national_price": revision.national_price,
        "stock": revision.stock,
        "min_order": revision.min_order,
        "valid_until": revision.valid_until,
        "is_domestic": revision.is_domestic,
        "tkdn": format_percent(revision.tkdn_x100),
        "tkdn_certificate": revision.tkdn_certificate,
        "bmp": format_percent(revision.bmp_x100),
        "sni_number": revision.sni_number,
        "weight_kg": format_weight(revision.weight_grams),
        "short_description": revision.short_description,
        "description": revision.description,
        "specifications": [dict(item) for item in revision.specifications or []],
        "regional_prices": [
            {"region_code": rp.region_code, "price": rp.price, "shipping_cost": rp.shipping_cost}
            for rp in revision.regional_prices
        ],
        "lkpp_category_id": revision.lkpp_category_id,
        "unspsc": revision.unspsc,
    }


def format_percent(value_x100: int | None) -> str:
    """4025 → "40.25", 4000 → "40"."""
    if value_x100 is None:
        return ""
    whole, cents = divmod(value_x100, 100)
    return f"{whole}.{cents:02d}".rstrip("0").rstrip(".") if cents else str(whole)


def format_weight(grams: int | None) -> str:
    """5250 → "5.25" (kilograms)."""
    if grams is None:
        return ""
    return format(Decimal(grams) / 1000, "f").rstrip("0").rstrip(".") if grams % 1000 else str(grams // 1000)
