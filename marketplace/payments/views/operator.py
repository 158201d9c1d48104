"""Operator pages of payments: every payment of every cooperative (filtered, paginated) with its detail, the Stripe
webhook events that matched nothing or failed, and the reconciliation of card payments stuck in processing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import DateField, Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from marketplace.accounts.models import Role
from marketplace.admin.forms import FilterForm, cooperative_choices, optional_int
from marketplace.admin.services import audit_changes
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import NotFound
from marketplace.core.forms import BaseForm
from marketplace.core.pagination import paginate, requested_page
from marketplace.core.permissions import roles_required
from marketplace.extensions import db
from marketplace.payments import gateway
from marketplace.payments.models import Payment, Refund, StripeEvent
from marketplace.payments.services import reconcile as reconciliation
from marketplace.payments.states import (
    METHOD_LABELS,
    PAYMENT_STATUS_LABELS,
    EventOutcome,
)
from marketplace.payments.views import bp
from marketplace.procurement.models import Order
from marketplace.procurement.services.queries import wib_day_start

#: Webhook events the operator must look at.
PROBLEM_OUTCOMES = (EventOutcome.UNMATCHED, EventOutcome.FAILED)
OUTCOME_LABELS = {EventOutcome.UNMATCHED: _l("Unmatched"), EventOutcome.FAILED: _l("Failed")}


class PaymentFilterForm(FilterForm):
    """Status, method, WIB days, the beginning of the order number and the cooperative."""

    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("All statuses"))]
        + [SelectChoice(str(status), label) for status, label in PAYMENT_STATUS_LABELS.items()],
        validators=[Optional()],
    )
    method = SelectField(
        _l("Method"),
        choices=[SelectChoice("", _l("All methods"))]
        + [SelectChoice(str(method), label) for method, label in METHOD_LABELS.items()],
        validators=[Optional()],
    )
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until"), validators=[Optional()])
    number = StringField(
        _l("Order number"), validators=[Optional(), Length(max=30)], description=_l("Beginning, e.g. SP-2026-")
    )
    cooperative_id = SelectField(_l("Cooperative"), coerce=optional_int, validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cooperative_id.choices = [SelectChoice("", _l("All cooperatives")), *cooperative_choices()[1:]]

    def filters(self) -> dict[str, Any]:
        """The valid filters as keyword arguments of `payments_statement` (an invalid filter is ignored)."""
        names = ("status", "method", "date_from", "date_to", "number", "cooperative_id")
        return {name: _valid(self[name]) for name in names}


def _valid(field: Field) -> Any:
    return None if field.errors or field.data in ("", None) else field.data


def payments_statement(
    *,
    status: str | None = None,
    method: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    number: str | None = None,
    cooperative_id: int | None = None,
) -> Select:
    """Payments of every cooperative matching the filters (WIB days, both included), newest first."""
    statement = select(Payment).join(Order, Payment.order_id == Order.id)
    if status:
        statement = statement.where(Payment.status == status)
    if method:
        statement = statement.where(Payment.method == method)
    if date_from is not None:
        statement = statement.where(Payment.created_at >= wib_day_start(date_from))
    if date_to is not None:
        statement = statement.where(Payment.created_at < wib_day_start(date_to + timedelta(days=1)))
    if number and number.strip():
        statement = statement.where(func.upper(Order.number).startswith(number.strip().upper(), autoescape=True))
    if cooperative_id is not None:
        statement = statement.where(Order.cooperative_id == cooperative_id)
    return statement.order_by(Payment.created_at.desc(), Payment.id.desc())


def payment_audit(payment: Payment) -> list[AuditEvent]:
    """The payment's own moves and its order's events about it, oldest first."""
    own = (AuditEvent.subject_type == "payment") & (AuditEvent.subject_id == payment.id)
    of_order = (AuditEvent.subject_type == "order") & (AuditEvent.subject_id == payment.order_id)
    events = db.session.scalars(select(AuditEvent).where(own | of_order).order_by(AuditEvent.created_at, AuditEvent.id))
    return [event for event in events if event.subject_type == "payment" or _payment_id(event) == payment.id]


def _payment_id(event: AuditEvent) -> int | None:
    """The payment an order's event is about (`after.payment_id`), if any."""
    after = event.after if isinstance(event.after, dict) else {}
    value = after.get("payment_id")
    return value if isinstance(value, int) else None


