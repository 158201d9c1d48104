"""The demo's product templates (`data/products.toml`) and the listing data one member makes of them.

A member's kind of business is read from their first KBLI code (`UD Beras …` trades rice, `Batik Tulis …` makes
batik); each kind has a list of templates. `listing_data(...)` turns a template into the API-named fields that
`catalog.services.create_listing` takes, varied a little per seller with the seed's random generator.
"""

from __future__ import annotations

import random
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

TEMPLATE_FILE = Path(__file__).with_name("data") / "products.toml"

#: The first KBLI code of a demo business → its kind in products.toml (see `demo.people.BUSINESSES`).
KIND_OF_KBLI = {
    "46311": "beras",
    "47112": "sembako",
    "13134": "batik",
    "10710": "kue",
    "10793": "kerupuk",
    "15201": "alas_kaki",
    "14111": "konveksi",
    "56210": "katering",
    "18111": "percetakan",
    "10761": "kopi",
}
#: Words that say what a business does rather than who it is: `UD Beras Sumber Rejeki` → brand `Sumber Rejeki`.
BUSINESS_PREFIX = re.compile(
    r"^(UD Beras|Toko Beras|Toko Sembako|Batik Tulis|Batik Cap|Roti & Kue|Onde-Onde|Keripik Tempe|Kerupuk"
    r"|Sepatu Kulit|Sandal|Konveksi Seragam|Catering|Nasi Kotak|Percetakan|Kopi Bubuk)\s+"
)
#: Kode wilayah of the regional prices: Kota Mojokerto, Kabupaten Mojokerto, Jawa Timur.
KOTA_MOJOKERTO, KAB_MOJOKERTO, JAWA_TIMUR = "35.76", "35.16", "35"
PPN_FOR_PKP = 11
#: Template keys that are settings of the seed, not text placeholders.
SETTINGS = frozenset({"kinds", "prefer", "specs", "tkdn", "bmp", "stock"})


class _Placeholders(dict):
    """Values for str.format_map that fail loudly on a placeholder the template forgot to define."""

    def __missing__(self, key: str) -> str:
        raise KeyError(f"products.toml: no value for the placeholder {{{key}}}")


@dataclass(frozen=True)
class ProductTemplate:
    """One product of products.toml with its kind's defaults filled in."""

    kind: str
    fields: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.fields[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)

    @property
    def key(self) -> str:
        return f"{self.kind}.{self.fields['key']}"

    @property
    def top_category(self) -> str:
        return self.fields["category"].split("/")[0]


@dataclass(frozen=True)
class SellerContext:
    """What a listing says about the member who makes it."""

    business: str
    brand: str
    kelurahan: str


@lru_cache(maxsize=1)
def templates_by_kind() -> dict[str, tuple[ProductTemplate, ...]]:
    """Every kind's templates, in file order; a template with `kinds = [...]` is offered to each of them."""
    with TEMPLATE_FILE.open("rb") as handle:
        kinds = tomllib.load(handle)["kinds"]
    offered: dict[str, list[ProductTemplate]] = {kind: [] for kind in kinds}
    for kind, table in kinds.items():
        defaults = {key: value for key, value in table.items() if key != "products"}
        for product in table["products"]:
            template = ProductTemplate(kind, {**defaults, **product})
            for taker in product.get("kinds", [kind]):
                offered[taker].append(template)
    return {kind: tuple(items) for kind, items in offered.items()}


def all_templates() -> list[ProductTemplate]:
    """Each template once."""
    unique = {template.key: template for items in templates_by_kind().values() for template in items}
    return list(unique.values())


def kind_of(kbli_codes: list[str]) -> str | None:
    """The products.toml kind of a business with these KBLI codes (its first code decides)."""
    return KIND_OF_KBLI.get(kbli_codes[0]) if kbli_codes else None


def brand_of(business_name: str) -> str:
    """`UD Beras Sumber Rejeki` → `Sumber Rejeki`; `Catering Bu Dewi` → `Bu Dewi`."""
    return BUSINESS_PREFIX.sub("", business_name).strip() or business_name


def ordered_for(
    business_name: str, templates: tuple[ProductTemplate, ...], rng: random.Random
) -> list[ProductTemplate]:
    """Templates in the order a business lists them: those its name prefers first, each group shuffled."""
    words = business_name.lower()
    preferred = [t for t in templates if any(word in words for word in t.get("prefer", []))]
    others = [t for t in templates if t not in preferred]
    rng.shuffle(preferred)
    rng.shuffle(others)
    return preferred + others


def _round(amount: float, step: int) -> int:
    return max(step, int(Decimal(amount / step).quantize(Decimal(1))) * step)


