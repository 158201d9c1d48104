"""Fulfilment services: shipping (partial, per seller), delivery, receipt with the BAST, invoice, payment outside the
system and its confirmation, and every move refused from the wrong state or by the wrong person."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from marketplace.core.timeutil import to_jakarta, today_wib, utcnow
from marketplace.extensions import db
from marketplace.procurement.services import documents, fulfilment
from marketplace.procurement.states import DocumentKind, OrderStatus, Party, ShipmentStatus
from tests.procurement.conftest import make_order


@pytest.fixture
def order(market):
    """An ON_PROCESS order: 10 rice (seller_a) and 5 oil (seller_b)."""
    return make_order(market, OrderStatus.ON_PROCESS)


def lines_of(order):
    rice, oil = order.lines
    return rice, oil


def ship_all(market, order):
    rice, oil = lines_of(order)
    fulfilment.ship(
        actor=market.manager, order=order, lines={rice.id: 10, oil.id: 5}, courier="JNE", tracking_number="T1"
    )
    return order.shipments[-1]


def deliver_all(market, order):
    for shipment in order.shipments:
        if shipment.status == ShipmentStatus.SHIPPING:
            fulfilment.deliver(actor=market.manager, order=order, shipment_id=shipment.id)


def received_order(market, *, note=None, received=None):
    order = make_order(market, OrderStatus.ON_PROCESS)
    ship_all(market, order)
    deliver_all(market, order)
    rice, oil = lines_of(order)
    fulfilment.receive(actor=market.ppk, order=order, received=received or {rice.id: 10, oil.id: 5}, note=note)
    return order


def order_events(order, action):
    """The order's audit events of `action`, oldest first."""
    query = select(AuditEvent).where(
        AuditEvent.subject_type == "order", AuditEvent.subject_id == order.id, AuditEvent.action == action
    )
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


# Shipping -----------------------------------------------------------------------------------------------------------


def test_two_sellers_ship_their_own_lines_partially(market, order):
    rice, oil = lines_of(order)
    assert fulfilment.shippable_lines(market.seller_a, order) == [rice]
    assert fulfilment.shippable_lines(market.seller_b, order) == [oil]
    assert fulfilment.available_actions(market.seller_a, order) == {"ship"}

    fulfilment.ship(actor=market.seller_a, order=order, lines={rice.id: 4}, courier="JNE", tracking_number="JNE-1")
    fulfilment.ship(actor=market.seller_b, order=order, lines={oil.id: 5}, courier="SiCepat", tracking_number="SC-9")
    fulfilment.ship(actor=market.seller_a, order=order, lines={rice.id: 6}, courier="JNE", tracking_number="JNE-2")

    assert (rice.quantity_shipped, oil.quantity_shipped) == (10, 5)
    assert [s.status for s in order.shipments] == [ShipmentStatus.SHIPPING] * 3
    assert all(s.shipped_at is not None for s in order.shipments)
    first = order.shipments[0]
    assert (first.courier, first.tracking_number, first.created_by_id) == ("JNE", "JNE-1", market.seller_a.id)
    assert [(item.order_line_id, item.quantity) for item in first.lines] == [(rice.id, 4)]
    assert fulfilment.shippable_lines(market.seller_a, order) == []
    assert "ship" not in fulfilment.available_actions(market.seller_a, order)
    assert order.waiting_for == "ppk" and order.action_due_at is None
    shipped = order_events(order, "order.shipped")
    assert [event.after["lines"] for event in shipped] == [
        [{"line_id": rice.id, "quantity": 4}],
        [{"line_id": oil.id, "quantity": 5}],
        [{"line_id": rice.id, "quantity": 6}],
    ]
    assert shipped[1].after["courier"] == "SiCepat" and shipped[1].after["tracking_number"] == "SC-9"
    assert shipped[0].after["shipment_id"] == first.id and shipped[0].actor_id == market.seller_a.id


def test_partial_shipment_leaves_the_provider_due(market, order):
    rice, _oil = lines_of(order)
    fulfilment.ship(actor=market.manager, order=order, lines={rice.id: 10}, courier="JNE", tracking_number="X")
    assert order.waiting_for == "provider"
    assert fulfilment.shippable_lines(market.manager, order) == [order.lines[1]]


