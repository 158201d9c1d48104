"""Pages for the cooperative's review of listings: the queue, one revision beside the live data, the review policy."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from marketplace.accounts.models import Role, User
from marketplace.catalog.display import listing_diff
from marketplace.catalog.models import ProductRevision
from marketplace.catalog.quality import check_listing
from marketplace.catalog.review_forms import (
    ApproveForm,
    BulkApproveForm,
    RejectForm,
    RequestChangesForm,
    ReviewPolicyForm,
    show_field_errors,
)
from marketplace.catalog.services import review as services
from marketplace.catalog.states import PRODUCT_LABELS, REVISION, REVISION_LABELS
from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.services.profile import cooperative_managers
from marketplace.core.errors import Conflict, IllegalTransition, ValidationFailed
from marketplace.core.pagination import paginate, requested_page
from marketplace.core.permissions import roles_required
from marketplace.core.urls import id_arg
from marketplace.extensions import db

bp = Blueprint("review", __name__, url_prefix="/koperasi/tinjauan")
INVALID = 422


@bp.context_processor
def status_labels() -> dict:
    """Revision and product status labels for the review templates."""
    return {"revision_labels": REVISION_LABELS, "product_labels": PRODUCT_LABELS}


def _own_cooperative() -> Cooperative:
    """The cooperative the signed-in manager manages (404 for a manager without one)."""
    cooperative = db.session.get(Cooperative, current_user.cooperative_id or 0)
    if cooperative is None:
        abort(404)
    return cooperative


@bp.get("")
@roles_required(Role.COOP_MANAGER)
def index():
    """The manager's queue: submitted revisions of their cooperative, oldest first, with their quality counts."""
    cooperative = _own_cooperative()
    cooperative_id = cooperative.id
    seller_id, category_id = id_arg("member"), id_arg("category")
    page, per_page = requested_page()
    result = paginate(
        services.review_queue(cooperative_id=cooperative_id, seller_id=seller_id, category_id=category_id),
        page,
        per_page,
    )
    counts = services.quality_counts(cooperative_id=cooperative_id, revisions=result.items)
    members, categories = services.queue_choices(cooperative_id=cooperative_id)
    return render_template(
        "catalog/review/index.html",
        cooperative=cooperative,
        page=result,
        counts=counts,
        members=members,
        categories=categories,
        seller_id=seller_id,
        category_id=category_id,
        bulk_form=BulkApproveForm(formdata=None),
    )


@bp.post("/setujui")
@roles_required(Role.COOP_MANAGER)
def approve_selected():
    """Approve the ticked revisions, each on its own; report the ones that could not be approved and why."""
    form = BulkApproveForm()
    back = request.referrer if _is_queue_url(request.referrer) else url_for("review.index")
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back)
    try:
        outcomes = services.approve_many(actor=current_user, revision_ids=form.revision_ids.data or [])
    except ValidationFailed as error:
        flash(error.message, "error")
        return redirect(back)
    approved = [outcome for outcome in outcomes if outcome.approved]
    if approved:
        flash(_("%(n)d listings approved. We emailed their sellers.", n=len(approved)), "success")
    for outcome in outcomes:
        if not outcome.approved:
            name = outcome.name or _("Listing #%(id)d", id=outcome.revision_id)
            flash(_("Not approved: %(name)s. %(why)s", name=name, why=outcome.message), "error")
    return redirect(back)


def _is_queue_url(url: str | None) -> bool:
    """Only go back to the queue itself (with its filters), never elsewhere."""
    if not url:
        return False
    queue = url_for("review.index", _external=True)
    return url == queue or url.startswith(queue + "?")


@bp.get("/<int:revision_id>")
@roles_required(Role.COOP_MANAGER)
def detail(revision_id: int):
    """One revision beside the live version, with its quality findings, the member and the product's history."""
    revision = services.reviewable_revision(actor=current_user, revision_id=revision_id)
    return _detail_page(revision)


def _detail_page(
    revision: ProductRevision,
    *,
    reject_form: RejectForm | None = None,
    changes_form: RequestChangesForm | None = None,
    status: int = 200,
):
    product = revision.product
    live = product.live_revision if product.live_revision_id != revision.id else None
    issues = check_listing(product, revision)
    seller = product.seller
    page = render_template(
        "catalog/review/detail.html",
        revision=revision,
        product=product,
        live=live,
        is_live=product.live_revision_id == revision.id,
        diff=listing_diff(live, revision),
        errors=[issue for issue in issues if issue.is_error],
        warnings=[issue for issue in issues if not issue.is_error],
        seller=seller,
        profile=seller.seller_profile,
        membership=seller.membership,
        history=list(reversed(product.revisions)),
        images=sorted(revision.images, key=lambda link: link.position),
        can_decide=REVISION.can(revision, "approve"),
        own=(own := current_user.id in (product.seller_id, revision.author_id)),
        sole_manager=own and not _other_managers(product.cooperative_id),
        approve_form=ApproveForm(formdata=None),
        reject_form=reject_form or RejectForm(formdata=None),
        changes_form=changes_form or RequestChangesForm(formdata=None),
    )
    return page, status


