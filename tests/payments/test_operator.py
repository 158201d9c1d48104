"""The operator's payment pages: every payment with filters and pagination, a payment's detail, the webhook events
that matched nothing or failed, and the reconciliation page (payments are made directly here: the pages read)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from marketplace.core.audit import record_event
from marketplace.core.templating import rupiah
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.payments.models import Payment, Refund, StripeEvent
from marketplace.payments.states import EventOutcome, PaymentMethod, PaymentStatus
from marketplace.procurement.states import OrderStatus
from tests.payments.conftest import make_payment
from tests.procurement.conftest import Market, make_order

LIST = "/operator/pembayaran"


def payment_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-payment-id="(\d+)"', page)]


@pytest.fixture
def payments(market: Market) -> dict[str, Payment]:
    """A transfer paid, a card payment failed (both of `coop`), and a card payment of `other_coop` processing."""
    own, other = make_order(market, OrderStatus.COMPLETED), make_order(market, items=[(market.batik, 2)])
    return {
        "transfer": make_payment(
            own, bank_reference="SP2D-00042", created_at=datetime(2026, 11, 27, 17, 30, tzinfo=UTC)
        ),
        "failed": make_payment(
            own,
            method=PaymentMethod.CARD,
            status=PaymentStatus.FAILED,
            created_at=datetime(2026, 11, 27, 16, 30, tzinfo=UTC),
        ),
        "other": make_payment(
            other,
            method=PaymentMethod.CARD,
            status=PaymentStatus.PROCESSING,
            created_at=datetime(2026, 11, 29, 3, 0, tzinfo=UTC),
            stripe_payment_intent_id="pi_other",
            processing_since=utcnow() - timedelta(hours=2),
        ),
    }


def test_the_operator_sees_every_payment_newest_first_with_rupiah_and_order_links(client, market, payments) -> None:
    client.login(market.operator)

    response = client.get(LIST)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert payment_ids(page) == [payments["other"].id, payments["transfer"].id, payments["failed"].id]
    order = payments["transfer"].order
    assert f'href="/pesanan/{order.id}"' in page and order.number in page
    assert rupiah(order.total) in page and market.other_coop.name in page
    assert "3 payments" in page or "3 pembayaran" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "failed"}, ["failed"]),
        ({"method": "card"}, ["other", "failed"]),
        ({"method": "transfer"}, ["transfer"]),
        # 2026-11-27 17:30 UTC is 28 November 00:30 WIB; 16:30 UTC is still 27 November 23:30 WIB.
        ({"date_from": "2026-11-28"}, ["other", "transfer"]),
        ({"date_to": "2026-11-27"}, ["failed"]),
        ({"date_from": "2026-11-28", "date_to": "2026-11-28"}, ["transfer"]),
        ({"status": "bogus"}, ["other", "transfer", "failed"]),
    ],
)
def test_filters_by_status_method_and_wib_days(client, market, payments, query, expected) -> None:
    client.login(market.operator)

    page = client.get(LIST, query_string=query).get_data(as_text=True)

    assert payment_ids(page) == [payments[name].id for name in expected]


def test_filters_by_cooperative_and_order_number(client, market, payments) -> None:
    client.login(market.operator)
    other = payments["other"]

    by_cooperative = client.get(LIST, query_string={"cooperative_id": market.other_coop.id}).get_data(as_text=True)
    by_number = client.get(LIST, query_string={"number": other.order.number.lower()}).get_data(as_text=True)

    assert payment_ids(by_cooperative) == [other.id]
    assert payment_ids(by_number) == [other.id]
    assert f'<option selected value="{market.other_coop.id}">' in by_cooperative


def test_the_list_is_paginated_keeping_the_filters(client, market, payments) -> None:
    client.login(market.operator)

    first = client.get(LIST, query_string={"method": "card", "per_page": 1}).get_data(as_text=True)
    second = client.get(LIST, query_string={"method": "card", "per_page": 1, "page": 2}).get_data(as_text=True)

    assert payment_ids(first) == [payments["other"].id]
    assert payment_ids(second) == [payments["failed"].id]
    assert re.search(r'href="/operator/pembayaran\?[^"]*method=card[^"]*page=2', first)


@pytest.mark.parametrize("url", [LIST, "/operator/webhook", "/operator/rekonsiliasi"])
def test_only_operators_open_the_pages(client, market, url) -> None:
    client.login(market.manager)

    assert client.get(url).status_code == 403


def test_the_detail_shows_the_order_refunds_stripe_events_and_audit_trail(client, market, payments) -> None:
    payment = payments["transfer"]
    db.session.add(
        Refund(payment=payment, amount=100_000, reason="Barang rusak <b>sebagian</b>", status="succeeded",
               bank_reference="RF-7", created_by_id=market.manager.id)
    )  # fmt: skip
    db.session.add(
        StripeEvent(id="evt_detail", type="payment_intent.succeeded", outcome=EventOutcome.APPLIED,
                    payment_id=payment.id, object_id="pi_x", payload={"id": "evt_detail", "note": "<i>x</i>"})
    )  # fmt: skip
    record_event("payment.succeed", subject_type="payment", subject_id=payment.id, actor_id=market.manager.id,
                 before={"status": "pending"}, after={"status": "succeeded"})  # fmt: skip
    for about in (payment, payments["failed"]):
        after = {"payment_id": about.id, "bank_reference": f"REF-{about.id}"}
        record_event("order.transfer_recorded", subject_type="order", subject_id=about.order_id,
                     actor_id=market.bendahara.id, after=after)  # fmt: skip
    db.session.flush()
    client.login(market.operator)

    response = client.get(f"/operator/pembayaran/{payment.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/pesanan/{payment.order_id}"' in page
    assert rupiah(payment.amount) in page and "SP2D-00042" in page
    assert 'data-refund-id="' in page and "Rp100.000" in page and "RF-7" in page
    assert "Barang rusak &lt;b&gt;sebagian&lt;/b&gt;" in page and "<b>sebagian" not in page
    assert 'data-event-id="evt_detail"' in page and "&lt;i&gt;x&lt;/i&gt;" in page
    audit = page.split('id="audit"')[1]
    assert 'data-action="payment.succeed"' in audit and market.manager.full_name in audit
    assert f"REF-{payment.id}" in audit and f"REF-{payments['failed'].id}" not in audit


def test_an_unknown_payment_is_404(client, market) -> None:
    client.login(market.operator)

    assert client.get("/operator/pembayaran/999999").status_code == 404


@pytest.fixture
def events(payments) -> dict[str, StripeEvent]:
    """One webhook event of each outcome."""
    made = {
        outcome: StripeEvent(
            id=f"evt_{outcome}",
            type="payment_intent.succeeded",
            outcome=outcome,
            payment_id=payments["other"].id if outcome != EventOutcome.UNMATCHED else None,
            object_id="pi_unknown" if outcome == EventOutcome.UNMATCHED else "pi_other",
            detail="no payment has this PaymentIntent" if outcome == EventOutcome.UNMATCHED else None,
            payload={"id": f"evt_{outcome}", "data": {"object": {"id": "pi_x", "description": "<script>x()</script>"}}},
        )
        for outcome in EventOutcome
    }
    db.session.add_all(made.values())
    db.session.flush()
    return made


def test_the_webhook_page_lists_unmatched_and_failed_events_with_their_payload_escaped(client, market, events) -> None:
    client.login(market.operator)

    page = client.get("/operator/webhook").get_data(as_text=True)

    listed = re.findall(r'<tr data-event-id="([^"]+)"', page)
    assert sorted(listed) == ["evt_failed", "evt_unmatched"]
    assert "no payment has this PaymentIntent" in page
    assert "<script>x()" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page
    assert '\n  "data": {\n    "object": {' in html.unescape(page)  # indented JSON


@pytest.mark.parametrize("outcome", ["unmatched", "failed"])
def test_the_webhook_page_filters_by_outcome(client, market, events, outcome) -> None:
    client.login(market.operator)

    page = client.get("/operator/webhook", query_string={"outcome": outcome}).get_data(as_text=True)

    assert re.findall(r'<tr data-event-id="([^"]+)"', page) == [f"evt_{outcome}"]


def test_the_reconciliation_page_lists_card_payments_processing_for_over_an_hour(client, market, payments) -> None:
    recent = make_payment(
        payments["failed"].order,
        method=PaymentMethod.CARD,
        status=PaymentStatus.PROCESSING,
        processing_since=utcnow() - timedelta(minutes=50),
        stripe_payment_intent_id="pi_recent",
    )
    record_event("payment.reconciled", subject_type="order", subject_id=recent.order_id, actor_id=None,
                 before={"payment_id": recent.id, "status": "processing"},
                 after={"payment_id": recent.id, "status": "succeeded", "intent_status": "succeeded"})  # fmt: skip
    db.session.flush()
    client.login(market.operator)

    page = client.get("/operator/rekonsiliasi").get_data(as_text=True)

    stale = page.split('id="stale"')[1].split('id="changes"')[0]
    assert payment_ids(stale) == [payments["other"].id]
    assert "pi_other" in stale
    changes = page.split('id="changes"')[1]
    assert 'data-action="payment.reconciled"' in changes and f'href="/operator/pembayaran/{recent.id}"' in changes


def test_without_card_payment_there_is_nothing_to_reconcile(app, client, market, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", None)
    client.login(market.operator)

    page = client.get("/operator/rekonsiliasi").get_data(as_text=True)
    response = client.post_form("/operator/rekonsiliasi", follow_redirects=True)

    assert "Reconcile now" not in page and "Rekonsiliasi sekarang" not in page
    assert response.status_code == 200
    assert 'class="flash flash-error"' in response.get_data(as_text=True)


def test_running_the_reconciliation_needs_the_csrf_token(client, market) -> None:
    client.login(market.operator)

    response = client.post("/operator/rekonsiliasi")

    assert response.status_code == 400
