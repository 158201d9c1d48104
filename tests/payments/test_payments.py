"""Card payments against a real localstripe: the full journey through a real signed webhook, the KKP limit, a
declined card, and double clicks (one payment, one PaymentIntent)."""

from __future__ import annotations

import threading

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from marketplace.core.errors import Conflict, ValidationFailed
from marketplace.extensions import db
from marketplace.payments.models import LedgerEntry, Payment
from marketplace.payments.services import payments
from marketplace.payments.states import LedgerKind, PaymentMethod, PaymentStatus
from marketplace.procurement.models import Order
from marketplace.procurement.services import documents
from marketplace.procurement.states import DocumentKind, OrderStatus
from tests.payments.conftest import make_payment
from tests.procurement.conftest import build_market, make_order
from tests.support.localstripe import (  # noqa: F401  fixtures
    DECLINED_CARD,
    card_token,
    localstripe_fixture,
    stripe_enabled_fixture,
    stripe_webhooks_fixture,
    wait_for,
)


def intent_ids(emulator) -> set[str]:
    """The ids of every PaymentIntent the emulator holds (it lives for the whole session)."""
    return {intent.id for intent in emulator.client().v1.payment_intents.list({"limit": 100}).auto_paging_iter()}


@pytest.fixture
def committed_invoice(committed_db):
    """A market and an invoiced order, committed (the live server's webhook handler must see them)."""
    market = build_market()
    order = make_order(market, OrderStatus.WAITING_PAYMENT)
    documents.issue_invoice(order, market.manager)
    db.session.commit()
    return market, order


def test_card_journey_from_invoice_to_completed_through_a_signed_webhook(
    committed_invoice, stripe_enabled, stripe_webhooks
):
    market, order = committed_invoice
    assert payments.gateway.card_payments_enabled()
    before = intent_ids(stripe_enabled)

    payment = payments.start_card_payment(actor=market.bendahara, order=order, token=card_token(stripe_enabled))

    assert payment.method == PaymentMethod.CARD
    assert payment.stripe_payment_intent_id.startswith("pi_")
    assert payment.idempotency_key == f"payment-{payment.id}"
    # Stripe has charged the card, but only the webhook pays the order.
    assert payment.status == PaymentStatus.PROCESSING

    def completed() -> bool:
        db.session.expire_all()
        done = db.session.get(Order, order.id).status == OrderStatus.COMPLETED
        db.session.rollback()  # end the read, so that the webhook's writer is not kept waiting (SQLite)
        return done

    assert wait_for(completed, timeout=20), "the payment_intent.succeeded webhook did not pay the order"
    payment = db.session.get(Payment, payment.id)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.succeeded_at is not None
    kuitansi = documents.document_of(order, DocumentKind.KUITANSI)
    assert kuitansi is not None and payment.stripe_payment_intent_id in kuitansi.html
    earned = db.session.scalars(select(LedgerEntry.amount).where(LedgerEntry.kind == LedgerKind.EARNED)).all()
    assert sum(earned) == order.total
    assert intent_ids(stripe_enabled) - before == {payment.stripe_payment_intent_id}


def test_card_payment_above_the_kkp_limit_is_refused_naming_it(
    app, stripe_enabled, market, invoiced_order, monkeypatch
):
    monkeypatch.setitem(app.config, "KKP_LIMIT", invoiced_order.total - 1)
    assert not payments.card_allowed(invoiced_order)

    with pytest.raises(ValidationFailed) as refused:
        payments.start_card_payment(actor=market.bendahara, order=invoiced_order, token=card_token(stripe_enabled))

    limit = f"Rp{invoiced_order.total - 1:,}".replace(",", ".")
    assert limit in refused.value.message and "transfer" in refused.value.message
    assert refused.value.fields == {"amount": refused.value.message}
    assert payments.payments_of(invoiced_order) == []


def test_the_default_kkp_limit_is_200_million(app, invoiced_order):
    assert payments.kkp_limit() == 200_000_000


