"""HTML pages of the e-Katalog feeds: a cooperative's feeds (its managers, or operators), the feeds of all
cooperatives (operators), one feed with its progress, downloads and validation report, and the documentation of
the feed's columns."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.cooperatives import services as cooperative_services
from marketplace.cooperatives.models import Cooperative
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.pagination import paginate, requested_page
from marketplace.core.permissions import roles_required
from marketplace.extensions import db
from marketplace.feeds import columns, files
from marketplace.feeds.display import TEMPLATE_HELPERS, datafeed_url, feed_url
from marketplace.feeds.forms import FeedActionForm, FeedRequestForm
from marketplace.feeds.models import Feed
from marketplace.feeds.services import queries
from marketplace.feeds.services import requests as feed_requests
from marketplace.feeds.states import FeedStatus, FeedTrigger

bp = Blueprint("feeds", __name__)

MANAGERS = (Role.COOP_MANAGER,)
OPERATORS = (Role.OPERATOR,)
VIEWERS = (Role.COOP_MANAGER, Role.OPERATOR)
INVALID = 422
#: Feeds listed on a feeds page.
RECENT_LIMIT = 20


@bp.context_processor
def feed_helpers() -> dict:
    """Labels, formatters and the progress of a running feed, for the feed templates."""
    return {**TEMPLATE_HELPERS, "feed_progress": queries.progress}


# A cooperative's feeds: its managers, and operators --------------------------------------------------------------


@bp.get("/koperasi/feed")
@roles_required(*MANAGERS)
def index():
    """The manager's cooperative: its recent feeds, a new feed, the datafeed address and key."""
    return _cooperative_page(_own_cooperative(), FeedRequestForm(formdata=None))


@bp.post("/koperasi/feed")
@roles_required(*MANAGERS)
def request_feed():
    """Queue a new feed of the manager's cooperative."""
    return _request(_own_cooperative())


@bp.post("/koperasi/feed/kunci-datafeed")
@roles_required(*MANAGERS)
def rotate_key():
    """Replace the manager's cooperative's datafeed secret key."""
    return _rotate(_own_cooperative())


@bp.get("/operator/koperasi/<int:cooperative_id>/feed")
@roles_required(*OPERATORS)
def operator_cooperative(cooperative_id: int):
    """Any cooperative's feeds page, for operators."""
    cooperative = _cooperative(cooperative_id)
    return _cooperative_page(cooperative, FeedRequestForm(formdata=None))


@bp.post("/operator/koperasi/<int:cooperative_id>/feed")
@roles_required(*OPERATORS)
def operator_request_feed(cooperative_id: int):
    """An operator queues a new feed of one cooperative."""
    return _request(_cooperative(cooperative_id))


@bp.post("/operator/koperasi/<int:cooperative_id>/feed/kunci-datafeed")
@roles_required(*OPERATORS)
def operator_rotate_key(cooperative_id: int):
    """An operator replaces a cooperative's datafeed secret key."""
    return _rotate(_cooperative(cooperative_id))


def _own_cooperative() -> Cooperative:
    return _cooperative(current_user.cooperative_id)


def _cooperative(cooperative_id: int | None) -> Cooperative:
    return cooperative_services.visible_cooperative(actor=current_user, cooperative_id=cooperative_id)


def _is_own(cooperative: Cooperative) -> bool:
    return current_user.has_role(Role.COOP_MANAGER) and current_user.cooperative_id == cooperative.id


def _cooperative_page(cooperative: Cooperative, form: FeedRequestForm, status: int = 200):
    own = _is_own(cooperative)
    page = render_template(
        "feeds/cooperative.html",
        cooperative=cooperative,
        feeds=queries.recent_feeds(cooperative.id, limit=RECENT_LIMIT),
        form=form,
        action_form=FeedActionForm(formdata=None),
        request_url=url_for(".request_feed")
        if own
        else url_for(".operator_request_feed", cooperative_id=cooperative.id),
        rotate_url=url_for(".rotate_key") if own else url_for(".operator_rotate_key", cooperative_id=cooperative.id),
        datafeed_url=datafeed_url(),
        masked_key=cooperative_services.masked_key(cooperative.datafeed_key),
        latest_datafeed=queries.latest_datafeed(cooperative.id),
    )
    return page, status


def _request(cooperative: Cooperative | None):
    form = FeedRequestForm()
    if not form.validate_on_submit():
        return _form_page(cooperative, form)
    try:
        feed = feed_requests.request_feed(
            cooperative_id=cooperative.id if cooperative else None,
            shape=form.shape.data,
            mode=form.mode.data,
            requested_by_id=current_user.id,
            trigger=FeedTrigger.MANUAL,
        )
        db.session.commit()
    except ValidationFailed as error:
        for key, message in error.fields.items():
            target = form._fields.get(key)
            if target is not None:
                target.errors = [*target.errors, message]
        if not error.fields:
            flash(error.message, "error")
        return _form_page(cooperative, form)
    except Conflict as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(_page_url(cooperative))
    flash(_("The feed was queued. This page shows its progress; you may also leave it and come back later."), "success")
    return redirect(url_for(".detail", feed_id=feed.id))


