"""HTML pages of the operator back office: users and the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError
from wtforms import Field

from marketplace.accounts.models import Role, User
from marketplace.admin import services
from marketplace.admin.forms import (
    ROLE_LABELS,
    AuditFilterForm,
    ReasonForm,
    ResendInvitationForm,
    RolesForm,
    UserFilterForm,
)
from marketplace.agencies.forms import show_service_errors
from marketplace.agencies.models import WorkUnit
from marketplace.cooperatives.models import Membership
from marketplace.cooperatives.states import STATUS_LABELS as MEMBERSHIP_LABELS
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.pagination import paginate, requested_page
from marketplace.core.permissions import roles_required
from marketplace.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Where an audit event's subject can be opened: subject type -> (endpoint, argument name).
SUBJECT_PAGES = {
    "user": ("admin.user_detail", "user_id"),
    "agency": ("agencies.operator_detail", "agency_id"),
    "work_unit": ("agencies.work_unit_detail", "work_unit_id"),
    "cooperative": ("cooperatives.operator_detail", "cooperative_id"),
    "order": ("procurement.order_detail", "order_id"),
    "payment": ("payments.operator_payment", "payment_id"),
}


def subject_url(event: AuditEvent) -> str | None:
    """A link to the event's subject when there is a page for it."""
    page = SUBJECT_PAGES.get(event.subject_type)
    if page is None or event.subject_id is None:
        return None
    try:
        return url_for(page[0], **{page[1]: event.subject_id})
    except BuildError:
        return None


@bp.context_processor
def inject_helpers() -> dict:
    return {
        "role_labels": ROLE_LABELS,
        "membership_labels": MEMBERSHIP_LABELS,
        "audit_changes": services.audit_changes,
        "subject_url": subject_url,
    }


def _valid(field: Field) -> object:
    """A filter field's value, or None when it is empty or invalid (an invalid filter is ignored)."""
    return None if field.errors or field.data in ("", None) else field.data


@bp.get("/users")
@roles_required(Role.OPERATOR)
def users():
    """Every user, searchable and filtered by role and account state."""
    form = UserFilterForm(request.args)
    form.validate()
    statement = services.users_query(
        search=_valid(form.q),
        role=_valid(form.role),
        enabled={"1": True, "0": False}.get(_valid(form.enabled) or ""),
    ).options(
        selectinload(User.work_unit).selectinload(WorkUnit.agency),
        selectinload(User.managed_cooperative),
        selectinload(User.membership).selectinload(Membership.cooperative),
    )
    page = paginate(statement, *requested_page())
    return render_template("admin/users.html", form=form, page=page)


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    return user


def _render_user(user: User, roles_form: RolesForm | None = None):
    if roles_form is None:
        roles_form = RolesForm(
            formdata=None,
            data={
                "roles": sorted(str(role) for role in user.roles),
                "work_unit_id": user.work_unit_id,
                "cooperative_id": user.cooperative_id,
            },
        )
    return render_template(
        "admin/user_detail.html",
        user=user,
        roles_form=roles_form,
        reason_form=ReasonForm(formdata=None),
        resend_form=ResendInvitationForm(formdata=None),
        events=services.user_events(user_id=user.id),
    )


@bp.get("/users/<int:user_id>")
@roles_required(Role.OPERATOR)
def user_detail(user_id: int):
    """A user's data, roles, account state, invitation and recent audit events."""
    return _render_user(_get_user(user_id))


@bp.post("/users/<int:user_id>/roles")
@roles_required(Role.OPERATOR)
def change_roles(user_id: int):
    """Save the user's roles and the work unit or cooperative they need."""
    user = _get_user(user_id)
    form = RolesForm()
    if form.validate_on_submit():
        try:
            services.change_roles(
                actor=current_user,
                user_id=user.id,
                roles=[Role(value) for value in form.roles.data],
                work_unit_id=form.work_unit_id.data,
                cooperative_id=form.cooperative_id.data,
            )
        except ValidationFailed as error:
            for message in show_service_errors(form, error):
                flash(message, "error")
        else:
            flash(_("Roles saved."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return _render_user(user, form), 422


def _set_enabled(user_id: int, enabled: bool):
    user = _get_user(user_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    try:
        services.set_user_enabled(actor=current_user, user_id=user.id, enabled=enabled, reason=form.reason.data)
    except ValidationFailed as error:
        for message in error.fields.values() or [error.message]:
            flash(message, "error")
    else:
        flash(_("Account enabled.") if enabled else _("Account disabled; the person is signed out."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/disable")
@roles_required(Role.OPERATOR)
def disable_user(user_id: int):
    """Disable an account: it cannot sign in, its sessions and API tokens stop working."""
    return _set_enabled(user_id, False)


@bp.post("/users/<int:user_id>/enable")
@roles_required(Role.OPERATOR)
def enable_user(user_id: int):
    """Enable a disabled account again."""
    return _set_enabled(user_id, True)


@bp.post("/users/<int:user_id>/invitation")
@roles_required(Role.OPERATOR)
def resend_invitation(user_id: int):
    """Email a new set-password link to someone who has not set a password yet."""
    user = _get_user(user_id)
    if ResendInvitationForm().validate_on_submit():
        try:
            services.resend_invitation(actor=current_user, user_id=user.id)
        except Conflict as error:
            flash(error.message, "error")
        else:
            flash(_("A new invitation was sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.get("/audit")
@roles_required(Role.OPERATOR)
def audit_log():
    """Every audit event, newest first, filtered by action, actor, subject and days (WIB)."""
    form = AuditFilterForm(request.args)
    form.validate()
    statement = services.audit_query(
        action_prefix=_valid(form.action),
        actor_email=_valid(form.actor),
        subject_type=_valid(form.subject_type),
        subject_id=_valid(form.subject_id),
        since=_valid(form.since),
        until=_valid(form.until),
    )
    page = paginate(statement, *requested_page())
    return render_template("admin/audit_log.html", form=form, page=page)