def test_declined_card_keeps_the_invoice_payable_with_an_indonesian_message(
    stripe_enabled, market, invoiced_order, mailbox
):
    token = card_token(stripe_enabled, DECLINED_CARD)

    payment = payments.start_card_payment(actor=market.bendahara, order=invoiced_order, token=token)

    assert payment.status == PaymentStatus.FAILED
    assert payment.failure_code == "card_declined"
    assert payment.failure_message == "Your card was declined."
    assert invoiced_order.status == OrderStatus.WAITING_PAYMENT
    assert payments.may_pay(market.bendahara, invoiced_order)
    with force_locale("id"):
        assert payments.failure_text(payment) == "Kartu ditolak. Gunakan kartu lain atau bayar dengan transfer bank."
    status = payments.payment_status(payment)
    assert status["failed"] and not status["paid"]
    assert [m["To"] for m in mailbox.messages if "failed" in m["Subject"] or "gagal" in m["Subject"]] == [
        market.bendahara.email
    ]
    # A new attempt with a good card is a new payment.
    again = payments.start_card_payment(actor=market.bendahara, order=invoiced_order, token=card_token(stripe_enabled))
    assert again.id != payment.id and again.status == PaymentStatus.PROCESSING


def test_an_unknown_decline_code_shows_stripes_own_words(market, invoiced_order):
    payment = make_payment(invoiced_order, method=PaymentMethod.CARD, status=PaymentStatus.PENDING)
    _order, payment = payments.lock_payment(payment)
    payments.mark_failed(payment, "do_not_honor_xyz", "Something Stripe said.")
    assert payments.failure_text(payment) == "Something Stripe said."
    payments.mark_failed(payment, "card_declined", "later")  # already failed: nothing changes
    assert payment.failure_code == "do_not_honor_xyz"


def test_a_double_click_reuses_the_payment_and_its_intent(stripe_enabled, market, invoiced_order):
    before = intent_ids(stripe_enabled)
    first = payments.start_card_payment(actor=market.bendahara, order=invoiced_order, token=card_token(stripe_enabled))
    second = payments.start_card_payment(actor=market.bendahara, order=invoiced_order, token=card_token(stripe_enabled))

    assert second.id == first.id
    assert second.stripe_payment_intent_id == first.stripe_payment_intent_id
    assert len(payments.payments_of(invoiced_order)) == 1
    assert intent_ids(stripe_enabled) - before == {first.stripe_payment_intent_id}


def test_a_recorded_transfer_blocks_card_payment(stripe_enabled, market, invoiced_order):
    from tests.payments.test_transfers import record

    record(market, invoiced_order)
    with pytest.raises(Conflict):
        payments.start_card_payment(actor=market.bendahara, order=invoiced_order, token=card_token(stripe_enabled))


def test_two_concurrent_clicks_make_one_payment_and_one_intent(app, committed_db, committed_invoice, stripe_enabled):
    if committed_db.engine.dialect.name != "postgresql":
        pytest.skip("row locks (FOR UPDATE) need PostgreSQL; SQLite serialises writers instead")
    market, order = committed_invoice
    before = intent_ids(stripe_enabled)
    user_id, order_id = market.bendahara.id, order.id
    user_class = type(market.bendahara)
    tokens = [card_token(stripe_enabled), card_token(stripe_enabled)]
    results: list = []
    start = threading.Barrier(2)

    def click(token: str) -> None:
        with app.app_context():
            try:
                actor = db.session.get(user_class, user_id)
                start.wait(timeout=30)
                found = payments.start_card_payment(actor=actor, order=db.session.get(Order, order_id), token=token)
                results.append((found.id, found.stripe_payment_intent_id))
            except Exception as error:
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=click, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == 2 and results[0] == results[1], results
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1
    assert intent_ids(stripe_enabled) - before == {results[0][1]}


def test_a_card_error_keeps_stripes_specific_decline_code():
    assert payments.card_failure({"code": "card_declined", "decline_code": "insufficient_funds", "message": "No"}) == (
        "insufficient_funds",
        "No",
    )
    assert payments.card_failure({"code": "expired_card"}) == ("expired_card", "")
    assert payments.card_failure({}) == ("card_declined", "")
