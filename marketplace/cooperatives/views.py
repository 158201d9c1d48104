"""HTML pages of the cooperatives domain: members and cooperative data for managers, cooperatives for operators."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.cooperatives import services
from marketplace.cooperatives.forms import (
    CooperativeForm,
    CooperativeStatusForm,
    DecisionForm,
    InviteManagerForm,
    NewCooperativeForm,
    ReasonForm,
    show_field_errors,
)
from marketplace.cooperatives.models import Cooperative, Membership
from marketplace.cooperatives.permissions import is_operator
from marketplace.cooperatives.states import (
    ACTION_LABELS,
    ACTIONS_NEEDING_REASON,
    MEMBERSHIP,
    STATUS_LABELS,
    STATUS_ORDER,
    MembershipStatus,
)
from marketplace.core.errors import Conflict, IllegalTransition, ValidationFailed
from marketplace.core.pagination import paginate, requested_page
from marketplace.core.permissions import roles_required
from marketplace.core.urls import is_safe_redirect
from marketplace.feeds.display import datafeed_url

bp = Blueprint("cooperatives", __name__)

INVALID = 422

COOPERATIVE_EVENT_LABELS = {
    "cooperative.create": _l("Created"),
    "cooperative.update": _l("Data changed"),
    "cooperative.datafeed_key_rotate": _l("Datafeed key replaced"),
    "cooperative.manager_invite": _l("Manager invited"),
    "cooperative.activate": _l("Reopened"),
    "cooperative.deactivate": _l("Closed"),
}

DECISIONS = {
    "approve": services.approve_member,
    "reject": services.reject_member,
    "suspend": services.suspend_member,
    "reactivate": services.reactivate_member,
}


@bp.context_processor
def membership_labels() -> dict:
    """Status and audit event labels for the domain's templates."""
    return {
        "membership_status_labels": STATUS_LABELS,
        "membership_event_labels": {f"membership.{action}": label for action, label in ACTION_LABELS.items()},
        "cooperative_event_labels": COOPERATIVE_EVENT_LABELS,
    }


# Members ------------------------------------------------------------------------------------------------------


@bp.get("/koperasi/anggota")
@roles_required(Role.COOP_MANAGER)
def members():
    """The manager's own cooperative's members, by status."""
    cooperative = services.visible_cooperative(actor=current_user, cooperative_id=current_user.cooperative_id)
    return _members_page(cooperative, "cooperatives.members")


@bp.get("/operator/koperasi/<int:cooperative_id>/anggota")
@roles_required(Role.OPERATOR)
def operator_members(cooperative_id: int):
    """Any cooperative's members, for operators."""
    cooperative = services.visible_cooperative(actor=current_user, cooperative_id=cooperative_id)
    return _members_page(cooperative, "cooperatives.operator_members")


def _members_page(cooperative: Cooperative, endpoint: str):
    status = request.args.get("status") or MembershipStatus.PENDING
    if status not in STATUS_ORDER:
        status = MembershipStatus.PENDING
    search = (request.args.get("q") or "").strip()[:100]
    page, per_page = requested_page()
    result = paginate(
        services.members_query(cooperative_id=cooperative.id, status=status, search=search or None), page, per_page
    )
    return render_template(
        "cooperatives/members.html",
        cooperative=cooperative,
        page=result,
        status=status,
        search=search,
        statuses=STATUS_ORDER,
        counts=services.membership_counts(cooperative_id=cooperative.id),
        endpoint=endpoint,
        route_args=request.view_args or {},
    )


@bp.get("/koperasi/anggota/<int:membership_id>")
@roles_required(Role.COOP_MANAGER, Role.OPERATOR)
def member_detail(membership_id: int):
    """Everything about one member needed to judge the application, and the decision history."""
    membership = services.get_membership(actor=current_user, membership_id=membership_id)
    return _member_page(membership, ReasonForm(formdata=None))


def _member_page(membership: Membership, reason_form: ReasonForm, status: int = 200):
    back = (
        url_for("cooperatives.operator_members", cooperative_id=membership.cooperative_id, status=membership.status)
        if is_operator(current_user) and current_user.cooperative_id != membership.cooperative_id
        else url_for("cooperatives.members", status=membership.status)
    )
    page = render_template(
        "cooperatives/member_detail.html",
        membership=membership,
        user=membership.user,
        profile=membership.user.seller_profile,
        history=services.membership_history(membership=membership),
        actions=MEMBERSHIP.allowed_actions(membership),
        reason_form=reason_form,
        back_url=back,
    )
    return page, status


@bp.post("/koperasi/anggota/<int:membership_id>/setujui")
@roles_required(Role.COOP_MANAGER, Role.OPERATOR)
def approve_member(membership_id: int):
    """Approve a pending application."""
    return _decide(membership_id, "approve")


@bp.post("/koperasi/anggota/<int:membership_id>/tolak")
@roles_required(Role.COOP_MANAGER, Role.OPERATOR)
def reject_member(membership_id: int):
    """Reject a pending application with a reason."""
    return _decide(membership_id, "reject")


