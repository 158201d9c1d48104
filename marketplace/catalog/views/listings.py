"""Pages for the seller's listings: my products, the listing form, the product with its review, quick updates."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, exists, func, or_, select

from marketplace.accounts.models import Role, User
from marketplace.catalog import services
from marketplace.catalog.display import FIELD_LABELS, listing_diff, shown_values
from marketplace.catalog.forms import (
    ActionForm,
    AttachmentForm,
    ImageForm,
    ListingForm,
    StockForm,
    ValidityForm,
    WithdrawForm,
    form_values,
    kbki_suggestions,
    member_choices,
    show_field_errors,
)
from marketplace.catalog.models import Product, ProductRevision
from marketplace.catalog.permissions import can_edit_product, can_review, is_active_member
from marketplace.catalog.rules import listing_to_raw
from marketplace.catalog.services.quick_updates import stock_update_allowed, validity_update_allowed
from marketplace.catalog.states import (
    EDITABLE_REVISION_STATES,
    OPEN_REVISION_STATES,
    PRODUCT,
    PRODUCT_LABELS,
    REVISION,
    REVISION_LABELS,
    RevisionStatus,
)
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed
from marketplace.core.fields import as_database_id
from marketplace.core.pagination import paginate, requested_page
from marketplace.core.permissions import roles_required
from marketplace.core.timeutil import today_wib
from marketplace.core.urls import id_arg
from marketplace.extensions import db

bp = Blueprint("listings", __name__, url_prefix="/produk-saya")

INVALID = 422
#: Filters of the list: product states, and open revisions waiting for someone.
STATUS_FILTERS = ("draft", "active", "withdrawn", "submitted", "changes_requested")
SELLING_ROLES = (Role.SELLER, Role.COOP_MANAGER)


@bp.context_processor
def listing_labels() -> dict:
    """Status labels for the listing templates."""
    return {"product_labels": PRODUCT_LABELS, "revision_labels": REVISION_LABELS, "field_labels": FIELD_LABELS}


def _manages(user: User) -> bool:
    return user.has_role(Role.COOP_MANAGER) and user.cooperative_id is not None


# My products ----------------------------------------------------------------------------------------------------


@bp.get("")
@roles_required(*SELLING_ROLES)
def index():
    """The seller's products, or a manager's cooperative's products (filter by member), newest change first."""
    status = request.args.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    search = (request.args.get("q") or "").strip()[:100]
    manager = _manages(current_user)
    seller_id = id_arg("seller_id") if manager else None
    page, per_page = requested_page()
    result = paginate(_products_query(current_user, status, seller_id, search, manager), page, per_page)
    return render_template(
        "catalog/listings/index.html",
        page=result,
        versions=_versions_of(result.items),
        status=status,
        statuses=STATUS_FILTERS,
        search=search,
        manager=manager,
        seller_id=seller_id,
        members=member_choices(current_user.cooperative_id) if manager else [],
        can_create=manager or is_active_member(current_user),
    )


def _products_query(user: User, status: str, seller_id: int | None, search: str, manager: bool) -> Select:
    statement = select(Product).order_by(Product.last_change_at.desc(), Product.id.desc())
    if manager:
        statement = statement.where(Product.cooperative_id == user.cooperative_id)
        if seller_id:
            statement = statement.where(Product.seller_id == seller_id)
    else:
        statement = statement.where(Product.seller_id == user.id)
    if status in ("draft", "active", "withdrawn"):
        statement = statement.where(Product.status == status)
    elif status:
        statement = statement.where(
            exists().where(ProductRevision.product_id == Product.id, ProductRevision.status == status)
        )
    if search:
        pattern = f"%{search.lower().replace('%', '').replace('_', '')}%"
        named = exists().where(ProductRevision.product_id == Product.id, func.lower(ProductRevision.name).like(pattern))
        statement = statement.where(or_(func.lower(Product.sku).like(pattern), named))
    return statement


def _versions_of(products: list[Product]) -> dict[int, dict]:
    """For each product on the page: its live and open revisions (one query for the page)."""
    versions: dict[int, dict] = {product.id: {"live": None, "open": None} for product in products}
    live_ids = [product.live_revision_id for product in products if product.live_revision_id]
    if not products:
        return versions
    revisions = db.session.scalars(
        select(ProductRevision).where(
            ProductRevision.product_id.in_(versions),
            or_(ProductRevision.status.in_(OPEN_REVISION_STATES), ProductRevision.id.in_(live_ids)),
        )
    )
    for revision in revisions:
        slot = "open" if revision.status in OPEN_REVISION_STATES else "live"
        versions[revision.product_id][slot] = revision
    return versions


@bp.get("/kbki")
@roles_required(*SELLING_ROLES)
def kbki_codes():
    """KBKI code suggestions for the listing form (digits: codes starting with them; words: titles)."""
    found = kbki_suggestions(request.args.get("q", "")[:60], limit=50)
    return jsonify([{"code": code.code, "title": code.title} for code in found])


# The listing form -----------------------------------------------------------------------------------------------


