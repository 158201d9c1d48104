"""The members' ledger pages: the manager's list of member balances (debts first), a member's history with the payout
form, the cooperative's fee, CSV downloads; a seller's own balance, history and CSV."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from marketplace.accounts.models import Role
from marketplace.cooperatives.forms import show_field_errors
from marketplace.cooperatives.models import Cooperative
from marketplace.core.errors import ValidationFailed
from marketplace.core.fields import FieldErrors, read_integer, read_percent_x100
from marketplace.core.forms import BaseForm
from marketplace.core.pagination import paginate, requested_page
from marketplace.core.permissions import roles_required
from marketplace.core.templating import rupiah
from marketplace.core.timeutil import today_wib
from marketplace.extensions import db
from marketplace.feeds.writers.values import format_scaled
from marketplace.payments.services import ledger, ledger_queries
from marketplace.payments.services.form_keys import form_key_field, new_form_key
from marketplace.payments.views import bp

INVALID = 422
#: Largest payout the form accepts (the balance limits it anyway).
PAYOUT_MAX = 10**13
NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


class PayoutForm(BaseForm):
    """A transfer the cooperative made to a member."""

    #: Made when the form is shown: submitting the same form twice records the payout once.
    key = form_key_field()
    amount = StringField(_l("Amount (Rp)"), render_kw=NUMERIC, description=_l("Whole rupiah, at most the balance."))
    bank_reference = StringField(
        _l("Bank transfer reference"), validators=[InputRequired(), Length(max=ledger.BANK_REFERENCE_MAX)]
    )
    paid_on = DateField(_l("Transfer date"), validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])


class FeeForm(BaseForm):
    """The cooperative's fee on its members' earnings."""

    fee_percent = StringField(
        _l("Fee (%)"),
        validators=[DataRequired(message=_l("Enter the fee; 0 for none."))],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        description=_l("0 to 100, at most two decimals, e.g. 2.5. Applies to orders paid from now on."),
    )


def fee_percent_text(fee_bps: int) -> str:
    """A fee in hundredths of a percent as the percentage people write (250 → "2.5")."""
    return format_scaled(fee_bps, 100)


@bp.app_context_processor
def ledger_helpers() -> dict:
    """Entry labels and the fee as a percentage, for the ledger templates (and the cooperative settings page)."""
    return {"ledger_entry_label": ledger_queries.entry_label, "fee_percent_text": fee_percent_text}


# The manager -----------------------------------------------------------------------------------------------------


def _own_cooperative() -> Cooperative:
    cooperative = db.session.get(Cooperative, current_user.cooperative_id) if current_user.cooperative_id else None
    if cooperative is None:
        abort(404)
    return cooperative


@bp.get("/koperasi/saldo-anggota")
@roles_required(Role.COOP_MANAGER)
def balances():
    """The members' balances (debts first and highlighted), what the cooperative owes them, the fee."""
    cooperative = _own_cooperative()
    debts_only = request.args.get("utang") == "1"
    page, per_page = requested_page()
    result = paginate(
        ledger_queries.balances_query(cooperative.id, debts_only=debts_only), page, per_page, scalars=False
    )
    owed, debts = ledger_queries.cooperative_totals(cooperative.id)
    return render_template(
        "payments/ledger_balances.html",
        cooperative=cooperative,
        page=result,
        rows=[ledger_queries.member_balance_from_row(row) for row in result.items],
        debts_only=debts_only,
        owed=owed,
        debts=debts,
    )


@bp.get("/koperasi/saldo-anggota.csv")
@roles_required(Role.COOP_MANAGER)
def balances_csv():
    """Every ledger entry of the cooperative's members, with each member's running balance."""
    cooperative = _own_cooperative()
    return _csv(ledger_queries.ledger_csv(cooperative.id), f"saldo-anggota-{cooperative.code}")


@bp.get("/koperasi/saldo-anggota/<int:member_id>")
@roles_required(Role.COOP_MANAGER)
def member_ledger(member_id: int):
    """One member's totals and history, and the payout form."""
    form = PayoutForm(formdata=None, paid_on=_today(), key=new_form_key())
    return _member_page(_own_cooperative(), member_id, form)


