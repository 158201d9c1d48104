"""The moves before signing: each allowed move, every refused (state, move) pair, who may make them, the
negotiation and its history, and the stock coming back on every cancellation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed
from marketplace.extensions import db
from marketplace.procurement.models import Offer
from marketplace.procurement.services import moves, stock
from marketplace.procurement.states import ORDER, OrderStatus
from tests.procurement.conftest import make_order

S = OrderStatus
CANCEL_REASON = "Anggaran dialihkan ke kegiatan lain"
#: The moves of this module, by lifecycle action.
SERVICES = {
    "approve": moves.approve,
    "reject": moves.reject,
    "propose": moves.propose,
    "accept_offer": moves.accept_offer,
    "accept": moves.accept,
    "refuse": moves.refuse,
    "cancel": moves.cancel,
}


def actor_for(market, action: str):
    """Somebody allowed to make `action` (the permission check passes; only the state decides)."""
    return market.manager if action in ("accept_offer", "accept", "refuse") else market.ppk


def payload_for(order, action: str) -> dict:
    """Valid input for `action`."""
    if action in ("reject", "refuse", "cancel"):
        return {"reason": CANCEL_REASON}
    if action == "propose":
        line = order.lines[0]
        return {"message": "Mohon harga lebih rendah", "lines": [{"line_id": line.id, "unit_price": 1000}]}
    return {}


def events(order, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.subject_type == "order", AuditEvent.subject_id == order.id)
    return [event for event in db.session.scalars(query.order_by(AuditEvent.id)) if event.action == action]


def reserved_order(market, status, **kwargs):
    """An order whose stock was really taken, as checkout does."""
    order = make_order(market, status, **kwargs)
    stock.reserve(order.lines)
    db.session.flush()
    return order


def open_buyer_offer(market, order) -> Offer:
    return moves.propose(actor=market.ppk, order=order, **payload_for(order, "propose")).offers[-1]


# Every (state, move) pair the map does not allow is refused ------------------------------------------------------


REFUSED = [
    (action, status)
    for action in SERVICES
    for status in sorted(OrderStatus)
    if status not in ORDER.moves[action].sources
]


@pytest.mark.parametrize(("action", "status"), REFUSED)
def test_a_move_the_state_does_not_allow_is_refused(market, action, status):
    order = make_order(market, status)
    with pytest.raises(IllegalTransition) as refused:
        SERVICES[action](actor=actor_for(market, action), order=order, **payload_for(order, action))
    assert refused.value.current_status == status
    db.session.refresh(order)
    assert order.status == status
    assert events(order, f"order.{action}") == []


def test_the_map_lists_every_move_of_this_module():
    assert set(SERVICES) | {"expire"} <= set(ORDER.moves)
    assert len(REFUSED) > 40


# Review by the PPK -----------------------------------------------------------------------------------------------


def test_the_ppk_approves_a_pp_order_and_the_cooperative_is_due(market, mailbox):
    order = make_order(market, S.WAITING_PPK_REVIEW)
    moves.approve(actor=market.ppk, order=order)
    assert order.status == S.WAITING_SELLER_CONFIRMATION
    assert order.waiting_for == "provider"
    assert order.action_due_at is not None
    (event,) = events(order, "order.approve")
    assert event.actor_id == market.ppk.id
    assert event.before == {"status": "WAITING_PPK_REVIEW"}
    assert mailbox.to(market.manager.email)


def test_the_ppk_rejects_with_a_reason_and_the_stock_comes_back(market, mailbox):
    order = reserved_order(market, S.WAITING_PPK_REVIEW)
    assert market.rice.stock == 30
    with pytest.raises(ValidationFailed) as invalid:
        moves.reject(actor=market.ppk, order=order, reason="   ")
    assert set(invalid.value.fields) == {"reason"}
    assert order.status == S.WAITING_PPK_REVIEW

    moves.reject(actor=market.ppk, order=order, reason="Tidak ada di RUP")
    assert order.status == S.CANCELLED_ON_REVIEW
    assert order.cancel_reason == "Tidak ada di RUP"
    assert order.waiting_for is None and order.action_due_at is None
    db.session.refresh(market.rice)
    db.session.refresh(market.oil)
    assert (market.rice.stock, market.oil.stock) == (40, 100)
    assert events(order, "order.reject")[0].reason == "Tidak ada di RUP"
    assert mailbox.to(market.pp.email)


@pytest.mark.parametrize("who", ["pp", "other_ppk", "manager", "operator", "bendahara"])
def test_only_the_orders_ppk_reviews(market, who):
    order = make_order(market, S.WAITING_PPK_REVIEW)
    with pytest.raises(Forbidden):
        moves.approve(actor=getattr(market, who), order=order)
    with pytest.raises(Forbidden):
        moves.reject(actor=getattr(market, who), order=order, reason="Tidak sesuai")
    assert order.status == S.WAITING_PPK_REVIEW


# Negotiation -----------------------------------------------------------------------------------------------------


def test_negotiation_offer_counter_offer_and_acceptance(market, mailbox):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    rice, oil = order.lines

    moves.propose(
        actor=market.ppk,
        order=order,
        message="Harga beras terlalu tinggi",
        lines=[
            {"line_id": rice.id, "unit_price": "65000", "unit_shipping": 0},
            {"line_id": oil.id, "unit_price": 18000},
        ],
    )
    first = order.offers[-1]
    assert order.status == S.ON_NEGOTIATION
    assert order.waiting_for == "provider"
    assert (first.party, first.status) == ("buyer", "open")
    # The unchanged oil line is not part of the offer.
    assert first.lines == [{"line_id": rice.id, "unit_price": 65000, "unit_shipping": 0}]
    assert mailbox.to(market.manager.email)

    # The buyer waits for the answer: it cannot propose again nor accept its own offer.
    with pytest.raises(Conflict):
        moves.propose(actor=market.ppk, order=order, message="Lagi", lines=[{"line_id": rice.id, "unit_price": 1}])
    with pytest.raises(Conflict):
        moves.accept_offer(actor=market.ppk, order=order)

    moves.propose(
        actor=market.manager,
        order=order,
        message="Kami bisa Rp70.000 dengan ongkir Rp1.000",
        lines=[{"line_id": rice.id, "unit_price": 70000, "unit_shipping": 1000}],
    )
    second = order.offers[-1]
    assert first.status == "superseded" and first.decided_by_id == market.manager.id
    assert (second.party, second.status) == ("provider", "open")
    assert order.waiting_for == "buyer"
    assert order.total == rice.total + oil.total  # nothing applied yet

    moves.accept_offer(actor=market.ppk, order=order)
    assert second.status == "accepted" and second.decided_by_id == market.ppk.id
    assert order.status == S.WAITING_SELLER_CONFIRMATION
    assert order.waiting_for == "provider"
    # Rice: 10 × 70.000 = 700.000, PPN 11 % 77.000, shipping 10 × 1.000; oil unchanged: 90.000 + 9.900.
    assert (rice.unit_price, rice.unit_shipping) == (70000, 1000)
    assert (rice.subtotal, rice.ppn_amount, rice.shipping, rice.total) == (700000, 77000, 10000, 787000)
    assert (order.subtotal, order.ppn_total, order.shipping_total, order.total) == (790000, 86900, 10000, 886900)
    (accepted,) = events(order, "order.accept_offer")
    assert accepted.after["offer_id"] == second.id and accepted.after["total"] == 886900
    assert [event.reason for event in events(order, "order.propose")] == [first.message, second.message]


def test_the_manager_may_open_the_negotiation_and_the_ppk_counter(market):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    line = order.lines[1]
    moves.propose(
        actor=market.manager, order=order, message="Ongkir", lines=[{"line_id": line.id, "unit_price": 19000}]
    )
    assert order.waiting_for == "buyer"
    assert moves.available_actions(market.ppk, order) == {"propose", "accept-offer", "cancel"}
    assert moves.available_actions(market.manager, order) == {"refuse", "cancel"}
    moves.propose(actor=market.ppk, order=order, message="Tetap", lines=[{"line_id": line.id, "unit_price": 18500}])
    assert order.waiting_for == "provider"
    assert moves.available_actions(market.manager, order) == {"propose", "accept-offer", "refuse", "cancel"}


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([{"line_id": "first", "unit_price": 72500}], "lines"),  # the current price: nothing changes
        ([{"line_id": "first", "unit_price": 0}], "lines.0.unit_price"),
        ([{"line_id": "first", "unit_price": -5}], "lines.0.unit_price"),
        ([{"line_id": "first", "unit_price": "12.5"}], "lines.0.unit_price"),
        ([{"line_id": "first", "unit_price": 1000, "unit_shipping": -1}], "lines.0.unit_shipping"),
        ([{"line_id": "first", "unit_price": 10**23}], "lines.0.unit_price"),  # beyond any price (and BIGINT)
        ([{"line_id": "first", "unit_price": 1000, "unit_shipping": 10**13}], "lines.0.unit_shipping"),
        ([{"line_id": "other", "unit_price": 1000}], "lines.0.line_id"),
        ([{"line_id": "first", "unit_price": 1000}, {"line_id": "first", "unit_price": 900}], "lines.1.line_id"),
    ],
)
def test_a_proposal_must_change_lines_of_this_order_to_positive_integers(market, lines, field):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    other = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    ids = {"first": order.lines[0].id, "other": other.lines[0].id}
    entries = [{**entry, "line_id": ids[entry["line_id"]]} for entry in lines]
    with pytest.raises(ValidationFailed) as invalid:
        moves.propose(actor=market.ppk, order=order, message="Mohon", lines=entries)
    assert field in invalid.value.fields
    assert order.status == S.WAITING_SELLER_CONFIRMATION and order.offers == []


def test_a_proposal_needs_a_message(market):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    with pytest.raises(ValidationFailed) as invalid:
        moves.propose(
            actor=market.ppk, order=order, message=" ", lines=[{"line_id": order.lines[0].id, "unit_price": 1}]
        )
    assert set(invalid.value.fields) == {"message"}


@pytest.mark.parametrize("who", ["pp", "other_ppk", "bendahara", "seller_a", "other_manager", "operator"])
def test_only_the_ppk_and_the_managers_negotiate(market, who):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    with pytest.raises(Forbidden):
        moves.propose(actor=getattr(market, who), order=order, **payload_for(order, "propose"))
    open_buyer_offer(market, order)
    with pytest.raises(Forbidden):
        moves.accept_offer(actor=getattr(market, who), order=order)
    assert order.offers[-1].status == "open"


def test_an_accepted_offer_above_the_pp_limit_stands_because_the_ppk_is_responsible(market, app):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION, placed_by=market.pp)
    line = order.lines[0]
    price = app.config["PP_ORDER_LIMIT"]  # ten units: far above the PP limit
    moves.propose(
        actor=market.manager, order=order, message="Harga baru", lines=[{"line_id": line.id, "unit_price": price}]
    )
    moves.accept_offer(actor=market.ppk, order=order)
    assert order.total > app.config["PP_ORDER_LIMIT"]
    assert order.status == S.WAITING_SELLER_CONFIRMATION


# The cooperative's answer ----------------------------------------------------------------------------------------


def test_a_manager_accepts_and_the_surat_pesanan_is_issued(market, mailbox):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION, placed_by=market.ppk)
    moves.accept(actor=market.manager, order=order)
    assert order.status == S.ESIGN_IN_PROGRESS
    assert order.waiting_for == "signatures"
    (document,) = order.documents
    assert (document.kind, document.number) == ("surat_pesanan", order.number)
    assert events(order, "order.accept")[0].after["sha256"] == document.sha256
    assert mailbox.to(market.ppk.email)


def test_a_manager_refuses_with_a_reason_even_during_negotiation(market):
    order = reserved_order(market, S.WAITING_SELLER_CONFIRMATION)
    offer = open_buyer_offer(market, order)
    with pytest.raises(ValidationFailed):
        moves.refuse(actor=market.manager, order=order, reason="")
    moves.refuse(actor=market.manager, order=order, reason="Stok habis di gudang")
    assert order.status == S.CANCELLED
    assert order.refuse_reason == "Stok habis di gudang"
    assert offer.status == "withdrawn"
    db.session.refresh(market.rice)
    assert market.rice.stock == 40


@pytest.mark.parametrize("who", ["seller_a", "other_manager", "ppk", "pp", "operator"])
def test_only_a_manager_of_the_cooperative_accepts_or_refuses(market, who):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    with pytest.raises(Forbidden):
        moves.accept(actor=getattr(market, who), order=order)
    with pytest.raises(Forbidden):
        moves.refuse(actor=getattr(market, who), order=order, reason="Tidak bisa")
    assert order.status == S.WAITING_SELLER_CONFIRMATION and order.documents == []


# Cancellation ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", sorted(moves.BEFORE_PROCESS))
@pytest.mark.parametrize("who", ["pp", "ppk", "manager"])
def test_either_side_cancels_before_signing_and_the_stock_comes_back(market, status, who):
    order = reserved_order(market, status)
    moves.cancel(actor=getattr(market, who), order=order, reason=CANCEL_REASON)
    assert order.status == S.CANCELLED
    assert (order.cancel_reason, order.cancelled_by_id) == (CANCEL_REASON, getattr(market, who).id)
    db.session.refresh(market.rice)
    db.session.refresh(market.oil)
    assert (market.rice.stock, market.oil.stock) == (40, 100)
    assert events(order, "order.cancel")[0].reason == CANCEL_REASON


def test_a_cancellation_reason_has_at_least_20_characters(market):
    order = make_order(market, S.WAITING_PPK_REVIEW)
    with pytest.raises(ValidationFailed) as invalid:
        moves.cancel(actor=market.pp, order=order, reason="Batal saja ya       ")
    assert "20" in invalid.value.fields["reason"]
    assert order.status == S.WAITING_PPK_REVIEW


@pytest.mark.parametrize("who", ["bendahara", "seller_a", "other_ppk", "other_manager", "operator"])
def test_others_may_not_cancel(market, who):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    with pytest.raises(Forbidden):
        moves.cancel(actor=getattr(market, who), order=order, reason=CANCEL_REASON)


def test_another_pp_of_the_work_unit_may_not_cancel_an_order_they_did_not_place(market):
    from marketplace.accounts.models import Role
    from tests.factories import user_with_role

    colleague = user_with_role(Role.PP, work_unit=market.work_unit)
    order = make_order(market, S.WAITING_PPK_REVIEW)
    with pytest.raises(Forbidden):
        moves.cancel(actor=colleague, order=order, reason=CANCEL_REASON)


# What each user may do now ---------------------------------------------------------------------------------------


def test_available_actions(market):
    review = make_order(market, S.WAITING_PPK_REVIEW)
    assert moves.available_actions(market.ppk, review) == {"approve", "reject", "cancel"}
    assert moves.available_actions(market.pp, review) == {"cancel"}
    assert moves.available_actions(market.manager, review) == {"cancel"}
    confirmation = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    assert moves.available_actions(market.manager, confirmation) == {"propose", "accept", "refuse", "cancel"}
    assert moves.available_actions(market.ppk, confirmation) == {"propose", "cancel"}
    for outsider in (market.seller_a, market.bendahara, market.other_ppk, market.other_manager, market.operator):
        assert moves.available_actions(outsider, confirmation) == set()
    assert moves.available_actions(market.ppk, make_order(market, S.ON_PROCESS)) == set()
