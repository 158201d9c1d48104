"""Pages for the public catalog and product pages: anyone may browse, signed in or not."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.routing import BuildError

from marketplace.accounts.labels import SKALA_LABELS
from marketplace.accounts.models import Role
from marketplace.catalog.display import category_path
from marketplace.catalog.models import Category
from marketplace.catalog.permissions import can_view_product
from marketplace.catalog.rules import format_percent, format_weight
from marketplace.catalog.search.cards import CartButton, result_cards
from marketplace.catalog.search.forms import (
    FIELD_OF,
    SORT_LABELS,
    DeliveryForm,
    SearchForm,
    options_html,
)
from marketplace.catalog.search.jsonld import json_ld_script, product_json_ld
from marketplace.catalog.search.public import buyer_region, offer_for_region, public_product, regional_offers
from marketplace.catalog.search.query import search_catalog
from marketplace.core.errors import ValidationFailed
from marketplace.core.pagination import MAX_PAGE
from marketplace.core.templating import rupiah
from marketplace.reference.regions import get_region

bp = Blueprint("catalog", __name__, url_prefix="/katalog")

#: Result cards per page (a 4 × 6 or 3 × 8 grid).
PER_PAGE = 24
#: Counting stops here ("more than 1,000 products"): nobody pages that far, and counting every match of a common
#: word would cost more than finding the first page.
COUNT_LIMIT = 1000


@bp.context_processor
def inject_helpers() -> dict:
    return {
        "format_percent": format_percent,
        "format_weight": format_weight,
        "sort_labels": SORT_LABELS,
        "media_url": media_url,
        "options_html": options_html,
    }


def media_url(endpoint: str, **values: object) -> str | None:
    """URL of an image or attachment, or None while the media pages are not there."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _query_without(*names: str, **extra: str) -> str:
    """This page's URL without some parameters (and back on page 1)."""
    args = {key: value for key, value in request.args.items(multi=False) if key not in (*names, "page")}
    args.update(extra)
    return url_for("catalog.index", **args)


@dataclass(frozen=True)
class Chip:
    """A filter in use, shown above the results with a link that removes it."""

    name: str
    label: str
    remove_url: str
    #: The buyer's work-unit region, applied without being asked for.
    default: bool = False


def _active_filters(form: SearchForm, default_region: str | None) -> list[Chip]:
    """Each filter in use (valid ones only, as invalid ones are not applied)."""
    chips: list[Chip] = []

    def add(name: str, label: str, **extra: str) -> None:
        if not form[name].errors:
            chips.append(Chip(name, label, _query_without(name, **extra), default=bool(extra)))

    for name in ("kategori", "koperasi"):
        if form[name].data:
            add(name, f"{form[name].label.text}: {form.choice_label(name)}")
    if form.wilayah.data:
        label = _("Delivered to %(region)s", region=_region_name(form.wilayah.data))
        if default_region:
            add("wilayah", _("%(filter)s (your work unit)", filter=label), wilayah="")
        else:
            add("wilayah", label)
    if form.asal.data:
        add("asal", _("Made in %(region)s", region=_region_name(form.asal.data)))
    if form.harga_min.data is not None:
        add("harga_min", _("From %(amount)s", amount=rupiah(form.harga_min.data)))
    if form.harga_max.data is not None:
        add("harga_max", _("Up to %(amount)s", amount=rupiah(form.harga_max.data)))
    if form.pdn.data:
        add("pdn", _("PDN only"))
    if form.tkdn.data:
        add("tkdn", _("TKDN + BMP ≥ 40%"))
    if form.skala.data:
        add("skala", str(SKALA_LABELS.get(form.skala.data, form.skala.data)))
    return chips


def _category_crumbs(category: Category | None) -> list[Category]:
    """The category and its parents, top level first."""
    crumbs: list[Category] = []
    while category is not None:
        crumbs.insert(0, category)
        category = category.parent
    return crumbs


def _region_name(code: str) -> str:
    region = get_region(code)
    return region.name if region else code