@bp.post("/<int:revision_id>/setujui")
@roles_required(Role.COOP_MANAGER)
def approve(revision_id: int):
    """Approve the revision: it becomes the live version."""
    return _decide(
        revision_id,
        ApproveForm,
        form_slot=None,
        perform=lambda revision, form: services.approve_revision(actor=current_user, revision_id=revision.id),
        done=_("“%(name)s” is approved and on sale. We emailed the seller."),
    )


@bp.post("/<int:revision_id>/tolak")
@roles_required(Role.COOP_MANAGER)
def reject(revision_id: int):
    """Reject the revision with a reason."""
    return _decide(
        revision_id,
        RejectForm,
        form_slot="reject_form",
        perform=lambda revision, form: services.reject_revision(
            actor=current_user, revision_id=revision.id, reason=form.reason.data
        ),
        done=_("“%(name)s” was rejected. We emailed the seller the reason."),
    )


@bp.post("/<int:revision_id>/minta-perubahan")
@roles_required(Role.COOP_MANAGER)
def request_changes(revision_id: int):
    """Send the revision back to the seller with notes."""
    return _decide(
        revision_id,
        RequestChangesForm,
        form_slot="changes_form",
        perform=lambda revision, form: services.request_changes(
            actor=current_user, revision_id=revision.id, notes=form.notes.data
        ),
        done=_("“%(name)s” was sent back to the seller with your notes."),
    )


def _decide(
    revision_id: int,
    form_class: type[FlaskForm],
    *,
    form_slot: str | None,
    perform: Callable[[ProductRevision, FlaskForm], object],
    done: str,
):
    """Validate a decision form and run the decision; errors go back to the review page beside the form.

    `form_slot` names the review page's argument that shows this form with its errors (None: errors are flashed,
    as the approve form has no fields). `done` is the success message with a `%(name)s` placeholder, already
    translated with the placeholder kept.
    """
    revision = services.reviewable_revision(actor=current_user, revision_id=revision_id)
    form = form_class()
    shown = {form_slot: form} if form_slot else {}
    if not form.validate_on_submit():
        return _detail_page(revision, status=INVALID, **shown)
    try:
        perform(revision, form)
    except ValidationFailed as error:
        if form_slot is None:
            db.session.rollback()
            flash(error.message, "error")
        else:
            show_field_errors(form, error)
        return _detail_page(revision, status=INVALID, **shown)
    except (IllegalTransition, Conflict):
        return _already_decided(revision)
    flash(done % {"name": revision.name}, "success")
    return redirect(url_for("review.index"))


def _already_decided(revision: ProductRevision):
    db.session.rollback()
    label = REVISION_LABELS.get(revision.status, revision.status)
    flash(_("Nothing was changed: this listing is now “%(status)s”.", status=label), "warning")
    return redirect(url_for("review.detail", revision_id=revision.id))


@bp.route("/kebijakan", methods=["GET", "POST"])
@roles_required(Role.COOP_MANAGER)
def policy():
    """Which of the sellers' quick updates (stock, price validity) need the manager's approval."""
    cooperative = _own_cooperative()
    form = ReviewPolicyForm(obj=cooperative)
    if request.method == "POST":
        if not form.validate():
            return render_template("catalog/review/policy.html", cooperative=cooperative, form=form), INVALID
        services.update_review_policy(
            actor=current_user,
            cooperative_id=cooperative.id,
            stock_needs_review=form.stock_needs_review.data,
            validity_needs_review=form.validity_needs_review.data,
        )
        flash(_("The review policy was saved."), "success")
        return redirect(url_for("review.policy"))
    return render_template("catalog/review/policy.html", cooperative=cooperative, form=form)


def _other_managers(cooperative_id: int) -> list[User]:
    """The cooperative's other enabled managers: who may decide on the current manager's own listings."""
    managers = cooperative_managers(cooperative_id=cooperative_id)
    return [manager for manager in managers if manager.id != current_user.id and manager.is_enabled]
