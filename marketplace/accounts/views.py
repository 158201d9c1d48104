"""HTML pages of the accounts domain: registration, sign-in and out, passwords, profile and API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.accounts import services
from marketplace.accounts.forms import (
    AccountForm,
    ApiTokenForm,
    BusinessProfileForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    RegistrationForm,
    apply_field_errors,
    cooperative_choices,
)
from marketplace.accounts.labels import SKALA_LABELS
from marketplace.accounts.models import Role, User
from marketplace.accounts.permissions import can_edit_business_profile, can_manage_api_tokens
from marketplace.accounts.throttle import TooManyAttempts
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.pagination import requested_page
from marketplace.core.permissions import roles_required
from marketplace.core.urls import is_safe_redirect

bp = Blueprint("accounts", __name__)


def start_session(user: User, *, remember: bool = False) -> None:
    """Sign `user` in on a fresh session, keeping only the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(user, remember=remember)


@bp.app_context_processor
def account_labels() -> dict:
    """Labels of account values for every template (a maker's scale shows on many pages)."""
    return {"skala_labels": SKALA_LABELS}


def home() -> str:
    """Where a person lands after signing in: their dashboard."""
    return url_for("dashboard.index")


def no_store(response):
    """Keep pages with secrets or secret links out of caches and Referer headers."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/daftar", methods=["GET", "POST"])
def register():
    """Register as an UMKM seller applying to a cooperative."""
    if current_user.is_authenticated:
        flash(_("You already have an account."), "info")
        return redirect(url_for("accounts.profile"))
    form = RegistrationForm()
    form.cooperative_id.choices = cooperative_choices(services.active_cooperatives())
    if form.validate_on_submit():
        try:
            user = services.register_seller(
                email=form.email.data,
                full_name=form.full_name.data,
                phone=form.phone.data,
                password=form.password.data,
                cooperative_id=form.cooperative_id.data,
                profile=form.profile_data(),
                locale=str(get_locale()),
            )
        except ValidationFailed as error:
            apply_field_errors(form, error.fields)
        else:
            start_session(user)
            flash(
                _("Welcome! Your application was sent to %(name)s.", name=user.membership.cooperative.name), "success"
            )
            return redirect(url_for("accounts.profile"))
    status = 422 if form.errors else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    target = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(target if is_safe_redirect(target) else home())
    form = LoginForm()
    status, retry_after = 200, None
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                email=form.email.data, password=form.password.data, ip_address=request.remote_addr or "unknown"
            )
        except TooManyAttempts as blocked:
            form.form_errors.append(
                ngettext(
                    "Too many failed sign-in attempts. Please wait %(num)d minute and try again.",
                    "Too many failed sign-in attempts. Please wait %(num)d minutes and try again.",
                    blocked.retry_after_minutes,
                )
            )
            status, retry_after = 429, blocked.retry_after_seconds
        except services.InvalidCredentials as error:
            form.form_errors.append(error.message)
        else:
            start_session(user, remember=form.remember.data)
            return redirect(target if is_safe_redirect(target) else home())
    response = current_app.make_response((render_template("accounts/login.html", form=form), status))
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.post("/keluar")
def logout():
    """Sign out (POST only, with the CSRF token)."""
    if current_user.is_authenticated:
        services.record_logout(current_user._get_current_object())
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    flash(_("You have signed out."), "info")
    return redirect(url_for("dashboard.index"))


@bp.route("/lupa-sandi", methods=["GET", "POST"])
def forgot_password():
    """Ask for a password reset link; the answer never tells whether the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(email=form.email.data)
        flash(
            _(
                "If an account uses %(email)s, we have sent it a link to set a new password. "
                "Please check your inbox and spam folder.",
                email=form.email.data.strip(),
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


def _invalid_link(purpose: str):
    page = render_template("accounts/link_invalid.html", purpose=purpose)
    return no_store(current_app.make_response((page, 400)))


def _password_from_link(token: str, purpose: str):
    """Shared page of reset and invitation links: new password twice, then signed in."""
    try:
        user = services.user_for_link(token, purpose)
    except services.InvalidLink:
        return _invalid_link(purpose)
    form = NewPasswordForm()
    if form.validate_on_submit():
        action = services.reset_password if purpose == "reset" else services.accept_invitation
        try:
            user = action(token=token, password=form.password.data)
        except services.InvalidLink:
            return _invalid_link(purpose)
        except ValidationFailed as error:
            apply_field_errors(form, error.fields)
        else:
            start_session(user)
            flash(_("Your password is set. You are signed in."), "success")
            return redirect(home())
    status = 422 if form.errors else 200
    page = render_template("accounts/new_password.html", form=form, purpose=purpose, user=user)
    return no_store(current_app.make_response((page, status)))


@bp.route("/atur-ulang-sandi/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password from the link sent by email."""
    return _password_from_link(token, "reset")


@bp.route("/atur-sandi/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Set the first password of an invited account."""
    return _password_from_link(token, "invite")


def _me() -> User:
    return current_user._get_current_object()


@bp.get("/profil")
@login_required
def profile():
    """The signed-in person's account, membership, business profile and API tokens."""
    user = _me()
    page, per_page = requested_page()
    tokens = services.api_tokens_page(user, page, per_page)
    return render_template(
        "accounts/profile.html",
        user=user,
        membership=user.membership,
        seller_profile=user.seller_profile if can_edit_business_profile(user) else None,
        can_edit_business=can_edit_business_profile(user),
        tokens=tokens,
        token_form=ApiTokenForm(),
    )


@bp.route("/profil/akun", methods=["GET", "POST"])
@login_required
def edit_account():
    """Change name, phone and interface language."""
    user = _me()
    form = AccountForm(obj=user, phone_required=user.has_role(Role.SELLER))
    if form.validate_on_submit():
        try:
            services.update_account(
                user=user, full_name=form.full_name.data, phone=form.phone.data, locale=form.locale.data
            )
        except ValidationFailed as error:
            apply_field_errors(form, error.fields)
        else:
            session["lang"] = user.locale
            flash(_("Your account data is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/edit_account.html", form=form), 422 if form.errors else 200


@bp.route("/profil/usaha", methods=["GET", "POST"])
@roles_required(Role.SELLER)
def edit_business():
    """Change the seller's UMKM business data."""
    user = _me()
    form = BusinessProfileForm(obj=user.seller_profile)
    if form.validate_on_submit():
        try:
            services.update_business_profile(user=user, profile=form.profile_data())
        except ValidationFailed as error:
            apply_field_errors(form, error.fields)
        else:
            flash(_("Your business profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/edit_business.html", form=form), 422 if form.errors else 200


@bp.route("/profil/sandi", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password, confirming the current one."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                user=_me(), current_password=form.current_password.data, new_password=form.new_password.data
            )
        except ValidationFailed as error:
            apply_field_errors(form, error.fields)
        else:
            start_session(_me())  # other sessions end with the old password; this one goes on
            flash(_("Your password was changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form), 422 if form.errors else 200


@bp.post("/profil/token")
@login_required
def create_api_token():
    """Create a personal API token and show it once."""
    user = _me()
    if not can_manage_api_tokens(user):
        abort(403)
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            token, raw = services.create_api_token(user=user, name=form.name.data)
        except ValidationFailed as error:
            apply_field_errors(form, error.fields)
        else:
            page = render_template("accounts/api_token_created.html", token=token, raw_token=raw)
            return no_store(current_app.make_response(page))
    for message in (m for messages in form.errors.values() for m in messages):
        flash(_("The token was not created: %(reason)s", reason=message), "error")
    return redirect(url_for("accounts.profile", _anchor="api-tokens"))


@bp.post("/profil/token/<int:token_id>/cabut")
@login_required
def revoke_api_token(token_id: int):
    """Revoke one of the user's own API tokens."""
    try:
        token = services.revoke_api_token(user=_me(), token_id=token_id)
    except NotFound:
        abort(404)
    flash(_("The token “%(name)s” was revoked.", name=token.name), "success")
    return redirect(url_for("accounts.profile", _anchor="api-tokens"))
