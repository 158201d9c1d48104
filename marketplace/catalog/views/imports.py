"""Pages for bulk upload of listings: upload a file, follow the check of its rows, decide what to import."""

from __future__ import annotations

import io

from flask import Blueprint, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from marketplace.accounts.models import Role
from marketplace.catalog.imports import services
from marketplace.catalog.imports.forms import DecisionForm, UploadForm
from marketplace.catalog.imports.services import MAX_FILE_BYTES
from marketplace.catalog.imports.sheet import split_error_column
from marketplace.catalog.imports.states import (
    FINAL_STATES,
    RUNNING_STATES,
    STATUS_LABELS,
    ImportDecision,
    ImportStatus,
)
from marketplace.catalog.imports.template import XLSX_NAME, ZIP_NAME, template_xlsx, template_zip
from marketplace.catalog.permissions import is_active_member
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.http import render_error
from marketplace.core.pagination import paginate, requested_page
from marketplace.core.permissions import roles_required
from marketplace.core.timeutil import today_wib

bp = Blueprint("imports", __name__, url_prefix="/produk-saya/unggah")

UPLOADERS = (Role.SELLER, Role.COOP_MANAGER)
VIEWERS = (Role.SELLER, Role.COOP_MANAGER, Role.OPERATOR)
INVALID = 422
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def import_helpers() -> dict:
    """Status labels and the error-column splitter for the upload templates."""
    return {
        "import_status_labels": STATUS_LABELS,
        "split_error_column": split_error_column,
        "max_upload_mb": MAX_FILE_BYTES // (1024 * 1024),
    }


def _upload_form(**kwargs) -> UploadForm:
    form = UploadForm(**kwargs)
    if current_user.has_role(Role.COOP_MANAGER):
        form.seller_id.choices = services.member_choices(actor=current_user)
    else:
        del form.seller_id
    return form


def _index_page(form: UploadForm, status: int = 200):
    page, per_page = requested_page()
    uploads = paginate(services.imports_query(actor=current_user), page, per_page, scalars=False)
    may_upload = current_user.has_role(Role.COOP_MANAGER) or is_active_member(current_user)
    return render_template("catalog/imports/index.html", form=form, uploads=uploads, may_upload=may_upload), status


@bp.route("", methods=["GET", "POST"])
@roles_required(*UPLOADERS)
def index():
    """Upload a file (and see earlier uploads)."""
    form = _upload_form()
    if request.method == "GET":
        return _index_page(form)
    if not form.validate_on_submit():
        return _index_page(form, INVALID)
    seller_id = form.seller_id.data if "seller_id" in form else None
    upload = form.file.data
    try:
        record = services.start_import(
            actor=current_user, filename=upload.filename, stream=upload.stream, seller_id=seller_id
        )
    except ValidationFailed as error:
        for key, message in error.fields.items():
            target = form._fields.get(key, form.file)
            target.errors = [*target.errors, message]
        return _index_page(form, INVALID)
    flash(_("The file was received. Its rows are being checked; this page shows the progress."), "success")
    return redirect(url_for(".detail", import_id=record.id))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """A request over MAX_CONTENT_LENGTH (25 MB): the same clear message as for a file over 20 MB."""
    message = _(
        "The file is larger than %(mb)s MB. Split it into smaller files and upload them one by one.",
        mb=MAX_FILE_BYTES // (1024 * 1024),
    )
    if request.endpoint == "imports.index" and current_user.is_authenticated and current_user.has_role(*UPLOADERS):
        form = _upload_form(formdata=None)
        form.file.errors = [message]
        return _index_page(form, 413)
    return render_error(413, message)


@bp.get("/template.xlsx")
@roles_required(*UPLOADERS)
def template():
    """The XLSX template with an example product and the column explanations."""
    data = template_xlsx(today=today_wib())
    return send_file(io.BytesIO(data), mimetype=XLSX_TYPE, as_attachment=True, download_name=XLSX_NAME)


@bp.get("/template.zip")
@roles_required(*UPLOADERS)
def template_csv():
    """The same template as CSV files in a ZIP."""
    data = template_zip(today=today_wib())
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=ZIP_NAME)


@bp.get("/<int:import_id>")
@roles_required(*VIEWERS)
def detail(import_id: int):
    """The progress of the check or import, the problems found, and the decision."""
    record = services.visible_import(actor=current_user, import_id=import_id)
    page, per_page = requested_page()
    problems = paginate(services.import_errors_query(record=record), page, per_page)
    waiting_for_worker = record.status in RUNNING_STATES or (
        record.status == ImportStatus.VALIDATED and record.decision == ImportDecision.GOOD_ONLY
    )
    if record.status in (ImportStatus.QUEUED, ImportStatus.VALIDATING):
        done_statuses = [ImportStatus.VALIDATED, ImportStatus.FAILED]
    else:
        done_statuses = [ImportStatus.COMPLETED, ImportStatus.FAILED]
    return render_template(
        "catalog/imports/detail.html",
        record=record,
        people=services.people_of(record),
        problems=problems,
        may_decide=services.can_decide_import(current_user, record),
        waiting_for_worker=waiting_for_worker,
        done_statuses=done_statuses,
        final=record.status in FINAL_STATES,
        form=DecisionForm(),
    )


@bp.get("/<int:import_id>/status")
@roles_required(*VIEWERS)
def progress(import_id: int):
    """The counters the progress bar polls, as JSON."""
    try:
        record = services.visible_import(actor=current_user, import_id=import_id)
    except NotFound as error:
        return jsonify({"error": {"code": error.code, "message": error.message}}), 404
    response = jsonify(services.progress(record))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:import_id>/impor")
@roles_required(*UPLOADERS)
def import_good_rows(import_id: int):
    """Create the good rows as drafts (in the background)."""
    return _decide(import_id, ImportDecision.GOOD_ONLY)


@bp.post("/<int:import_id>/batalkan")
@roles_required(*UPLOADERS)
def discard(import_id: int):
    """Import nothing from this upload."""
    return _decide(import_id, ImportDecision.NOTHING)


def _decide(import_id: int, decision: ImportDecision):
    try:  # CSRFProtect has checked the form's token before the view runs
        record = services.decide_import(actor=current_user, import_id=import_id, decision=decision)
    except Conflict as error:
        flash(error.message, "warning")
        return redirect(url_for(".detail", import_id=import_id))
    if decision == ImportDecision.NOTHING:
        flash(_("Nothing was imported from %(name)s.", name=record.filename), "success")
    else:
        message = ngettext(
            "%(num)s product is being created as a draft; this page shows the progress.",
            "%(num)s products are being created as drafts; this page shows the progress.",
            record.good_rows,
        )
        flash(message, "success")
    return redirect(url_for(".detail", import_id=record.id))
