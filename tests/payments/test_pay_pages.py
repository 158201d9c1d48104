"""The payment pages: the bendahara's invoice page (card hidden without keys, test-mode notice with the emulator,
KKP limit), recording a transfer through the form, the manager's confirm and refund buttons on the order page, the
proof download, and the JSON endpoints of the card flow."""

from __future__ import annotations

import io

import pytest

from marketplace.core.timeutil import today_wib
from marketplace.extensions import db
from marketplace.payments.services import payments
from marketplace.payments.states import PaymentStatus
from marketplace.procurement.states import OrderStatus
from tests.payments.test_transfers import PDF, record
from tests.support.localstripe import (  # noqa: F401  fixtures
    PUBLISHABLE_KEY,
    card_token,
    localstripe_fixture,
    stripe_enabled_fixture,
)


def pay_url(order) -> str:
    return f"/pesanan/{order.id}/bayar"


@pytest.fixture
def no_stripe(app, monkeypatch):
    for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"):
        monkeypatch.setitem(app.config, name, None)


def test_without_keys_card_payment_is_hidden_and_transfer_remains(client, no_stripe, market, invoiced_order):
    client.login(market.bendahara)
    page = client.get(pay_url(invoiced_order)).get_data(as_text=True)
    assert 'id="card-unavailable"' in page
    assert "data-card-payment" not in page and "js.stripe.com" not in page
    assert 'id="transfer-form"' in page and 'enctype="multipart/form-data"' in page
    answer = client.post(
        f"{pay_url(invoiced_order)}/kartu", json={"token": "tok_x"}, headers={"X-CSRFToken": client.csrf_token()}
    )
    assert answer.status_code == 409


def test_with_the_emulator_the_page_says_test_mode(client, stripe_enabled, market, invoiced_order):
    client.login(market.bendahara)
    page = client.get(pay_url(invoiced_order)).get_data(as_text=True)
    assert 'id="test-mode"' in page and "4242 4242 4242 4242" in page
    assert f'data-publishable-key="{PUBLISHABLE_KEY}"' in page
    assert f'src="{stripe_enabled.url}/js.stripe.com/v3/"' in page
    assert "/static/payments.js" in page


def test_above_the_kkp_limit_the_page_offers_transfer(app, client, stripe_enabled, market, invoiced_order, monkeypatch):
    monkeypatch.setitem(app.config, "KKP_LIMIT", 500_000)
    client.login(market.bendahara)
    page = client.get(pay_url(invoiced_order)).get_data(as_text=True)
    assert 'id="kkp-limit"' in page and "Rp500.000" in page
    assert "data-card-payment" not in page and 'id="transfer-form"' in page
    answer = client.post(
        f"{pay_url(invoiced_order)}/kartu",
        json={"token": card_token(stripe_enabled)},
        headers={"X-CSRFToken": client.csrf_token()},
    )
    assert answer.status_code == 422
    assert "Rp500.000" in answer.json["error"]["message"]


@pytest.mark.parametrize("who", ["ppk", "manager", "pp", "other_ppk"])
def test_only_the_bendahara_opens_the_pay_page(client, market, invoiced_order, who):
    client.login(getattr(market, who))
    assert client.get(pay_url(invoiced_order)).status_code in {403, 404}