@bp.post("/koperasi/anggota/<int:membership_id>/bekukan")
@roles_required(Role.COOP_MANAGER, Role.OPERATOR)
def suspend_member(membership_id: int):
    """Suspend an active member with a reason."""
    return _decide(membership_id, "suspend")


@bp.post("/koperasi/anggota/<int:membership_id>/aktifkan")
@roles_required(Role.COOP_MANAGER, Role.OPERATOR)
def reactivate_member(membership_id: int):
    """Lift a member's suspension."""
    return _decide(membership_id, "reactivate")


def _decide(membership_id: int, action: str):
    membership = services.get_membership(actor=current_user, membership_id=membership_id)
    needs_reason = action in ACTIONS_NEEDING_REASON
    form = ReasonForm() if needs_reason else DecisionForm()
    detail_url = url_for("cooperatives.member_detail", membership_id=membership.id)
    if not form.validate_on_submit():
        return _member_page(membership, form if needs_reason else ReasonForm(formdata=None), INVALID)
    kwargs = {"reason": form.reason.data} if needs_reason else {}
    try:
        DECISIONS[action](actor=current_user, membership_id=membership.id, **kwargs)
    except ValidationFailed as error:
        show_field_errors(form, error)
        return _member_page(membership, form, INVALID)
    except IllegalTransition:
        label = STATUS_LABELS.get(membership.status, membership.status)
        flash(_("Nothing was changed: this member's status is now “%(status)s”.", status=label), "warning")
        return redirect(detail_url)
    except Conflict as error:
        flash(error.message, "error")
        return redirect(detail_url)
    flash(_decision_message(action, membership.user.full_name), "success")
    target = form.next.data
    return redirect(target if is_safe_redirect(target) else detail_url)


def _decision_message(action: str, name: str) -> str:
    messages = {
        "approve": _("%(name)s is now a member. We emailed them.", name=name),
        "reject": _("The application of %(name)s was rejected. We emailed them the reason.", name=name),
        "suspend": _("%(name)s is suspended. We emailed them the reason.", name=name),
        "reactivate": _("%(name)s is active again. We emailed them.", name=name),
    }
    return messages[action]


# The manager's cooperative --------------------------------------------------------------------------------------


@bp.route("/koperasi/pengaturan", methods=["GET", "POST"])
@roles_required(Role.COOP_MANAGER)
def settings():
    """The manager edits the cooperative's own data; sees the datafeed address and key, and the managers."""
    cooperative = services.visible_cooperative(actor=current_user, cooperative_id=current_user.cooperative_id)
    form = CooperativeForm(obj=cooperative)
    del form.name
    if request.method == "POST":
        if form.validate():
            try:
                services.update_cooperative(actor=current_user, cooperative=cooperative, data=form.service_data())
            except ValidationFailed as error:
                show_field_errors(form, error)
            else:
                flash(_("The cooperative's data was saved."), "success")
                return redirect(url_for("cooperatives.settings"))
        return _settings_page(cooperative, form=form, status=INVALID)
    return _settings_page(cooperative, form=form)


def _settings_page(cooperative: Cooperative, *, form=None, invite_form=None, status: int = 200):
    if form is None:
        form = CooperativeForm(formdata=None, obj=cooperative)
        del form.name
    page = render_template(
        "cooperatives/settings.html",
        cooperative=cooperative,
        form=form,
        invite_form=invite_form or InviteManagerForm(formdata=None),
        managers=services.cooperative_managers(cooperative_id=cooperative.id),
        datafeed_url=datafeed_url(),
        masked_key=services.masked_key(cooperative.datafeed_key),
    )
    return page, status


@bp.post("/koperasi/pengaturan/kunci-datafeed")
@roles_required(Role.COOP_MANAGER)
def rotate_key():
    """Replace the cooperative's datafeed secret key."""
    cooperative = services.visible_cooperative(actor=current_user, cooperative_id=current_user.cooperative_id)
    services.rotate_datafeed_key(actor=current_user, cooperative=cooperative)
    flash(_("A new datafeed key was created; the old key no longer works. Enter the new key in e-Katalog."), "success")
    return redirect(url_for("cooperatives.settings") + "#datafeed")


@bp.post("/koperasi/pengaturan/pengurus")
@roles_required(Role.COOP_MANAGER)
def invite_manager():
    """A manager invites another pengurus of the same cooperative."""
    cooperative = services.visible_cooperative(actor=current_user, cooperative_id=current_user.cooperative_id)
    form = InviteManagerForm()
    if _invite(cooperative, form):
        return redirect(url_for("cooperatives.settings") + "#managers")
    return _settings_page(cooperative, invite_form=form, status=INVALID)


def _invite(cooperative: Cooperative, form: InviteManagerForm) -> bool:
    """Invite the manager in `form`; on failure leave the errors on the form and return False."""
    if not form.validate_on_submit():
        return False
    try:
        user = services.invite_manager(
            actor=current_user,
            cooperative=cooperative,
            email=form.manager_email.data,
            full_name=form.manager_name.data,
        )
    except ValidationFailed as error:
        show_field_errors(form, error, renamed={"email": "manager_email", "full_name": "manager_name"})
        return False
    flash(_("We sent %(email)s a link to set a password.", email=user.email), "success")
    return True