@bp.post("/koperasi/saldo-anggota/<int:member_id>/pembayaran")
@roles_required(Role.COOP_MANAGER)
def record_payout(member_id: int):
    """Record a transfer to the member (at most their balance)."""
    cooperative = _own_cooperative()
    form = PayoutForm()
    if not form.validate_on_submit():
        return _member_page(cooperative, member_id, form, INVALID)
    errors = FieldErrors()
    amount = read_integer({"amount": form.amount.data}, "amount", errors, minimum=1, maximum=PAYOUT_MAX, required=True)
    if errors:
        form.amount.errors = [*form.amount.errors, errors["amount"]]
        return _member_page(cooperative, member_id, form, INVALID)
    try:
        payout = ledger.record_payout(
            actor=current_user,
            cooperative_id=cooperative.id,
            member_id=member_id,
            amount=amount,
            bank_reference=form.bank_reference.data,
            paid_on=form.paid_on.data,
            note=form.note.data,
            key=form.key.data,
        )
    except ValidationFailed as error:
        show_field_errors(form, error)
        return _member_page(cooperative, member_id, form, INVALID)
    flash(_("The payout of %(amount)s was recorded.", amount=rupiah(payout.amount)), "success")
    return redirect(url_for("payments.member_ledger", member_id=member_id))


@bp.get("/koperasi/saldo-anggota/<int:member_id>.csv")
@roles_required(Role.COOP_MANAGER)
def member_ledger_csv(member_id: int):
    """One member's ledger as CSV."""
    cooperative = _own_cooperative()
    if ledger_queries.member_balance(cooperative.id, member_id) is None:
        abort(404)
    return _csv(ledger_queries.ledger_csv(cooperative.id, member_id), f"saldo-{cooperative.code}-{member_id}")


def _member_page(cooperative: Cooperative, member_id: int, form: PayoutForm | None, status: int = 200):
    if form is not None and form.key.errors:
        form.key.data = new_form_key()  # an old or broken form: the one shown again may be sent
    totals = ledger_queries.member_balance(cooperative.id, member_id)
    if totals is None:
        abort(404)
    page, per_page = requested_page()
    history = paginate(ledger_queries.history_query(cooperative.id, member_id), page, per_page, scalars=False)
    body = render_template(
        "payments/ledger_member.html",
        cooperative=cooperative,
        totals=totals,
        page=history,
        form=form,
        own=False,
        endpoint="payments.member_ledger",
        csv_url=url_for("payments.member_ledger_csv", member_id=member_id),
    )
    return body, status


@bp.route("/koperasi/biaya", methods=["GET", "POST"])
@roles_required(Role.COOP_MANAGER)
def fee():
    """The cooperative's fee on its members' earnings."""
    cooperative = _own_cooperative()
    form = FeeForm(fee_percent=fee_percent_text(cooperative.fee_bps))
    if request.method == "POST" and form.validate_on_submit():
        errors = FieldErrors()
        fee_bps = read_percent_x100({"fee_percent": form.fee_percent.data}, "fee_percent", errors, maximum=100)
        try:
            if errors:
                raise ValidationFailed(errors["fee_percent"], {"fee_bps": errors["fee_percent"]})
            ledger.set_fee(actor=current_user, cooperative=cooperative, fee_bps=fee_bps)
        except ValidationFailed as error:
            show_field_errors(form, error, renamed={"fee_bps": "fee_percent"})
        else:
            flash(_("The fee is now %(fee)s %%.", fee=fee_percent_text(fee_bps)), "success")
            return redirect(url_for("payments.fee"))
    status = INVALID if request.method == "POST" else 200
    return render_template("payments/ledger_fee.html", cooperative=cooperative, form=form), status


# The seller ------------------------------------------------------------------------------------------------------


def _own_membership_cooperative_id() -> int:
    membership = current_user.membership
    if membership is None:
        abort(404)
    return membership.cooperative_id


@bp.get("/saya/penghasilan")
@roles_required(Role.SELLER)
def my_earnings():
    """The seller's own balance in their cooperative and its history."""
    cooperative = db.session.get(Cooperative, _own_membership_cooperative_id())
    totals = ledger_queries.member_balance(cooperative.id, current_user.id)
    if totals is None:  # a pending or rejected applicant without entries
        totals = ledger_queries.MemberBalance(current_user, 0, 0, 0, 0, 0)
    page, per_page = requested_page()
    history = paginate(ledger_queries.history_query(cooperative.id, current_user.id), page, per_page, scalars=False)
    return render_template(
        "payments/ledger_member.html",
        cooperative=cooperative,
        totals=totals,
        page=history,
        form=None,
        own=True,
        endpoint="payments.my_earnings",
        csv_url=url_for("payments.my_earnings_csv"),
    )


@bp.get("/saya/penghasilan.csv")
@roles_required(Role.SELLER)
def my_earnings_csv():
    """The seller's own ledger as CSV."""
    cooperative_id = _own_membership_cooperative_id()
    return _csv(ledger_queries.ledger_csv(cooperative_id, current_user.id), "penghasilan")


# Helpers ---------------------------------------------------------------------------------------------------------


def _csv(text: str, name: str) -> Response:
    response = Response(text, mimetype="text/csv; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", filename=f"{name}-{_today():%Y%m%d}.csv")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _today():
    return today_wib()
