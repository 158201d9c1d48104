"""Cart and checkout pages of PP and PPK: the cart priced for a delivery region, then the checkout form that
turns it into one order per cooperative."""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import Form
from wtforms.fields.choices import SelectChoice

from marketplace.accounts.models import Role
from marketplace.catalog.views.public import product_page
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.fields import as_database_id
from marketplace.core.forms import place_errors
from marketplace.core.permissions import roles_required
from marketplace.procurement.forms.cart import AddToCartForm, CheckoutForm, QuantityForm, RemoveItemForm
from marketplace.procurement.services import cart as carts
from marketplace.procurement.services.checkout import checkout as place_orders
from marketplace.procurement.services.checkout import ppks_of
from marketplace.procurement.views import bp
from marketplace.reference.regions import get_region

INVALID = 422


def _region() -> str | None:
    """The delivery region of the page: `?wilayah=` when known, else the user's work unit's region."""
    requested = (request.args.get("wilayah") or request.form.get("wilayah") or "").strip()
    if requested and get_region(requested) is not None:
        return requested
    work_unit = current_user.work_unit
    return work_unit.region_code if work_unit is not None else None


def _cart_url(region: str | None) -> str:
    return url_for("procurement.cart", wilayah=region) if region else url_for("procurement.cart")


@bp.get("/keranjang")
@roles_required(*carts.BUYERS)
def cart():
    """The cart grouped by cooperative, priced for the chosen delivery region."""
    return _cart_page(_region())


def _cart_page(region: str | None, *, refused: tuple[int, str, str] | None = None, status: int = 200):
    """The cart page; `refused`: (item id, the quantity typed, why it was refused), shown beside that item."""
    page = render_template(
        "procurement/cart.html",
        cart=carts.view_cart(current_user, region),
        region=region,
        quantity_form=QuantityForm(formdata=None),
        remove_form=RemoveItemForm(formdata=None),
        refused=refused,
    )
    return page, status


@bp.post("/keranjang/tambah")
@roles_required(*carts.BUYERS)
def cart_add():
    """Put a product in the cart (from the product page), then show the cart."""
    form = AddToCartForm()
    region = _region()
    if not form.validate_on_submit():
        return _refused_on_product_page(form, _first_error(form) or _("Enter the quantity."))
    try:
        carts.add_item(actor=current_user, product_id=form.product_id.data, quantity=form.quantity.data)
    except ValidationFailed as error:
        return _refused_on_product_page(form, next(iter(error.fields.values()), error.message))
    flash(_("Added to the cart."), "success")
    return redirect(_cart_url(region))


def _refused_on_product_page(form: AddToCartForm, why: str):
    """The product page again with the refusal beside the quantity (422); the cart when no product was named."""
    product_id = as_database_id(form.product_id.data)
    if product_id is None:
        flash(why, "error")
        return redirect(_cart_url(_region()))
    typed = (request.form.get("quantity") or "")[:20]
    return product_page(product_id, request.form.get("wilayah"), cart_refused=(typed, why), status=INVALID)


def _first_error(form: Form) -> str | None:
    return next((messages[0] for messages in form.errors.values() if messages), None)


@bp.post("/keranjang/<int:item_id>/jumlah")
@roles_required(*carts.BUYERS)
def cart_update(item_id: int):
    """Change an item's quantity."""
    form = QuantityForm()
    region = _region()
    typed = (request.form.get("quantity") or "")[:20]
    if not form.validate_on_submit():
        return _cart_page(
            region, refused=(item_id, typed, _first_error(form) or _("Enter the quantity.")), status=INVALID
        )
    try:
        carts.set_quantity(actor=current_user, item_id=item_id, quantity=form.quantity.data)
    except ValidationFailed as error:
        why = next(iter(error.fields.values()), error.message)
        return _cart_page(region, refused=(item_id, typed, why), status=INVALID)
    flash(_("The quantity was changed."), "success")
    return redirect(_cart_url(region))


@bp.post("/keranjang/<int:item_id>/hapus")
@roles_required(*carts.BUYERS)
def cart_remove(item_id: int):
    """Take an item out of the cart."""
    form = RemoveItemForm()
    region = _region()
    if form.validate_on_submit():
        try:
            carts.remove_item(actor=current_user, item_id=item_id)
        except NotFound:  # removed already (a double click, another tab): the cart shows what is left
            flash(_("This product is no longer in your cart."), "info")
        else:
            flash(_("Removed from the cart."), "success")
    return redirect(_cart_url(region))


@bp.route("/keranjang/checkout", methods=["GET", "POST"])
@roles_required(*carts.BUYERS)
def checkout():
    """The checkout form (GET) and placing the orders (POST)."""
    is_ppk = current_user.has_role(Role.PPK)
    if request.method == "GET":
        form = CheckoutForm(formdata=None, data={"key": secrets.token_urlsafe(24), "delivery_region_code": _region()})
        return _checkout_page(form, is_ppk)
    form = CheckoutForm()
    if not form.validate_on_submit():
        return _checkout_page(form, is_ppk, INVALID)
    try:
        orders = place_orders(
            actor=current_user,
            key=form.key.data,
            work_unit_id=current_user.work_unit_id,
            kode_rup=form.kode_rup.data,
            rup_name=form.rup_name.data,
            funding_source=form.funding_source.data,
            budget_account=form.budget_account.data,
            delivery_address=form.delivery_address.data,
            delivery_region_code=form.delivery_region_code.data,
            requested_arrival=form.requested_arrival.data,
            ppk_id=form.ppk_id.data,
        )
    except ValidationFailed as error:
        place_errors(form, error)
        return _checkout_page(form, is_ppk, INVALID)
    except Conflict as error:
        flash(error.message, "error")
        return _checkout_page(form, is_ppk, Conflict.status)
    numbers = ", ".join(order.number for order in orders)
    flash(
        ngettext("Order %(numbers)s was placed.", "Orders %(numbers)s were placed.", len(orders), numbers=numbers),
        "success",
    )
    return redirect(url_for("procurement.order_detail", order_id=orders[0].id))


def _checkout_page(form: CheckoutForm, is_ppk: bool, status: int = 200):
    region = (form.delivery_region_code.data or "").strip() or None
    if get_region(region) is None:
        region = _region()
    if not is_ppk:
        form.ppk_id.choices = [SelectChoice("", _("Choose the PPK"))] + [
            SelectChoice(user.id, user.full_name) for user in ppks_of(current_user.work_unit_id)
        ]
    page = render_template(
        "procurement/checkout.html",
        form=form,
        is_ppk=is_ppk,
        cart=carts.view_cart(current_user, region),
        region=region,
        work_unit=current_user.work_unit,
    )
    return page, status
