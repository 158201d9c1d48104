"""The result cards of the catalog page, as HTML.

A result page shows 24 cards, and building them through a Jinja macro (a macro call, a dozen translated strings and
two rupiah amounts per card) cost more than the search itself. Here the translated texts are escaped once per
language and the links and image addresses built once per page, so a card is a few string joins; the markup is the
one the page always had (`templates/catalog/public/index.html` places it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from marketplace.accounts.labels import SKALA_LABELS
from marketplace.catalog.rules import format_percent
from marketplace.catalog.search.query import CatalogHit, SearchPage
from marketplace.core.templating import rupiah

#: An id no row has, to learn the shape of a URL once per page.
_SENTINEL_ID = 987_654_321


def _escape(value: object) -> str:
    """`value` escaped for HTML, as a plain string (so that joining pieces never escapes them twice)."""
    return str(escape(value))


@dataclass(frozen=True)
class CardTexts:
    """The translated words of a card in one language, escaped (templates with `%(…)s` are escaped after use)."""

    pdn: str
    pdn_title: str
    imported: str
    tkdn_bmp: str
    threshold: str
    excl_ppn: str
    no_ppn: str
    regional: str
    made_by: str
    no_photo: str
    out_of_stock: str
    skala: dict[str, str]


@lru_cache(maxsize=8)
def card_texts(locale: str) -> CardTexts:
    """The card texts of the current language (`locale` is its cache key)."""
    return CardTexts(
        pdn=_escape(_("PDN")),
        pdn_title=_escape(_("Made in Indonesia")),
        imported=_escape(_("Imported")),
        tkdn_bmp=_("TKDN + BMP %(sum)s%%"),
        threshold=_escape(_("Meets the mandatory PDN threshold")),
        excl_ppn=_("%(price)s excl. PPN %(ppn)s%%"),
        no_ppn=_escape(_("No PPN (seller not PKP)")),
        regional=_escape(_("regional price")),
        made_by=_("Made by %(maker)s"),
        no_photo=_escape(_("No photo yet")),
        out_of_stock=_escape(_("Out of stock")),
        skala={value: _escape(label) for value, label in SKALA_LABELS.items()},
    )


@lru_cache(maxsize=16_384)
def _rupiah(amount: int) -> str:
    """`Rp72.500` (prices repeat across pages, and formatting one costs more than a card's markup)."""
    return rupiah(amount)


def _split_url(endpoint: str, **values: object) -> tuple[str, str] | None:
    """The URL of `endpoint` for any id, as the text before and after the id; None while the endpoint is missing."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        before, after = url_for(endpoint, **values).split(str(_SENTINEL_ID))
    except BuildError:
        return None
    return _escape(before), _escape(after)


@dataclass(frozen=True)
class CartButton:
    """An "add to cart" button on each card in stock (for a buyer officer): the form's action and CSRF token."""

    action: str
    csrf_token: str
    label: str

    def form(self, product_id: int, region: str | None) -> str:
        """The card's form: the product at its minimum order, for the page's delivery region."""
        wilayah = f'<input type="hidden" name="wilayah" value="{_escape(region)}">' if region else ""
        return (
            f'<form method="post" action="{_escape(self.action)}" class="card-cart" data-add-to-cart>'
            f'<input type="hidden" name="csrf_token" value="{_escape(self.csrf_token)}">'
            f'<input type="hidden" name="product_id" value="{product_id}">{wilayah}'
            f'<button type="submit" class="small">{_escape(self.label)}</button></form>'
        )


def result_cards(results: SearchPage, cart: CartButton | None = None) -> Markup:
    """The cards of a result page, with links that keep its delivery region (and `cart`'s button, if given)."""
    texts = card_texts(str(get_locale()))
    query = f"?{urlencode({'wilayah': results.delivery_region})}" if results.delivery_region else ""
    product = _split_url("catalog.product", product_id=_SENTINEL_ID)
    link = (product[0], product[1] + _escape(query)) if product else ("", "")
    image = _split_url("media.image", image_id=_SENTINEL_ID, size=300)
    cards = _cards(results.items, texts, link, image, cart, results.delivery_region)
    return Markup("".join(cards))  # noqa: S704 - escaped piece by piece


def _cards(
    hits: Iterable[CatalogHit],
    texts: CardTexts,
    link: tuple[str, str],
    image: tuple[str, str] | None,
    cart: CartButton | None,
    region: str | None,
) -> Iterable[str]:
    percent: Callable[[int], str] = format_percent
    for hit in hits:
        entry = hit.entry
        href = f"{link[0]}{entry.product_id}{link[1]}"
        if image and entry.main_image_id:
            src = f"{image[0]}{entry.main_image_id}{image[1]}"
            thumb = f'<img src="{src}" alt="" loading="lazy" width="300" height="300">'
        else:
            thumb = f"<span>{texts.no_photo}</span>"
        price = hit.price_with_ppn
        unit = f' <small class="muted">/ {_escape(hit.unit_name)}</small>' if hit.unit_name else ""
        if hit.ppn_percent:
            terms = _escape(texts.excl_ppn % {"price": _rupiah(hit.price), "ppn": hit.ppn_percent})
        else:
            terms = texts.no_ppn
        if hit.price_region:
            terms += f" · {texts.regional}"
        if entry.is_domestic:
            badges = f'<span class="badge badge-pdn" title="{texts.pdn_title}">{texts.pdn}</span>'
        else:
            badges = f'<span class="badge badge-import">{texts.imported}</span>'
        if entry.tkdn_bmp_x100:
            tkdn = _escape(texts.tkdn_bmp % {"sum": percent(entry.tkdn_bmp_x100)})
            badges += f' <span class="badge badge-tkdn">{tkdn}</span>'
        if hit.meets_pdn_threshold:
            badges += f' <span class="badge badge-wajib" data-badge="pdn-threshold">{texts.threshold}</span>'
        skala = texts.skala.get(entry.skala_usaha) or _escape(entry.skala_usaha)
        maker = _escape(texts.made_by % {"maker": hit.seller_name})
        if entry.stock <= 0:
            stock = f'<p><span class="badge badge-rejected">{texts.out_of_stock}</span></p>'
        else:
            stock = cart.form(entry.product_id, region) if cart is not None else ""
        yield (
            f'<article class="product-card" data-product-id="{entry.product_id}">'
            f'<a class="thumb" href="{href}" tabindex="-1" aria-hidden="true">{thumb}</a>'
            f'<div class="body"><h2><a href="{href}">{_escape(entry.name)}</a></h2>'
            f'<p class="price-main" data-price-with-ppn="{price}">{_escape(_rupiah(price))}{unit}</p>'
            f'<p class="muted"><small>{terms}</small></p>'
            f'<p class="badges">{badges}</p>'
            f'<p class="seller-line">{_escape(hit.cooperative_name)}<br>{maker} · {skala}</p>{stock}'
            "</div></article>\n"
        )