def test_a_seller_cannot_ship_another_sellers_line(market, order):
    _rice, oil = lines_of(order)
    with pytest.raises(Forbidden):
        fulfilment.ship(actor=market.seller_a, order=order, lines={oil.id: 1}, courier="JNE", tracking_number="X")
    assert oil.quantity_shipped == 0 and order.shipments == []


@pytest.mark.parametrize("who", ["other_seller", "other_manager", "ppk", "pp", "bendahara", "operator"])
def test_only_sellers_and_managers_of_the_order_ship(market, order, who):
    rice, _oil = lines_of(order)
    with pytest.raises(Forbidden):
        fulfilment.ship(actor=getattr(market, who), order=order, lines={rice.id: 1}, courier="JNE", tracking_number="X")
    assert fulfilment.available_actions(getattr(market, who), order) == set()


def test_over_shipping_is_refused(market, order):
    rice, _oil = lines_of(order)
    fulfilment.ship(actor=market.seller_a, order=order, lines={rice.id: 8}, courier="JNE", tracking_number="A")
    with pytest.raises(ValidationFailed) as refused:
        fulfilment.ship(actor=market.seller_a, order=order, lines={rice.id: 3}, courier="JNE", tracking_number="B")
    assert set(refused.value.fields) == {f"lines.{rice.id}.quantity"}
    assert "2" in refused.value.fields[f"lines.{rice.id}.quantity"]
    assert rice.quantity_shipped == 8 and len(order.shipments) == 1


@pytest.mark.parametrize(
    ("lines", "courier", "tracking", "paths"),
    [
        ("none", "JNE", "A", {"lines"}),
        ("zero", "JNE", "A", {"lines"}),
        ("negative", "JNE", "A", {"lines.{rice}.quantity"}),
        ("unknown", "JNE", "A", {"lines.999999.quantity"}),
        ("one", " ", "", {"courier", "tracking_number"}),
        ("one", "J" * 81, "A", {"courier"}),
    ],
)
def test_ship_input_is_checked(market, order, lines, courier, tracking, paths):
    rice, _oil = lines_of(order)
    lines = {"none": {}, "zero": {rice.id: 0}, "negative": {rice.id: -1}, "unknown": {999999: 1}, "one": {rice.id: 1}}[
        lines
    ]
    with pytest.raises(ValidationFailed) as refused:
        fulfilment.ship(actor=market.manager, order=order, lines=lines, courier=courier, tracking_number=tracking)
    assert set(refused.value.fields) == {path.format(rice=rice.id) for path in paths}
    assert order.shipments == []


# Delivery -------------------------------------------------------------------------------------------------------------


def test_the_shipments_seller_or_a_manager_marks_it_delivered(market, order):
    rice, oil = lines_of(order)
    fulfilment.ship(actor=market.seller_a, order=order, lines={rice.id: 10}, courier="JNE", tracking_number="A")
    fulfilment.ship(actor=market.seller_b, order=order, lines={oil.id: 5}, courier="JNE", tracking_number="B")
    first, second = order.shipments
    assert "deliver" in fulfilment.available_actions(market.seller_a, order)
    with pytest.raises(Forbidden):
        fulfilment.deliver(actor=market.seller_b, order=order, shipment_id=first.id)
    with pytest.raises(Forbidden):
        fulfilment.deliver(actor=market.ppk, order=order, shipment_id=first.id)

    fulfilment.deliver(actor=market.seller_a, order=order, shipment_id=first.id)
    fulfilment.deliver(actor=market.manager, order=order, shipment_id=second.id)

    assert [s.status for s in order.shipments] == [ShipmentStatus.DELIVERED] * 2
    assert all(s.delivered_at is not None for s in order.shipments)
    assert [event.after["shipment_id"] for event in order_events(order, "order.delivered")] == [first.id, second.id]
    with pytest.raises(IllegalTransition):
        fulfilment.deliver(actor=market.manager, order=order, shipment_id=first.id)


def test_delivering_a_shipment_of_another_order_is_not_found(market, order):
    other = make_order(market, OrderStatus.ON_PROCESS)
    shipment = ship_all(market, other)
    with pytest.raises(NotFound):
        fulfilment.deliver(actor=market.manager, order=order, shipment_id=shipment.id)


# Receipt ------------------------------------------------------------------------------------------------------------


