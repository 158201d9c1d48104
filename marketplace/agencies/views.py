"""HTML pages of the agencies domain: a buyer's own work unit, and the operator's agencies and work units."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import Form

from marketplace.accounts.models import BUYER_ROLES, Role, User
from marketplace.admin.forms import ROLE_LABELS
from marketplace.admin.services import audit_changes, audit_query
from marketplace.admin.views import subject_url
from marketplace.agencies import services
from marketplace.agencies.forms import AgencyForm, InviteBuyerForm, WorkUnitForm, show_service_errors
from marketplace.agencies.models import WorkUnit
from marketplace.core.errors import ValidationFailed
from marketplace.core.pagination import paginate, requested_page
from marketplace.core.permissions import roles_required
from marketplace.extensions import db

bp = Blueprint("agencies", __name__)

HISTORY_SIZE = 10


@bp.context_processor
def inject_labels() -> dict:
    return {
        "role_labels": ROLE_LABELS,
        "agency_kinds": services.AGENCY_KINDS,
        "audit_changes": audit_changes,
        "subject_url": subject_url,
    }


def _flash_unplaced(messages: list[str]) -> None:
    for message in messages:
        flash(message, "error")


def _status(*forms: Form) -> int:
    """422 when a submitted form is shown again with errors, else 200."""
    return 422 if any(form.errors for form in forms) else 200


def _history(subject_type: str, subject_id: int) -> list:
    return list(db.session.scalars(audit_query(subject_type=subject_type, subject_id=subject_id).limit(HISTORY_SIZE)))


# Buyers ----------------------------------------------------------------------------------------------------------


@bp.get("/satker")
@bp.get("/satker/<int:work_unit_id>")
@roles_required(*BUYER_ROLES)
def my_work_unit(work_unit_id: int | None = None):
    """A buyer's work unit: its agency, region and colleagues with their roles."""
    unit_id = work_unit_id if work_unit_id is not None else current_user.work_unit_id
    if unit_id is None:
        return render_template("agencies/my_work_unit.html", work_unit=None, members=[])
    work_unit = services.visible_work_unit(actor=current_user, work_unit_id=unit_id)
    members = [user for user in services.work_unit_members(work_unit_id=work_unit.id) if user.is_enabled]
    return render_template("agencies/my_work_unit.html", work_unit=work_unit, members=members)


# Operator: agencies ----------------------------------------------------------------------------------------------


def _work_unit_counts(agency_ids: list[int]) -> dict[int, int]:
    if not agency_ids:
        return {}
    rows = db.session.execute(
        select(WorkUnit.agency_id, func.count()).where(WorkUnit.agency_id.in_(agency_ids)).group_by(WorkUnit.agency_id)
    )
    return {row[0]: row[1] for row in rows}


@bp.get("/operator/instansi")
@roles_required(Role.OPERATOR)
def operator_index():
    """Every agency, searchable by name."""
    search = request.args.get("q", "").strip()
    page = paginate(services.agencies_query(search=search or None), *requested_page())
    counts = _work_unit_counts([agency.id for agency in page.items])
    return render_template("agencies/operator_index.html", page=page, search=search, counts=counts)


@bp.route("/operator/instansi/baru", methods=["GET", "POST"])
@roles_required(Role.OPERATOR)
def operator_new():
    """Create an agency."""
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            agency = services.create_agency(
                actor=current_user, name=form.name.data, kind=form.kind.data, region_code=form.region_code.data
            )
        except ValidationFailed as error:
            _flash_unplaced(show_service_errors(form, error))
        else:
            flash(_("Agency %(name)s created. Now add its work units.", name=agency.name), "success")
            return redirect(url_for("agencies.operator_detail", agency_id=agency.id))
    return render_template("agencies/agency_new.html", form=form), _status(form)


@bp.route("/operator/instansi/<int:agency_id>", methods=["GET", "POST"])
@roles_required(Role.OPERATOR)
def operator_detail(agency_id: int):
    """An agency: edit it, see its work units and its history."""
    agency = services.visible_agency(actor=current_user, agency_id=agency_id)
    form = AgencyForm(obj=agency)
    if form.validate_on_submit():
        data = {"name": form.name.data, "kind": form.kind.data, "region_code": form.region_code.data}
        try:
            services.update_agency(actor=current_user, agency=agency, data=data)
        except ValidationFailed as error:
            _flash_unplaced(show_service_errors(form, error))
        else:
            flash(_("Agency saved."), "success")
            return redirect(url_for("agencies.operator_detail", agency_id=agency.id))
    members = _member_counts([unit.id for unit in agency.work_units])
    return render_template(
        "agencies/agency_detail.html",
        agency=agency,
        form=form,
        members=members,
        history=_history("agency", agency.id),
    ), _status(form)