def test_card_json_endpoint_and_polling(client, stripe_enabled, market, invoiced_order):
    client.login(market.bendahara)
    answer = client.post(
        f"{pay_url(invoiced_order)}/kartu",
        json={"token": card_token(stripe_enabled)},
        headers={"X-CSRFToken": client.csrf_token()},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.json
    assert body["status"] == PaymentStatus.PROCESSING and not body["paid"] and body["client_secret"] is None
    polled = client.get(body["status_url"]).json
    assert polled == {**polled, "payment_id": body["payment_id"], "order_status": OrderStatus.WAITING_PAYMENT}
    client.login(market.other_ppk)
    assert client.get(body["status_url"]).status_code == 404


def test_transfer_through_the_form_then_confirmed_by_the_manager(client, market, invoiced_order):
    db.session.commit()  # a refused form rolls back to here (the test's transaction is still rolled back after)
    client.login(market.bendahara)
    form = {
        "transfer_date": today_wib().isoformat(),
        "amount": str(invoiced_order.total),
        "bank_reference": "SP2D-0007/2026",
    }
    refused = client.post_form(pay_url(invoiced_order), {**form, "proof": (io.BytesIO(b"GIF89a...."), "b.pdf")})
    assert refused.status_code == 422
    assert 'id="proof-error"' in refused.get_data(as_text=True)

    sent = client.post_form(pay_url(invoiced_order), {**form, "proof": (io.BytesIO(PDF), "bukti sp2d.pdf")})
    assert sent.status_code == 303, (sent.status_code, sent.location)
    order_page = client.get(f"/pesanan/{invoiced_order.id}").get_data(as_text=True)
    assert 'data-payment-status="pending"' in order_page and "SP2D-0007/2026" in order_page
    assert "confirm-transfer" not in order_page  # the bendahara does not confirm

    payment = payments.payments_of(invoiced_order)[0]
    client.login(market.ppk)
    proof = client.get(f"/pembayaran/{payment.id}/bukti")
    assert proof.status_code == 200 and proof.mimetype == "application/pdf" and proof.data == PDF
    assert proof.headers["X-Content-Type-Options"] == "nosniff"
    proof.close()
    client.login(market.seller_a)
    assert client.get(f"/pembayaran/{payment.id}/bukti").status_code == 403
    assert client.post_form(f"/pembayaran/{payment.id}/konfirmasi").status_code == 403

    client.login(market.manager)
    page = client.get(f"/pesanan/{invoiced_order.id}").get_data(as_text=True)
    assert f'id="confirm-transfer-{payment.id}"' in page
    assert client.post_form(f"/pembayaran/{payment.id}/konfirmasi").status_code == 303
    db.session.refresh(invoiced_order)
    assert invoiced_order.status == OrderStatus.COMPLETED
    page = client.get(f"/pesanan/{invoiced_order.id}").get_data(as_text=True)
    assert 'data-document="kuitansi"' in page and 'data-payment-status="succeeded"' in page
    assert client.get(f"/pesanan/{invoiced_order.id}/dokumen/kuitansi.pdf").mimetype == "application/pdf"


def test_refunds_show_on_the_order_page(client, market, invoiced_order):
    payment = record(market, invoiced_order)
    payments.confirm_transfer(actor=market.manager, payment=payment)  # commits
    client.login(market.manager)
    url = f"/pembayaran/{payment.id}/refund"

    refused = client.post_form(url, {"amount": "1", "reason": "pendek", "key": "form-1"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert f'id="refund-{payment.id}"' in text and "has-error" in text

    done = client.post_form(
        url,
        {
            "amount": "50000",
            "reason": "Sebagian barang dikembalikan oleh dinas.",
            "bank_reference": "TRF-RET-1",
            "proof": (io.BytesIO(PDF), "retur.pdf"),
            "key": "form-2",
        },
    )
    assert done.status_code == 303
    client.login(market.bendahara)
    page = client.get(f"/pesanan/{invoiced_order.id}").get_data(as_text=True)
    assert 'data-payment-status="partially_refunded"' in page
    assert "Rp50.000" in page and "Sebagian barang dikembalikan" in page and "TRF-RET-1" in page
    assert f"/pembayaran/{payment.id}/refund/" in page  # the refund's proof link
    assert f'action="{url}"' not in page  # the bendahara has no refund form


def test_the_order_page_links_the_bendahara_to_pay(client, market, invoiced_order):
    client.login(market.bendahara)
    page = client.get(f"/pesanan/{invoiced_order.id}").get_data(as_text=True)
    assert f'href="{pay_url(invoiced_order)}"' in page
    client.login(market.ppk)
    assert f'href="{pay_url(invoiced_order)}"' not in client.get(f"/pesanan/{invoiced_order.id}").get_data(as_text=True)