def test_receipt_issues_and_signs_the_bast(market):
    order = received_order(market)
    rice, oil = lines_of(order)
    assert order.status == OrderStatus.WAITING_INVOICE
    assert (rice.quantity_received, oil.quantity_received) == (10, 5)
    assert order.received_at is not None and order.receipt_note is None
    assert {s.status for s in order.shipments} == {ShipmentStatus.BUYER_CONFIRMED}
    bast = documents.document_of(order, DocumentKind.BAST)
    assert bast is not None and bast.number.startswith("BAST-")
    [signature] = bast.signatures
    assert (signature.party, signature.user_id, signature.sha256) == (Party.BUYER, market.ppk.id, bast.sha256)
    assert order.waiting_for == "provider" and order.action_due_at is None
    [event] = order_events(order, "order.receive")
    assert event.after["received"] == [{"line_id": rice.id, "quantity": 10}, {"line_id": oil.id, "quantity": 5}]


def test_receipt_with_a_mismatch_needs_a_note(market, order):
    ship_all(market, order)
    deliver_all(market, order)
    rice, oil = lines_of(order)
    for note in (None, "  short  "):
        with pytest.raises(ValidationFailed) as refused:
            fulfilment.receive(actor=market.ppk, order=order, received={rice.id: 9, oil.id: 5}, note=note)
        assert set(refused.value.fields) == {"note"}
    assert order.status == OrderStatus.ON_PROCESS and documents.document_of(order, DocumentKind.BAST) is None

    note = "Satu karung beras sobek, dikembalikan."
    fulfilment.receive(actor=market.ppk, order=order, received={rice.id: 9, oil.id: 5}, note=note)
    assert order.status == OrderStatus.WAITING_INVOICE
    assert (rice.quantity_received, order.receipt_note) == (9, note)
    assert order_events(order, "order.receive")[0].reason == note


@pytest.mark.parametrize(
    ("received", "paths"),
    [
        ("rice only", {"received.{oil}.quantity"}),
        ("too many", {"received.{rice}.quantity"}),
        ("negative", {"received.{oil}.quantity"}),
        ("unknown", {"received.999999.quantity"}),
    ],
)
def test_receipt_quantities_are_checked(market, order, received, paths):
    ship_all(market, order)
    deliver_all(market, order)
    rice, oil = lines_of(order)
    received = {
        "rice only": {rice.id: 10},
        "too many": {rice.id: 11, oil.id: 5},
        "negative": {rice.id: 10, oil.id: -1},
        "unknown": {rice.id: 10, oil.id: 5, 999999: 1},
    }[received]
    with pytest.raises(ValidationFailed) as refused:
        fulfilment.receive(actor=market.ppk, order=order, received=received, note="Catatan yang cukup panjang")
    assert set(refused.value.fields) == {path.format(rice=rice.id, oil=oil.id) for path in paths}


@pytest.mark.parametrize("who", ["pp", "manager", "seller_a", "bendahara", "other_ppk"])
def test_only_the_orders_ppk_records_the_receipt(market, order, who):
    ship_all(market, order)
    deliver_all(market, order)
    rice, oil = lines_of(order)
    with pytest.raises(Forbidden):
        fulfilment.receive(actor=getattr(market, who), order=order, received={rice.id: 10, oil.id: 5}, note=None)
    assert "receive" not in fulfilment.available_actions(getattr(market, who), order)


def test_receipt_waits_for_a_delivery_and_no_shipment_on_the_way(market, order):
    rice, oil = lines_of(order)
    received = {rice.id: 10, oil.id: 5}
    with pytest.raises(Conflict):  # nothing shipped
        fulfilment.receive(actor=market.ppk, order=order, received=received, note=None)
    fulfilment.ship(actor=market.manager, order=order, lines={rice.id: 10}, courier="JNE", tracking_number="A")
    fulfilment.ship(actor=market.manager, order=order, lines={oil.id: 5}, courier="JNE", tracking_number="B")
    first, _second = order.shipments
    fulfilment.deliver(actor=market.manager, order=order, shipment_id=first.id)
    assert "receive" not in fulfilment.available_actions(market.ppk, order)
    with pytest.raises(Conflict):  # the second is still on the way
        fulfilment.receive(actor=market.ppk, order=order, received=received, note=None)
    deliver_all(market, order)
    assert "receive" in fulfilment.available_actions(market.ppk, order)