# Operator: work units --------------------------------------------------------------------------------------------


def _member_counts(work_unit_ids: list[int]) -> dict[int, int]:
    if not work_unit_ids:
        return {}
    rows = db.session.execute(
        select(User.work_unit_id, func.count()).where(User.work_unit_id.in_(work_unit_ids)).group_by(User.work_unit_id)
    )
    return {row[0]: row[1] for row in rows}


def _work_unit_data(form: WorkUnitForm) -> dict:
    return {
        "name": form.name.data,
        "short_code": form.short_code.data,
        "kode_satker": form.kode_satker.data,
        "npwp": form.npwp.data or None,
        "address": form.address.data or None,
        "region_code": form.region_code.data,
    }


@bp.route("/operator/instansi/<int:agency_id>/satker/baru", methods=["GET", "POST"])
@roles_required(Role.OPERATOR)
def work_unit_new(agency_id: int):
    """Add a work unit to an agency."""
    agency = services.visible_agency(actor=current_user, agency_id=agency_id)
    form = WorkUnitForm(agency=agency)
    if form.validate_on_submit():
        try:
            work_unit = services.create_work_unit(actor=current_user, agency=agency, **_work_unit_data(form))
        except ValidationFailed as error:
            _flash_unplaced(show_service_errors(form, error))
        else:
            flash(_("Work unit %(name)s created. Now invite its buyers.", name=work_unit.name), "success")
            return redirect(url_for("agencies.work_unit_detail", work_unit_id=work_unit.id))
    return render_template("agencies/work_unit_new.html", agency=agency, form=form), _status(form)


def _render_work_unit(work_unit: WorkUnit, form: WorkUnitForm, invite_form: InviteBuyerForm):
    return render_template(
        "agencies/work_unit_detail.html",
        work_unit=work_unit,
        agency=work_unit.agency,
        form=form,
        invite_form=invite_form,
        members=services.work_unit_members(work_unit_id=work_unit.id),
        history=_history("work_unit", work_unit.id),
    ), _status(form, invite_form)


@bp.route("/operator/satker/<int:work_unit_id>", methods=["GET", "POST"])
@roles_required(Role.OPERATOR)
def work_unit_detail(work_unit_id: int):
    """A work unit: edit it, see its members, invite a buyer."""
    work_unit = services.visible_work_unit(actor=current_user, work_unit_id=work_unit_id)
    form = WorkUnitForm(obj=work_unit, agency=work_unit.agency)
    if form.validate_on_submit():
        try:
            services.update_work_unit(actor=current_user, work_unit=work_unit, data=_work_unit_data(form))
        except ValidationFailed as error:
            _flash_unplaced(show_service_errors(form, error))
        else:
            flash(_("Work unit saved."), "success")
            return redirect(url_for("agencies.work_unit_detail", work_unit_id=work_unit.id))
    return _render_work_unit(work_unit, form, InviteBuyerForm(formdata=None))


@bp.post("/operator/satker/<int:work_unit_id>/undang")
@roles_required(Role.OPERATOR)
def invite_buyer(work_unit_id: int):
    """Invite a buyer into the work unit; the invitation email carries a set-password link."""
    work_unit = services.visible_work_unit(actor=current_user, work_unit_id=work_unit_id)
    invite_form = InviteBuyerForm()
    if invite_form.validate_on_submit():
        try:
            user = services.invite_buyer(
                actor=current_user,
                work_unit=work_unit,
                email=invite_form.email.data,
                full_name=invite_form.full_name.data,
                roles=[Role(value) for value in invite_form.roles.data],
            )
        except ValidationFailed as error:
            _flash_unplaced(show_service_errors(invite_form, error))
        else:
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("agencies.work_unit_detail", work_unit_id=work_unit.id))
    edit_form = WorkUnitForm(formdata=None, obj=work_unit, agency=work_unit.agency)
    return _render_work_unit(work_unit, edit_form, invite_form)
