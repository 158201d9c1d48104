"""Refund and payout forms carry an idempotency key: the same form submitted twice (a double click, a retried
request) refunds or pays out once, and the card refund's Stripe idempotency key is derived from it."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.core.errors import Conflict, ValidationFailed
from marketplace.extensions import db
from marketplace.payments.models import Payout, Refund
from marketplace.payments.services import ledger, payments, refunds
from marketplace.payments.services.reconcile import reconcile
from marketplace.payments.states import PaymentStatus, RefundStatus
from tests.payments.test_ledger import A_TOTAL, paid
from tests.payments.test_refunds import REASON, reversed_total
from tests.payments.test_transfers import PDF, record, upload
from tests.payments.test_webhooks import deliver
from tests.support.localstripe import (  # noqa: F401  fixtures
    card_token,
    emulator_event,
    localstripe_fixture,
    stripe_enabled_fixture,
)


@pytest.fixture(name="paid_card")
def paid_card_fixture(client, stripe_enabled, market, invoiced_order):
    """The invoice paid by card (the verified webhook came), committed."""
    payment = payments.start_card_payment(
        actor=market.bendahara, order=invoiced_order, token=card_token(stripe_enabled)
    )
    deliver(client, emulator_event(stripe_enabled, payment.stripe_payment_intent_id, "payment_intent.succeeded"))
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.SUCCEEDED
    return payment


@pytest.fixture
def earned(market):
    """The market order paid without a fee: seller_a earned A_TOTAL."""
    market.coop.fee_bps = 0
    ledger.record_earnings(paid(market))


def refunds_at_stripe(emulator, payment) -> list:
    return emulator.client().v1.refunds.list({"payment_intent": payment.stripe_payment_intent_id}).data


def refund_count(payment) -> int:
    return db.session.scalar(select(func.count()).select_from(Refund).where(Refund.payment_id == payment.id))


def test_the_same_card_refund_form_twice_refunds_once_with_its_key_at_stripe(stripe_enabled, market, paid_card):
    since = stripe_enabled.log_size()
    first = refunds.refund(actor=market.manager, payment=paid_card, amount=100_000, reason=REASON, key="form-a")
    again = refunds.refund(actor=market.manager, payment=paid_card, amount=100_000, reason=REASON, key="form-a")

    assert again.id == first.id and again.status == RefundStatus.SUCCEEDED
    assert refund_count(paid_card) == 1
    assert len(refunds_at_stripe(stripe_enabled, paid_card)) == 1
    db.session.refresh(paid_card)
    assert paid_card.refunded_amount == 100_000 and reversed_total(paid_card) == 100_000
    key = f"refund-{paid_card.id}-form-a"
    assert first.idempotency_key == key
    assert any(f'idempotency-key="{key}"' in line for line in stripe_enabled.requests("POST /v1/refunds", since))

    other = refunds.refund(actor=market.manager, payment=paid_card, amount=100_000, reason=REASON, key="form-b")
    assert other.id != first.id and refund_count(paid_card) == 2


def test_a_card_refund_whose_stripe_call_never_answered_is_asked_again_with_the_same_key(
    stripe_enabled, market, paid_card
):
    # The first request committed the refund, then died before Stripe answered.
    stuck = Refund(
        payment_id=paid_card.id,
        amount=50_000,
        reason=REASON,
        status=RefundStatus.PENDING,
        created_by_id=market.manager.id,
        form_key="form-c",
        idempotency_key=f"refund-{paid_card.id}-form-c",
    )
    db.session.add(stuck)
    db.session.commit()

    again = refunds.refund(actor=market.manager, payment=paid_card, amount=50_000, reason=REASON, key="form-c")

    assert again.id == stuck.id and again.status == RefundStatus.SUCCEEDED
    assert again.stripe_refund_id and len(refunds_at_stripe(stripe_enabled, paid_card)) == 1
    assert refund_count(paid_card) == 1


def test_the_refund_form_posted_twice_refunds_once(client, market, invoiced_order):
    payment = record(market, invoiced_order)
    payments.confirm_transfer(actor=market.manager, payment=payment)
    client.login(market.manager)
    page = client.get(f"/pesanan/{invoiced_order.id}").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    form = {"amount": "50000", "reason": REASON, "bank_reference": "TRF-RET-1", "key": key}

    answers = [
        client.post_form(f"/pembayaran/{payment.id}/refund", {**form, "proof": (io.BytesIO(PDF), "retur.pdf")})
        for _ in range(2)
    ]

    assert [answer.status_code for answer in answers] == [303, 303]
    assert refund_count(payment) == 1
    db.session.refresh(payment)
    assert payment.refunded_amount == 50_000


def test_a_refund_form_without_its_key_is_refused_next_to_the_form(client, market, invoiced_order):
    payment = record(market, invoiced_order)
    payments.confirm_transfer(actor=market.manager, payment=payment)
    client.login(market.manager)
    form = {"amount": "50000", "reason": REASON, "bank_reference": "TRF-RET-1", "proof": (io.BytesIO(PDF), "r.pdf")}

    answer = client.post_form(f"/pembayaran/{payment.id}/refund", form)

    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert "data-key-error" in text
    assert re.search(r'name="key" type="hidden" value="[^"]+"', text)  # a fresh key, to send it again
    assert refund_count(payment) == 0


def test_a_transfer_refund_with_the_same_key_stores_one_proof(market, invoiced_order):
    payment = record(market, invoiced_order)
    payments.confirm_transfer(actor=market.manager, payment=payment)
    values = {"actor": market.manager, "payment": payment, "amount": 10_000, "reason": REASON, "key": "k"}

    first = refunds.refund(**values, bank_reference="TRF-1", proof=upload())
    again = refunds.refund(**values, bank_reference="TRF-1", proof=upload())

    assert again.id == first.id and refund_count(payment) == 1
    with pytest.raises(ValidationFailed) as refused:
        refunds.refund(**{**values, "key": "x" * 49}, bank_reference="TRF-2", proof=upload())
    assert "key" in refused.value.fields


def test_the_same_payout_form_twice_pays_out_once(market, earned):
    values = {
        "actor": market.manager,
        "cooperative_id": market.coop.id,
        "member_id": market.seller_a.id,
        "amount": 100_000,
        "bank_reference": "TRF-9",
        "paid_on": date.today(),
        "key": "payout-form",
    }

    first = ledger.record_payout(**values)
    again = ledger.record_payout(**values)

    assert again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Payout)) == 1
    assert ledger.balance(market.coop.id, market.seller_a.id) == A_TOTAL - 100_000
    with pytest.raises(ValidationFailed) as refused:  # a key of another member's payout
        ledger.record_payout(**{**values, "member_id": market.seller_b.id})
    assert "key" in refused.value.fields


def test_the_payout_form_posted_twice_pays_out_once(client, market, earned):
    client.login(market.manager)
    url = f"/koperasi/saldo-anggota/{market.seller_a.id}"
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)
    form = {"amount": "800.000", "bank_reference": "BRI-7788", "paid_on": date.today().isoformat(), "key": key}

    answers = [client.post_form(f"{url}/pembayaran", form) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [302, 302]
    assert db.session.scalar(select(func.count()).select_from(Payout)) == 1
    assert ledger.balance(market.coop.id, market.seller_a.id) == A_TOTAL - 800_000

    without_key = client.post_form(f"{url}/pembayaran", {**form, "key": ""})
    assert without_key.status_code == 422
    assert 'id="payout-key-error"' in without_key.get_data(as_text=True)


def test_a_card_refund_stripe_did_not_answer_stays_pending_and_the_reconciliation_asks_again(
    app, stripe_enabled, market, paid_card, monkeypatch
):
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")  # the answer never comes
    with pytest.raises(Conflict):
        refunds.refund(actor=market.manager, payment=paid_card, amount=100_000, reason=REASON, key="form-d")
    (waiting,) = db.session.scalars(select(Refund).where(Refund.payment_id == paid_card.id)).all()
    assert (waiting.status, waiting.stripe_refund_id) == (RefundStatus.PENDING, None)  # not "failed": maybe done
    assert refunds.refundable_amount(paid_card) == paid_card.amount - 100_000  # it holds its amount meanwhile

    monkeypatch.setitem(app.config, "STRIPE_API_BASE", stripe_enabled.url)
    reconcile()
    db.session.refresh(waiting)
    assert waiting.status == RefundStatus.SUCCEEDED and waiting.stripe_refund_id
    assert len(refunds_at_stripe(stripe_enabled, paid_card)) == 1