def test_lines_never_shipped_can_be_received_as_zero_with_a_note(market, order):
    rice, oil = lines_of(order)
    fulfilment.ship(actor=market.manager, order=order, lines={rice.id: 10}, courier="JNE", tracking_number="A")
    deliver_all(market, order)
    fulfilment.receive(
        actor=market.ppk, order=order, received={rice.id: 10, oil.id: 0}, note="Minyak goreng tidak dikirim."
    )
    assert order.status == OrderStatus.WAITING_INVOICE and oil.quantity_received == 0


def test_a_short_receipt_bills_what_arrived_and_gives_back_what_never_left(market, order):
    rice, oil = lines_of(order)
    stock_before = (market.rice.stock, market.oil.stock)
    fulfilment.ship(actor=market.manager, order=order, lines={rice.id: 6}, courier="JNE", tracking_number="A")
    deliver_all(market, order)
    assert order.total == 924_650  # 10 rice (725,000 + PPN 79,750 + shipping 20,000) + 5 oil (90,000 + 9,900)
    with pytest.raises(ValidationFailed) as refused:  # more than was shipped
        fulfilment.receive(actor=market.ppk, order=order, received={rice.id: 7, oil.id: 0}, note="Kurang dari pesanan")
    assert set(refused.value.fields) == {f"received.{rice.id}.quantity"}

    note = "Satu karung beras rusak; minyak goreng tidak dikirim."
    fulfilment.receive(actor=market.ppk, order=order, received={rice.id: 5, oil.id: 0}, note=note)
    # 5 rice: 362,500 + PPN 39,875 (11 %, half up) + shipping 5 × 2,000; no oil.
    assert (rice.subtotal, rice.ppn_amount, rice.shipping, rice.total) == (362_500, 39_875, 10_000, 412_375)
    assert (oil.subtotal, oil.total) == (0, 0)
    assert (order.subtotal, order.ppn_total, order.shipping_total, order.total) == (362_500, 39_875, 10_000, 412_375)
    assert (rice.quantity, oil.quantity) == (10, 5)  # what was ordered stays on the lines (and the Surat Pesanan)
    db.session.expire(market.rice)
    db.session.expire(market.oil)
    assert (market.rice.stock, market.oil.stock) == (stock_before[0] + 4, stock_before[1] + 5)  # never shipped
    (event,) = order_events(order, "order.receive")
    assert (event.after["total_ordered"], event.after["total"]) == (924_650, 412_375)


# Invoice, payment outside the system, completion ----------------------------------------------------------------------


def test_invoice_then_payment_outside_then_confirmation_completes_the_order(market):
    order = received_order(market)
    assert fulfilment.available_actions(market.manager, order) == {"invoice"}
    fulfilment.invoice(actor=market.manager, order=order)
    assert order.status == OrderStatus.WAITING_PAYMENT
    invoice = documents.document_of(order, DocumentKind.INVOICE)
    assert invoice is not None and invoice.number.startswith("INV-")
    assert order.waiting_for == "bendahara" and order.action_due_at is None

    assert fulfilment.available_actions(market.bendahara, order) == {"pay-outside"}
    paid_on = to_jakarta(utcnow()).date()
    fulfilment.pay_outside(actor=market.bendahara, order=order, reference="SP2D-0042", paid_on=paid_on)
    assert order.status == OrderStatus.PAYMENT_OUTSIDE_SYSTEM
    assert order.paid_outside_reference == "SP2D-0042"
    assert to_jakarta(order.paid_outside_at).date() == paid_on
    assert order_events(order, "order.pay_outside")[0].after["paid_on"] == paid_on.isoformat()

    assert fulfilment.available_actions(market.manager, order) == {"confirm-payment"}
    fulfilment.confirm_payment(actor=market.manager, order=order)
    assert order.status == OrderStatus.COMPLETED and order.completed_at is not None
    assert {s.status for s in order.shipments} == {ShipmentStatus.COMPLETED}
    assert order.waiting_for is None and order.action_due_at is None
    assert fulfilment.available_actions(market.manager, order) == set()