@bp.get("")
def index():
    """Search the catalog: a search box, filters and result cards; the URL holds the whole query."""
    cache_seconds = current_app.config["CATALOG_SEARCH_CACHE_SECONDS"]
    form = SearchForm(formdata=request.args)
    form.load_choices(cache_seconds)
    default_region = None
    if "wilayah" not in request.args:  # an explicit empty `wilayah=` means "every region"
        default_region = buyer_region(current_user)
        form.wilayah.data = default_region
    form.validate()
    arguments = form.search_arguments()
    options = {
        "page": min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE),
        "per_page": PER_PAGE,
        "count_limit": COUNT_LIMIT,
        "cache_seconds": cache_seconds,
    }
    try:
        results = search_catalog(**arguments, **options)
    except ValidationFailed as error:  # the form checks the same rules; place anything it missed
        for argument, message in error.fields.items():
            form[FIELD_OF[argument]].errors = [*form[FIELD_OF[argument]].errors, message]
            arguments.pop(argument, None)
        results = search_catalog(**arguments, **options)
    return render_template(
        "catalog/public/index.html",
        form=form,
        results=results,
        filters=_active_filters(form, default_region),
        searched=bool(form.q.data and not form.q.errors),
        region_name=_region_name(results.delivery_region) if results.delivery_region else None,
        cards=result_cards(results, _cart_button()),
        clear_url=url_for("catalog.index", **({"wilayah": ""} if default_region else {})),
    )


def _cart_button() -> CartButton | None:
    """The cards' "add to cart" button, for a PP or PPK with a work unit."""
    user = current_user
    if not user.is_authenticated or not user.has_role(Role.PP, Role.PPK) or user.work_unit_id is None:
        return None
    return CartButton(url_for("procurement.cart_add"), generate_csrf(), _("Add to cart"))


@bp.get("/produk/<int:product_id>")
def product(product_id: int):
    """An active product: images, every e-Katalog field, the price for the buyer's region, cooperative and maker."""
    return product_page(product_id, request.args.get("wilayah"))


def product_page(
    product_id: int, wilayah: str | None, *, cart_refused: tuple[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    """The product page priced for the region code `wilayah` (None: the buyer's own); `cart_refused`: the quantity
    typed in the add-to-cart form and why it was refused, shown beside the field."""
    item = public_product(product_id=product_id)
    revision, product = item.revision, item.product
    requested = (wilayah or "").strip()
    region = requested if get_region(requested) else None
    if wilayah is None:
        region = buyer_region(current_user)
    offer = offer_for_region(revision, region)
    regional = regional_offers(revision)
    images = sorted(revision.images, key=lambda link: (not link.is_main, link.position))
    category = category_path(revision.category_id)
    delivery_form = DeliveryForm(formdata=None, data={"wilayah": region or requested})
    if requested and region is None:  # a code of no region: say so beside the field (the national price shows)
        delivery_form.wilayah.errors = [_("Choose a region from the list (e.g. 35.76).")]
    page_url = url_for("catalog.product", product_id=product.id, _external=True)
    image_urls = [
        url
        for link in images
        if (url := media_url("media.image", image_id=link.image_id, size=800, _external=True)) is not None
    ]
    json_ld = product_json_ld(
        item,
        url=page_url,
        image_urls=image_urls,
        offer=offer,
        regional=regional,
        cooperative_name=product.cooperative.name,
        category=category,
    )
    return render_template(
        "catalog/public/product.html",
        item=item,
        product=product,
        revision=revision,
        images=images,
        offer=offer,
        regional=regional,
        region=region,
        region_name=_region_name(region) if region else None,
        delivery_form=delivery_form,
        category=category,
        crumbs=_category_crumbs(revision.category),
        json_ld=json_ld_script(json_ld),
        can_manage=current_user.is_authenticated and can_view_product(current_user, product),
        cart_refused=cart_refused,
        **inject_helpers(),  # also when another blueprint's view shows the page (the cart's refusal)
    ), status