@bp.route("/baru", methods=["GET", "POST"])
@roles_required(*SELLING_ROLES)
def new():
    """A new product: save it as a draft or send it straight to review. A manager lists for a member."""
    manager = _manages(current_user)
    if not manager and not is_active_member(current_user):
        raise Forbidden(_("Only active members of a cooperative can list products."))
    cooperative = current_user.managed_cooperative if manager else current_user.membership.cooperative
    if request.method == "POST":
        form = ListingForm()
    else:
        initial = {"valid_until": (today_wib() + timedelta(days=90)).isoformat()}
        form = ListingForm(formdata=None, data={**initial, "seller_id": request.args.get("seller_id", "")})
    form.setup(is_pkp=cooperative.is_pkp, cooperative_id=cooperative.id, choose_seller=manager)
    if request.method == "POST" and form.validate_on_submit():
        data = form.listing_data()
        submit = request.form.get("action") == "submit"
        try:
            seller_id = _chosen_seller(form) if manager else None
            revision = services.create_listing(actor=current_user, data=data, seller_id=seller_id, submit=submit)
        except ValidationFailed as error:
            form.show_errors(error)
        else:
            _flash_saved(submit, revision.product)
            return redirect(url_for("listings.detail", product_id=revision.product_id))
    status = INVALID if request.method == "POST" else 200
    return _form_page(form, product=None, cooperative=cooperative, status=status)


def _chosen_seller(form: ListingForm) -> int | None:
    """The member a manager chose; themselves when they are also an active member and chose nobody."""
    value = (form.seller_id.data or "").strip()
    if value:
        chosen = as_database_id(value)
        if chosen is None:
            raise ValidationFailed("unknown seller", {"seller_id": _("Choose a member of your cooperative.")})
        return chosen
    if is_active_member(current_user):
        return None
    raise ValidationFailed("no seller", {"seller_id": _("Choose the member who makes this product.")})


@bp.route("/<int:product_id>/ubah", methods=["GET", "POST"])
@roles_required(*SELLING_ROLES)
def edit(product_id: int):
    """Change the draft, or start a new version of a live product (the approved one stays on sale)."""
    product = services.editable_product(actor=current_user, product_id=product_id)
    revision = services.open_revision(product)
    if revision is not None and revision.status not in EDITABLE_REVISION_STATES:
        flash(_("This version is waiting for review and cannot be changed now."), "warning")
        return redirect(url_for("listings.detail", product_id=product.id))
    source = revision or product.live_revision
    if source is None:
        flash(_("This listing was rejected and has no approved version to start from."), "warning")
        return redirect(url_for("listings.detail", product_id=product.id))
    if request.method == "POST":
        form = ListingForm()
    else:
        raw = listing_to_raw(product.sku, source, source.unit.name if source.unit else None)
        form = ListingForm(formdata=None, data=form_values(raw))
    form.setup(is_pkp=product.cooperative.is_pkp)
    if request.method == "POST" and form.validate_on_submit():
        submit = request.form.get("action") == "submit"
        try:
            services.update_listing(actor=current_user, product=product, data=form.listing_data(), submit=submit)
        except ValidationFailed as error:
            form.show_errors(error)
        except Conflict as error:
            flash(error.message, "error")
            return redirect(url_for("listings.detail", product_id=product.id))
        else:
            _flash_saved(submit, product)
            return redirect(url_for("listings.detail", product_id=product.id))
    status = INVALID if request.method == "POST" else 200
    return _form_page(form, product=product, cooperative=product.cooperative, status=status, revision=revision)


def _flash_saved(submitted: bool, product: Product) -> None:
    if submitted:
        flash(_("Saved and sent to your cooperative for review."), "success")
    elif product.live_revision_id is not None:
        flash(_("Saved as a draft. The approved version stays on sale until you submit this one and it is approved."))
    else:
        flash(_("Saved as a draft. Submit it for review when it is complete."), "success")


def _form_page(form: ListingForm, *, product, cooperative, status: int, revision=None):
    page = render_template(
        "catalog/listings/form.html",
        form=form,
        product=product,
        revision=revision,
        cooperative=cooperative,
        kbki_codes=kbki_suggestions(),
        invalid=status == INVALID,
    )
    return page, status


# The product and its review ---------------------------------------------------------------------------------------


@bp.get("/<int:product_id>")
@roles_required(*SELLING_ROLES, Role.OPERATOR)
def detail(product_id: int):
    """The live version beside the proposed one, the review status, history, media and actions."""
    product = services.visible_product(actor=current_user, product_id=product_id)
    return render_detail(product)