def _percent(rng: random.Random, bounds: list[int]) -> int:
    """A percentage × 100 within [low, high] percent."""
    low, high = bounds
    return rng.randint(low * 100, high * 100)


def _format_percent(value_x100: int) -> str:
    return f"{value_x100 // 100}.{value_x100 % 100:02d}"


def render(text: str, values: Mapping[str, Any]) -> str:
    """Fill a template text's placeholders."""
    return text.format_map(_Placeholders(values))


def texts(template: ProductTemplate, seller: SellerContext) -> dict[str, Any]:
    """Name, brand, descriptions and specifications of a template for one seller."""
    values = {key: value for key, value in template.fields.items() if key not in SETTINGS}
    values |= {"brand": seller.brand, "business": seller.business, "kelurahan": seller.kelurahan}
    values["name"] = render(template["name"], values)
    brand = render(template.get("brand", seller.brand), values)
    return {
        "name": values["name"],
        "brand": brand,
        "short_description": render(template["short"], values),
        "description": render(template["description"], values),
        "specifications": [{"label": label, "value": render(value, values)} for label, value in template["specs"]],
    }


def regional_prices(template: ProductTemplate, price: int, rng: random.Random) -> list[dict[str, int | str]]:
    """Prices for Kota and Kabupaten Mojokerto (and sometimes all of Jawa Timur) by the template's pricing."""
    step = template["round"]
    if template["pricing"] == "local":
        return [
            {"region_code": KOTA_MOJOKERTO, "price": price, "shipping_cost": 0},
            {"region_code": KAB_MOJOKERTO, "price": _round(price * 1.05, step), "shipping_cost": 0},
        ]
    if template["pricing"] != "regional":
        return []
    prices = [
        {"region_code": KOTA_MOJOKERTO, "price": _round(price * 0.98, step), "shipping_cost": 0},
        {"region_code": KAB_MOJOKERTO, "price": price, "shipping_cost": 5000},
    ]
    if rng.random() < 0.5:
        prices.append({"region_code": JAWA_TIMUR, "price": _round(price * 1.03, step), "shipping_cost": 15000})
    return sorted(prices, key=lambda item: item["region_code"])


def shipping_cost(template: ProductTemplate) -> int:
    """Shipping outside the regional prices: by weight, none for local deliveries."""
    if template["pricing"] == "local":
        return 0
    return _round(5000 + 1500 * float(template["weight"]), 1000)


def certificate_number(rng: random.Random, today: date) -> str:
    """A TKDN certificate number in Kemenperin's style (made up)."""
    year = today.year - rng.randint(0, 2)
    return f"{rng.randint(1000, 9999)}/SJ-IND.8/TKDN/{rng.randint(1, 12)}/{year}"


def listing_data(
    template: ProductTemplate,
    seller: SellerContext,
    *,
    sku: str,
    category_id: int,
    is_pkp: bool,
    rng: random.Random,
    today: date,
) -> dict[str, Any]:
    """Every field of a new listing under its API name, as `create_listing(data=...)` takes it."""
    step = template["round"]
    price = (
        template["price"]
        if template.get("vary") is False
        else _round(template["price"] * rng.uniform(0.95, 1.05), step)
    )
    tkdn = _percent(rng, template["tkdn"])
    bmp = 0 if rng.random() < 0.3 else _percent(rng, template["bmp"])
    low, high = template["stock"]
    data = {
        "sku": sku,
        **texts(template, seller),
        "category_id": category_id,
        "kbki": template["kbki"],
        "unit": template["unit"],
        "price": price,
        "retail_price": _round(price * rng.uniform(1.05, 1.15), step),
        "ppn_percent": PPN_FOR_PKP if is_pkp else 0,
        "shipping_cost": shipping_cost(template),
        "national_price": template["pricing"] != "local",
        "stock": rng.randint(low, high),
        "min_order": template.get("min_order", 1),
        "valid_until": (today + timedelta(days=rng.randint(60, 180))).isoformat(),
        "is_domestic": True,
        "tkdn": _format_percent(tkdn),
        "tkdn_certificate": certificate_number(rng, today) if rng.random() < template["certified"] else None,
        "bmp": _format_percent(bmp),
        "sni_number": template.get("sni") or None,
        "weight_kg": str(template["weight"]),
        "regional_prices": regional_prices(template, price, rng),
    }
    return data


def changed_price(data: dict[str, Any], template: ProductTemplate, factor: float) -> dict[str, Any]:
    """The same listing with its prices (national and regional) times `factor`."""
    step = template["round"]
    changed = {**data, "price": _round(data["price"] * factor, step)}
    changed["retail_price"] = max(changed["price"], _round(data["retail_price"] * factor, step))
    changed["regional_prices"] = [
        {**item, "price": _round(item["price"] * factor, step)} for item in data["regional_prices"]
    ]
    return changed