# Operators ------------------------------------------------------------------------------------------------------


@bp.get("/operator/koperasi")
@roles_required(Role.OPERATOR)
def operator_index():
    """All cooperatives with their member counts."""
    search = (request.args.get("q") or "").strip()[:100]
    include_inactive = request.args.get("inactive") == "1"
    page, per_page = requested_page()
    result = paginate(
        services.cooperatives_query(search=search or None, include_inactive=include_inactive), page, per_page
    )
    counts = services.member_counts(cooperative_ids=[cooperative.id for cooperative in result.items])
    return render_template(
        "cooperatives/operator_index.html",
        page=result,
        search=search,
        include_inactive=include_inactive,
        counts=counts,
    )


@bp.route("/operator/koperasi/baru", methods=["GET", "POST"])
@roles_required(Role.OPERATOR)
def operator_new():
    """Open a cooperative and invite its first manager."""
    form = NewCooperativeForm()
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.validate():
            try:
                cooperative = services.create_cooperative(
                    actor=current_user,
                    data=form.service_data(),
                    manager_email=form.manager_email.data,
                    manager_name=form.manager_name.data,
                )
            except ValidationFailed as error:
                show_field_errors(form, error)
            else:
                flash(
                    _(
                        "%(name)s was created. We sent %(email)s a link to set a password.",
                        name=cooperative.name,
                        email=form.manager_email.data.strip().lower(),
                    ),
                    "success",
                )
                return redirect(url_for("cooperatives.operator_detail", cooperative_id=cooperative.id))
    return render_template("cooperatives/operator_new.html", form=form), status


@bp.route("/operator/koperasi/<int:cooperative_id>", methods=["GET", "POST"])
@roles_required(Role.OPERATOR)
def operator_detail(cooperative_id: int):
    """Edit a cooperative; see its managers, members and history; invite managers; close or reopen it."""
    cooperative = services.visible_cooperative(actor=current_user, cooperative_id=cooperative_id)
    form = CooperativeForm(obj=cooperative)
    if request.method == "POST":
        if form.validate():
            try:
                services.update_cooperative(actor=current_user, cooperative=cooperative, data=form.service_data())
            except ValidationFailed as error:
                show_field_errors(form, error)
            else:
                flash(_("The cooperative's data was saved."), "success")
                return redirect(url_for("cooperatives.operator_detail", cooperative_id=cooperative.id))
        return _operator_detail_page(cooperative, form=form, status=INVALID)
    return _operator_detail_page(cooperative, form=form)


def _operator_detail_page(cooperative: Cooperative, *, form=None, invite_form=None, status_form=None, status=200):
    page = render_template(
        "cooperatives/operator_detail.html",
        cooperative=cooperative,
        form=form or CooperativeForm(formdata=None, obj=cooperative),
        invite_form=invite_form or InviteManagerForm(formdata=None),
        status_form=status_form
        or CooperativeStatusForm(formdata=None, active="1" if not cooperative.is_active else "0"),
        managers=services.cooperative_managers(cooperative_id=cooperative.id),
        counts=services.membership_counts(cooperative_id=cooperative.id),
        history=services.cooperative_history(cooperative=cooperative),
        masked_key=services.masked_key(cooperative.datafeed_key),
    )
    return page, status


@bp.post("/operator/koperasi/<int:cooperative_id>/pengurus")
@roles_required(Role.OPERATOR)
def operator_invite_manager(cooperative_id: int):
    """An operator invites another manager of the cooperative."""
    cooperative = services.visible_cooperative(actor=current_user, cooperative_id=cooperative_id)
    form = InviteManagerForm()
    if _invite(cooperative, form):
        return redirect(url_for("cooperatives.operator_detail", cooperative_id=cooperative.id) + "#managers")
    return _operator_detail_page(cooperative, invite_form=form, status=INVALID)


@bp.post("/operator/koperasi/<int:cooperative_id>/status")
@roles_required(Role.OPERATOR)
def operator_set_active(cooperative_id: int):
    """Close or reopen a cooperative."""
    cooperative = services.visible_cooperative(actor=current_user, cooperative_id=cooperative_id)
    form = CooperativeStatusForm()
    if not form.validate_on_submit():
        return _operator_detail_page(cooperative, status_form=form, status=INVALID)
    active = form.active.data == "1"
    services.set_cooperative_active(actor=current_user, cooperative=cooperative, active=active, reason=form.reason.data)
    if active:
        flash(_("%(name)s is open again.", name=cooperative.name), "success")
    else:
        flash(
            _("%(name)s is closed: it is hidden from registration and takes no new members.", name=cooperative.name),
            "success",
        )
    return redirect(url_for("cooperatives.operator_detail", cooperative_id=cooperative.id))