def _form_page(cooperative: Cooperative | None, form: FeedRequestForm):
    if cooperative is None:
        return _operator_page(form, INVALID)
    return _cooperative_page(cooperative, form, INVALID)


def _page_url(cooperative: Cooperative | None) -> str:
    if cooperative is None:
        return url_for(".operator_index")
    if _is_own(cooperative):
        return url_for(".index")
    return url_for(".operator_cooperative", cooperative_id=cooperative.id)


def _rotate(cooperative: Cooperative):
    cooperative_services.rotate_datafeed_key(actor=current_user, cooperative=cooperative)
    flash(_("A new datafeed key was created; the old key no longer works. Enter the new key in e-Katalog."), "success")
    return redirect(_page_url(cooperative) + "#datafeed")


# All cooperatives: operators ------------------------------------------------------------------------------------


@bp.get("/operator/feed")
@roles_required(*OPERATORS)
def operator_index():
    """The feeds of all cooperatives at once, a new one, and the way to one cooperative's feeds."""
    return _operator_page(FeedRequestForm(formdata=None))


@bp.post("/operator/feed")
@roles_required(*OPERATORS)
def operator_request_all():
    """Queue a feed of all cooperatives (built from per-cooperative parts, then joined)."""
    return _request(None)


def _operator_page(form: FeedRequestForm, status: int = 200):
    search = (request.args.get("q") or "").strip()[:100]
    page, per_page = requested_page()
    cooperatives = paginate(cooperative_services.cooperatives_query(search=search or None), page, per_page)
    body = render_template(
        "feeds/operator_index.html",
        feeds=queries.recent_feeds(None, limit=RECENT_LIMIT),
        form=form,
        action_form=FeedActionForm(formdata=None),
        cooperatives=cooperatives,
        search=search,
    )
    return body, status


# One feed --------------------------------------------------------------------------------------------------------


def _feed(feed_id: int) -> Feed:
    return queries.get_feed_for(current_user, feed_id)


@bp.get("/feed/<int:feed_id>")
@roles_required(*VIEWERS)
def detail(feed_id: int):
    """One feed: its progress while it runs; its counts, file, checksum and report once it succeeded."""
    feed = _feed(feed_id)
    return render_template(
        "feeds/detail.html",
        feed=feed,
        progress=queries.progress(feed),
        back_url=feed_url(feed, current_user),
        action_form=FeedActionForm(formdata=None),
        waiting=feed.status in (FeedStatus.QUEUED, FeedStatus.RUNNING),
    )


@bp.get("/feed/<int:feed_id>/status")
@roles_required(*VIEWERS)
def progress(feed_id: int):
    """The counters the progress bar polls, as JSON."""
    try:
        feed = _feed(feed_id)
    except NotFound as error:
        return jsonify({"error": {"code": error.code, "message": error.message}}), 404
    response = jsonify(queries.progress(feed))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/feed/<int:feed_id>/unduh")
@roles_required(*VIEWERS)
def download(feed_id: int):
    """The feed's file (JSON, ZIP of CSV files or XLSX), streamed."""
    return files.feed_file_response(_feed(feed_id))


@bp.get("/feed/<int:feed_id>/laporan.csv")
@roles_required(*VIEWERS)
def report_download(feed_id: int):
    """The feed's validation report as CSV, streamed."""
    return files.report_response(_feed(feed_id))


@bp.get("/feed/<int:feed_id>/laporan")
@roles_required(*VIEWERS)
def report(feed_id: int):
    """The validation report in the app: the products left out (errors) and the warnings, a page at a time."""
    feed = _feed(feed_id)
    level = (request.args.get("tingkat") or "").strip()[:20] or None
    page, per_page = requested_page(max_per_page=200)
    rows, counts = files.report_page(feed, page=page, per_page=per_page, level=level)
    return render_template("feeds/report.html", feed=feed, rows=rows, counts=counts, level=level)


@bp.post("/feed/<int:feed_id>/ulangi")
@roles_required(*VIEWERS)
def retry(feed_id: int):
    """Queue a failed feed again."""
    feed = _feed(feed_id)
    try:
        feed_requests.retry_feed(feed, current_user.id)
        db.session.commit()
    except Conflict:
        db.session.rollback()
        flash(_("Only a failed feed can be tried again."), "warning")
    else:
        flash(_("The feed was queued again."), "success")
    return redirect(url_for(".detail", feed_id=feed_id))


# Documentation -----------------------------------------------------------------------------------------------------


@bp.get("/feed/kolom")
def columns_page():
    """The columns of every shape of the feed, from the one definition the writers use."""
    return render_template(
        "feeds/columns.html",
        sheets=columns.SHEETS,
        sections=columns.DATAFEED_SECTIONS,
        report_columns=columns.REPORT_COLUMNS,
        kind_labels=columns.KIND_LABELS,
        public_base_url=current_app.config["PUBLIC_BASE_URL"].rstrip("/"),
    )
