"""schema.org Product data for product pages, serialised safely for a `<script type="application/ld+json">`."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from marketplace.catalog.search.public import Offer, PublicProduct

IN_STOCK = "https://schema.org/InStock"
OUT_OF_STOCK = "https://schema.org/OutOfStock"
#: Characters that could end the script element or start markup, written as JSON escapes instead.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    ord("\u2028"): "\\u2028",
    ord("\u2029"): "\\u2029",
}


def product_json_ld(
    item: PublicProduct,
    *,
    url: str,
    image_urls: list[str],
    offer: Offer | None,
    regional: list[Offer],
    cooperative_name: str,
    category: str,
) -> dict[str, Any]:
    """The product as a schema.org `Product`; the offer's price includes PPN, in IDR."""
    revision, product = item.revision, item.product
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": revision.name,
        "sku": product.sku,
        "url": url,
    }
    if revision.brand:
        data["brand"] = {"@type": "Brand", "name": revision.brand}
    description = revision.description or revision.short_description
    if description:
        data["description"] = description
    if image_urls:
        data["image"] = image_urls
    if category:
        data["category"] = category
    if item.profile is not None:
        data["manufacturer"] = {"@type": "Organization", "name": item.profile.business_name}
    data["additionalProperty"] = [
        {"@type": "PropertyValue", "name": "TKDN", "value": revision.tkdn_x100 / 100, "unitText": "%"},
        {"@type": "PropertyValue", "name": "BMP", "value": revision.bmp_x100 / 100, "unitText": "%"},
    ]
    if revision.kbki_code:
        data["additionalProperty"].append({"@type": "PropertyValue", "name": "KBKI", "value": revision.kbki_code})
    offers = _offers(item, offer, regional, url=url, seller=cooperative_name)
    if offers:
        data["offers"] = offers
    return data


def _offers(
    item: PublicProduct, offer: Offer | None, regional: list[Offer], *, url: str, seller: str
) -> dict[str, Any] | None:
    common: dict[str, Any] = {
        "priceCurrency": "IDR",
        "availability": IN_STOCK if item.product.stock > 0 else OUT_OF_STOCK,
        "seller": {"@type": "Organization", "name": seller},
        "url": url,
    }
    valid_until = item.product.valid_until or item.revision.valid_until
    if offer is not None:
        data = {"@type": "Offer", "price": offer.price_with_ppn, **common}
        if valid_until:
            data["priceValidUntil"] = valid_until.isoformat()
        return data
    if regional:
        prices = [each.price_with_ppn for each in regional]
        return {
            "@type": "AggregateOffer",
            "lowPrice": min(prices),
            "highPrice": max(prices),
            "offerCount": len(prices),
            **common,
        }
    return None


def json_ld_script(data: dict[str, Any]) -> Markup:
    """JSON for inside a script element: `<`, `>` and `&` escaped so no text can close the element."""
    return Markup(json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES))  # noqa: S704