def render_detail(product: Product, *, status: int = 200, **forms):
    """The product page for its maker, managers and operators, with `forms` (bound, with errors) where given."""
    live = product.live_revision
    proposed = services.open_revision(product)
    history = list(reversed(product.revisions))
    editable = can_edit_product(current_user, product)
    diff = listing_diff(live, proposed) if proposed is not None else None
    if diff is not None and live is not None:
        diff = _with_live_quick_values(diff, product)
    media_revision = proposed or live
    media_editable = (
        editable and media_revision is not None and (proposed is None or proposed.status in EDITABLE_REVISION_STATES)
    )
    page = render_template(
        "catalog/listings/detail.html",
        product=product,
        live=live,
        proposed=proposed,
        latest=history[0] if history else None,
        history=history,
        diff=diff,
        shown=_shown_live(product) if live is not None else shown_values(proposed),
        media_revision=media_revision,
        images=sorted(media_revision.images, key=lambda link: link.position) if media_revision else [],
        editable=editable,
        media_editable=media_editable,
        can_submit=editable and proposed is not None and REVISION.can(proposed, "submit"),
        can_withdraw=editable and PRODUCT.can(product, "withdraw"),
        can_review=can_review(current_user, product.cooperative_id),
        can_edit=editable and (proposed is None or proposed.status in EDITABLE_REVISION_STATES),
        can_update_stock=editable and stock_update_allowed(product),
        can_update_validity=editable and validity_update_allowed(product),
        activity=_activity(product),
        rejected_for_good=_rejected_without_live(product),
        action_form=ActionForm(formdata=None),
        withdraw_form=forms.get("withdraw_form") or WithdrawForm(formdata=None),
        stock_form=forms.get("stock_form") or StockForm(formdata=None, stock=product.stock),
        validity_form=forms.get("validity_form") or ValidityForm(formdata=None, valid_until=product.valid_until),
        image_form=forms.get("image_form") or ImageForm(formdata=None),
        attachment_form=forms.get("attachment_form") or AttachmentForm(formdata=None),
        **listing_labels(),  # also when another blueprint (media) renders this page
    )
    return page, status


def _rejected_without_live(product: Product) -> bool:
    """A never-approved product whose last version was rejected: there is nothing left to edit."""
    latest = product.revisions[-1] if product.revisions else None
    return product.live_revision_id is None and latest is not None and latest.status == RevisionStatus.REJECTED


def _shown_live(product: Product) -> dict[str, str]:
    values = shown_values(product.live_revision)
    values["stock"] = str(product.stock)
    values["valid_until"] = product.valid_until.isoformat() if product.valid_until else ""
    return values


def _with_live_quick_values(diff: list, product: Product) -> list:
    """Stock and validity may change without review: the live column shows the product's current values."""
    live = _shown_live(product)
    return [
        type(change)(change.field, change.label, live[change.field], change.proposed)
        if change.field in ("stock", "valid_until")
        else change
        for change in diff
    ]


def _activity(product: Product) -> list[AuditEvent]:
    """Recent events of the product itself (created, withdrawn, quick updates, media)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "product", AuditEvent.subject_id == product.id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(20)
        )
    )


@bp.post("/<int:product_id>/ajukan")
@roles_required(*SELLING_ROLES)
def submit(product_id: int):
    """Send the open draft (or a version sent back) to the cooperative's review."""
    product = services.editable_product(actor=current_user, product_id=product_id)
    try:
        services.submit_listing(actor=current_user, product=product)
    except IllegalTransition:
        flash(_("Nothing was changed: this version is already waiting for review or decided."), "warning")
    except Conflict as error:
        flash(error.message, "error")
    else:
        flash(_("Sent to your cooperative for review."), "success")
    return redirect(url_for("listings.detail", product_id=product.id))


@bp.post("/<int:product_id>/tarik")
@roles_required(*SELLING_ROLES)
def withdraw(product_id: int):
    """Take the product off sale (out of search; `produk_aktif` 0 in the next feed)."""
    product = services.editable_product(actor=current_user, product_id=product_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return render_detail(product, status=INVALID, withdraw_form=form)
    try:
        services.withdraw_product(actor=current_user, product=product, reason=(form.reason.data or "").strip() or None)
    except Conflict:
        flash(_("Only a product on sale can be withdrawn."), "error")
    else:
        flash(_("The product was withdrawn: buyers no longer find it. Edit and submit it to bring it back."), "success")
    return redirect(url_for("listings.detail", product_id=product.id))


@bp.post("/<int:product_id>/cepat")
@roles_required(*SELLING_ROLES)
def quick_update(product_id: int):
    """Change the stock or the price validity directly, where the cooperative does not review such changes."""
    product = services.editable_product(actor=current_user, product_id=product_id)
    if "stock" in request.form:
        form, form_name, field = StockForm(), "stock_form", "stock"
    else:
        form, form_name, field = ValidityForm(), "validity_form", "valid_until"
    if not form.validate_on_submit():
        return render_detail(product, status=INVALID, **{form_name: form})
    value = form[field].data
    try:
        if field == "stock":
            services.update_stock(actor=current_user, product=product, stock=value)
        else:
            services.update_valid_until(actor=current_user, product=product, valid_until=value)
    except ValidationFailed as error:
        show_field_errors(form, error)
        return render_detail(product, status=INVALID, **{form_name: form})
    except Conflict as error:
        flash(error.message, "error")
    else:
        if field == "stock":
            flash(_("The stock is now %(n)s.", n=value), "success")
        else:
            flash(_("The price is now valid until %(date)s.", date=value.isoformat()), "success")
    return redirect(url_for("listings.detail", product_id=product.id) + "#quick")