@pytest.mark.parametrize(
    ("reference", "paid_on", "paths"),
    [
        ("", "today", {"reference"}),
        ("R" * 121, "today", {"reference"}),
        ("SP2D-1", None, {"paid_on"}),
        ("SP2D-1", "tomorrow", {"paid_on"}),
        ("SP2D-1", date(1900, 1, 1), {"paid_on"}),  # before the order was placed
    ],
)
def test_payment_input_is_checked(market, reference, paid_on, paths):
    order = received_order(market)
    fulfilment.invoice(actor=market.manager, order=order)
    today = to_jakarta(utcnow()).date()
    paid_on = {"today": today, "tomorrow": today + timedelta(days=1)}.get(paid_on, paid_on)
    with pytest.raises(ValidationFailed) as refused:
        fulfilment.pay_outside(actor=market.bendahara, order=order, reference=reference, paid_on=paid_on)
    assert set(refused.value.fields) == paths
    assert order.status == OrderStatus.WAITING_PAYMENT


def test_payment_moves_need_the_right_people(market):
    order = received_order(market)
    with pytest.raises(Forbidden):
        fulfilment.invoice(actor=market.seller_a, order=order)
    with pytest.raises(Forbidden):
        fulfilment.invoice(actor=market.other_manager, order=order)
    fulfilment.invoice(actor=market.manager, order=order)
    for who in ("ppk", "manager", "pp"):
        with pytest.raises(Forbidden):
            fulfilment.pay_outside(actor=getattr(market, who), order=order, reference="R", paid_on=today_wib())
    fulfilment.pay_outside(actor=market.bendahara, order=order, reference="R", paid_on=today_wib())
    for who in ("bendahara", "seller_a", "ppk"):
        with pytest.raises(Forbidden):
            fulfilment.confirm_payment(actor=getattr(market, who), order=order)


# Every move from every other state ---------------------------------------------------------------------------------

ALLOWED_FROM = {
    "ship": {OrderStatus.ON_PROCESS},
    "deliver": {OrderStatus.ON_PROCESS},
    "receive": {OrderStatus.ON_PROCESS},
    "invoice": {OrderStatus.WAITING_INVOICE},
    "pay-outside": {OrderStatus.WAITING_PAYMENT},
    "confirm-payment": {OrderStatus.PAYMENT_OUTSIDE_SYSTEM},
}


def attempt(market, order, action):
    """Make `action` as the person allowed to make it."""
    rice, oil = lines_of(order)
    if action == "ship":
        fulfilment.ship(actor=market.manager, order=order, lines={rice.id: 1}, courier="JNE", tracking_number="A")
    elif action == "deliver":
        fulfilment.deliver(actor=market.manager, order=order, shipment_id=order.shipments[0].id)
    elif action == "receive":
        fulfilment.receive(actor=market.ppk, order=order, received={rice.id: 10, oil.id: 5}, note=None)
    elif action == "invoice":
        fulfilment.invoice(actor=market.manager, order=order)
    elif action == "pay-outside":
        fulfilment.pay_outside(actor=market.bendahara, order=order, reference="R", paid_on=to_jakarta(utcnow()).date())
    else:
        fulfilment.confirm_payment(actor=market.manager, order=order)


WRONG_STATES = [
    (action, status)
    for action, allowed in sorted(ALLOWED_FROM.items())
    for status in OrderStatus
    if status not in allowed
]


@pytest.mark.parametrize(("action", "status"), WRONG_STATES)
def test_every_action_in_a_wrong_state_is_an_illegal_transition(market, action, status):
    order = make_order(market, OrderStatus.ON_PROCESS)
    rice, _oil = lines_of(order)
    fulfilment.ship(actor=market.manager, order=order, lines={rice.id: 1}, courier="JNE", tracking_number="A")
    order.status = str(status)
    with pytest.raises(IllegalTransition) as refused:
        attempt(market, order, action)
    assert refused.value.current_status == status
    assert order.status == status
    for user in (market.manager, market.seller_a, market.ppk, market.bendahara):
        assert action not in fulfilment.available_actions(user, order)


def test_each_step_emails_the_party_due(market, mailbox):
    order = make_order(market, OrderStatus.ON_PROCESS)
    ship_all(market, order)
    assert len(mailbox.to(market.ppk.email)) == 1
    deliver_all(market, order)
    rice, oil = lines_of(order)
    fulfilment.receive(actor=market.ppk, order=order, received={rice.id: 10, oil.id: 5}, note=None)
    assert len(mailbox.to(market.manager.email)) == 1
    fulfilment.invoice(actor=market.manager, order=order)
    assert len(mailbox.to(market.bendahara.email)) == 1