def payment_url(event: AuditEvent) -> str | None:
    """The operator page of the payment an audit event is about, else its order's page."""
    payment_id = event.subject_id if event.subject_type == "payment" else _payment_id(event)
    if payment_id is not None:
        return url_for("payments.operator_payment", payment_id=payment_id)
    if event.subject_type == "order" and event.subject_id is not None:
        return url_for("procurement.order_detail", order_id=event.subject_id)
    return None


def pretty_payload(payload: Any) -> str:
    """An event's payload as indented JSON (the template escapes it)."""
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False, default=str)


@bp.context_processor
def operator_helpers() -> dict:
    """Labels and formatters for the operator templates."""
    return {
        "outcome_labels": OUTCOME_LABELS,
        "pretty_payload": pretty_payload,
    }


@bp.get("/operator/pembayaran")
@roles_required(Role.OPERATOR)
def operator_payments():
    """Every payment, newest first, filtered by status, method, WIB days, order number and cooperative."""
    form = PaymentFilterForm(request.args)
    form.validate()
    statement = payments_statement(**form.filters()).options(
        joinedload(Payment.order).joinedload(Order.cooperative),
        joinedload(Payment.order).joinedload(Order.work_unit),
    )
    page = paginate(statement, *requested_page())
    return render_template("payments/operator_payments.html", form=form, page=page)


@bp.get("/operator/pembayaran/<int:payment_id>")
@roles_required(Role.OPERATOR)
def operator_payment(payment_id: int):
    """One payment: its order, amounts, card or transfer details, Stripe events, refunds and audit trail."""
    payment = db.session.scalars(
        select(Payment)
        .where(Payment.id == payment_id)
        .options(selectinload(Payment.refunds).joinedload(Refund.created_by))
    ).one_or_none()
    if payment is None:
        raise NotFound("payment")
    events = db.session.scalars(
        select(StripeEvent)
        .where(StripeEvent.payment_id == payment.id)
        .order_by(StripeEvent.received_at, StripeEvent.id)
    ).all()  # fmt: skip
    return render_template(
        "payments/operator_payment.html",
        payment=payment,
        events=events,
        audit_events=payment_audit(payment),
        audit_changes=audit_changes,
    )


@bp.get("/operator/webhook")
@roles_required(Role.OPERATOR)
def operator_webhooks():
    """Stripe events that matched no payment or failed to apply, newest first, with their payload."""
    outcome = request.args.get("outcome", "")
    outcomes = [outcome] if outcome in PROBLEM_OUTCOMES else list(PROBLEM_OUTCOMES)
    statement = (
        select(StripeEvent)
        .where(StripeEvent.outcome.in_(outcomes))
        .order_by(StripeEvent.received_at.desc(), StripeEvent.id)
    )
    page = paginate(statement, *requested_page())
    return render_template("payments/operator_webhooks.html", page=page, outcome=outcome)


@bp.get("/operator/rekonsiliasi")
@roles_required(Role.OPERATOR)
def operator_reconcile():
    """Card payments processing for over an hour, the button that reconciles them now and the latest changes."""
    return render_template(
        "payments/operator_reconcile.html",
        stale=reconciliation.stale_payments(),
        stale_hours=int(reconciliation.STALE_AFTER.total_seconds() // 3600),
        changes=reconciliation.recent_changes(),
        audit_changes=audit_changes,
        subject_url=payment_url,
        enabled=gateway.card_payments_enabled(),
        form=BaseForm(formdata=None),
    )


@bp.post("/operator/rekonsiliasi")
@roles_required(Role.OPERATOR)
def operator_run_reconcile():
    """Retrieve the card payments processing for over an hour from Stripe now and apply their real status."""
    if not BaseForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
    elif not gateway.card_payments_enabled():
        flash(_("Card payment is not configured: there is nothing to reconcile."), "error")
    else:
        changed = reconciliation.reconcile()
        flash(_("Reconciliation done: %(num)d payments changed.", num=len(changed)), "success")
        for payment, old, new in changed:
            flash(
                _(
                    "Payment #%(id)s: %(old)s → %(new)s.",
                    id=payment.id,
                    old=PAYMENT_STATUS_LABELS.get(old, old),
                    new=PAYMENT_STATUS_LABELS.get(new, new),
                ),
                "info",
            )
    return redirect(url_for("payments.operator_reconcile"))
