"""The orders API: lists and detail, and `POST /orders/{id}/{action}` for every move (403, 409, 422, happy paths)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from marketplace.core.timeutil import today_wib
from marketplace.extensions import db
from marketplace.procurement.models import Offer, Order, Shipment, ShipmentLine
from marketplace.procurement.services import deadlines
from marketplace.procurement.states import ORDER, OrderStatus, ShipmentStatus
from tests.api.conftest import ApiClient
from tests.procurement.conftest import Market, make_order

S = OrderStatus


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient(client)


def add_shipment(market: Market, order: Order, status: str = ShipmentStatus.SHIPPING) -> Shipment:
    """A shipment of all the rice (seller_a's line) in `status`."""
    line = order.lines[0]
    shipment = Shipment(
        order_id=order.id, created_by_id=market.seller_a.id, status=str(status), courier="JNE", tracking_number="X1"
    )
    shipment.lines.append(ShipmentLine(order_line_id=line.id, quantity=line.quantity))
    line.quantity_shipped = line.quantity
    db.session.add(shipment)
    db.session.flush()
    return shipment


def add_buyer_offer(market: Market, order: Order) -> Offer:
    offer = Offer(
        order=order,
        party="buyer",
        proposed_by_id=market.ppk.id,
        message="Harga beras 68.000",
        lines=[{"line_id": order.lines[0].id, "unit_price": 68000, "unit_shipping": 1000}],
    )
    db.session.add(offer)
    db.session.flush()
    return offer


# --- list and detail ------------------------------------------------------------------------------------------------


def test_list_is_scoped_filtered_and_paginated(api, market) -> None:
    mine = [make_order(market) for _ in range(3)]
    mine[0].status = S.ON_PROCESS
    elsewhere = make_order(market, items=[(market.rice, 1)])
    elsewhere.work_unit_id = market.other_work_unit.id
    elsewhere.ppk_id = market.other_ppk.id
    db.session.flush()

    body = api.get("/orders?per_page=2", user=market.pp).get_json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (3, 1, 2, 2)
    assert elsewhere.id not in [item["id"] for item in body["items"]]
    item = body["items"][0]
    assert item["work_unit"] == {"id": market.work_unit.id, "name": "Dinas Sosial"}
    assert item["cooperative"]["name"] == "KKMP Gununggedangan"
    assert {"number", "status", "total", "created_at", "kode_rup", "action_due_at"} <= item.keys()

    on_process = api.get("/orders?status=ON_PROCESS", user=market.pp).get_json()
    assert [item["id"] for item in on_process["items"]] == [mine[0].id]
    by_number = api.get(f"/orders?number={mine[1].number.lower()}", user=market.pp).get_json()
    assert [item["id"] for item in by_number["items"]] == [mine[1].id]
    assert api.get("/orders?date_from=2099-01-01", user=market.pp).get_json()["total"] == 0
    seller_b = api.get("/orders", user=market.seller_b).get_json()
    assert seller_b["total"] == 3  # the order of the other work unit has rice only


def test_list_of_orders_waiting_for_the_caller(api, market) -> None:
    due, not_due = make_order(market), make_order(market)
    deadlines.wait_for(due, deadlines.PROVIDER)
    deadlines.wait_for(not_due, deadlines.PPK)
    db.session.flush()
    manager = api.get("/orders?awaiting=true", user=market.manager).get_json()
    assert [item["id"] for item in manager["items"]] == [due.id]
    ppk = api.get("/orders?awaiting=true", user=market.ppk).get_json()
    assert [item["id"] for item in ppk["items"]] == [not_due.id]
    assert api.get("/orders?awaiting=maybe", user=market.ppk).status_code == 422


def test_list_validates_its_filters(api, market) -> None:
    response = api.get("/orders?status=NOPE&per_page=500&date_to=tomorrow", user=market.pp)
    assert response.status_code == 422
    assert {"status", "per_page", "date_to"} <= response.get_json()["error"]["fields"].keys()


def test_list_needs_a_token(api) -> None:
    assert api.get("/orders").status_code == 401


def test_detail_has_lines_offers_documents_shipments_timeline_and_actions(api, market) -> None:
    order = make_order(market, S.ON_NEGOTIATION)
    add_buyer_offer(market, order)
    ORDER.move(order, "accept_offer", actor_id=market.manager.id, reason="Setuju")
    ORDER.move(order, "accept", actor_id=market.manager.id)
    db.session.flush()

    body = api.get(f"/orders/{order.id}", user=market.ppk).get_json()

    assert body["number"] == order.number and body["status"] == "ESIGN_IN_PROGRESS"
    assert [line["sku"] for line in body["lines"]] == ["BRS-001", "MYK-001"]
    assert body["lines"][0]["unit_price"] == 72500 and body["lines"][0]["quantity"] == 10
    assert body["total"] == order.total
    assert body["offers"][0]["message"] == "Harga beras 68.000"
    assert body["documents"] == [] and body["shipments"] == []
    assert [event["action"] for event in body["timeline"]] == ["order.accept_offer", "order.accept"]
    assert body["timeline"][0]["reason"] == "Setuju"
    assert body["timeline"][0]["actor_name"] == "Hadi Pengurus"
    assert "sign" in body["actions"] and "cancel" in body["actions"]


def test_detail_shows_documents_with_signatures_and_shipments(api, market) -> None:
    order = make_order(market, S.ESIGN_IN_PROGRESS)
    assert api.post(f"/orders/{order.id}/sign", user=market.ppk).status_code == 200
    assert api.post(f"/orders/{order.id}/sign", user=market.manager).status_code == 200
    api.post(
        f"/orders/{order.id}/ship",
        {"lines": [{"line_id": order.lines[0].id, "quantity": 4}], "courier": "JNE", "tracking_number": "JN1"},
        user=market.seller_a,
    )
    body = api.get(f"/orders/{order.id}", user=market.bendahara).get_json()
    document = body["documents"][0]
    assert document["kind"] == "surat_pesanan" and document["number"] == order.number
    assert len(document["sha256"]) == 64
    assert {signature["party"] for signature in document["signatures"]} == {"buyer", "provider"}
    assert body["shipments"][0]["lines"] == [{"order_line_id": order.lines[0].id, "quantity": 4}]
    assert body["shipments"][0]["tracking_number"] == "JN1"
    assert body["actions"] == []


@pytest.mark.parametrize("who", ["other_ppk", "other_manager", "other_seller"])
def test_another_partys_order_is_404(api, market, who) -> None:
    order = make_order(market)
    assert api.get(f"/orders/{order.id}", user=getattr(market, who)).status_code == 404
    response = api.post(f"/orders/{order.id}/accept", user=getattr(market, who))
    assert response.status_code == 404
    assert order.status == S.WAITING_SELLER_CONFIRMATION


def test_unknown_action_is_404(api, market) -> None:
    order = make_order(market)
    assert api.post(f"/orders/{order.id}/teleport", {}, user=market.manager).status_code == 404


# --- every action: 409 in a wrong state, 403 for a wrong user --------------------------------------------------------


@dataclass(frozen=True)
class Case:
    action: str
    user: str
    allowed: OrderStatus
    wrong_state: OrderStatus
    wrong_user: str
    body: Any = None
    prepare: Any = None


def ship_body(market: Market, order: Order) -> dict:
    return {"lines": [{"line_id": order.lines[0].id, "quantity": 1}], "courier": "JNE", "tracking_number": "JN1"}


def receive_body(market: Market, order: Order) -> dict:
    return {"lines": [{"line_id": line.id, "quantity_received": line.quantity} for line in order.lines], "note": None}


def deliver_body(market: Market, order: Order) -> dict:
    return {"shipment_id": add_shipment(market, order).id}


def delivered(market: Market, order: Order) -> None:
    add_shipment(market, order, ShipmentStatus.DELIVERED)
    order.lines[1].quantity_shipped = order.lines[1].quantity


REASON = {"reason": "Anggaran dialihkan ke kegiatan lain tahun ini"}
CASES = [
    Case("approve", "ppk", S.WAITING_PPK_REVIEW, S.ON_PROCESS, "pp"),
    Case("reject", "ppk", S.WAITING_PPK_REVIEW, S.ON_PROCESS, "manager", REASON),
    Case(
        "propose",
        "ppk",
        S.WAITING_SELLER_CONFIRMATION,
        S.ON_PROCESS,
        "pp",
        lambda market, order: {
            "message": "Bisa 70.000?",
            "lines": [{"line_id": order.lines[0].id, "unit_price": 70000}],
        },
    ),
    Case("accept-offer", "manager", S.ON_NEGOTIATION, S.ON_PROCESS, "bendahara", prepare=add_buyer_offer),
    Case("accept", "manager", S.WAITING_SELLER_CONFIRMATION, S.ON_PROCESS, "ppk"),
    Case("refuse", "manager", S.WAITING_SELLER_CONFIRMATION, S.ON_PROCESS, "seller_a", REASON),
    Case("sign", "ppk", S.ESIGN_IN_PROGRESS, S.WAITING_SELLER_CONFIRMATION, "pp"),
    Case("ship", "seller_a", S.ON_PROCESS, S.ESIGN_IN_PROGRESS, "bendahara", ship_body),
    Case("deliver", "manager", S.ON_PROCESS, S.WAITING_INVOICE, "seller_b", deliver_body),
    Case("receive", "ppk", S.ON_PROCESS, S.WAITING_PAYMENT, "manager", receive_body, prepare=delivered),
    Case("invoice", "manager", S.WAITING_INVOICE, S.ON_PROCESS, "ppk"),
    Case("cancel", "pp", S.WAITING_SELLER_CONFIRMATION, S.ON_PROCESS, "bendahara", REASON),
    Case(
        "pay-outside",
        "bendahara",
        S.WAITING_PAYMENT,
        S.WAITING_INVOICE,
        "ppk",
        {"reference": "SP2D-1", "paid_on": today_wib().isoformat()},
    ),
    Case("confirm-payment", "manager", S.PAYMENT_OUTSIDE_SYSTEM, S.WAITING_PAYMENT, "bendahara"),
]


def post_case(api: ApiClient, market: Market, case: Case, status: OrderStatus, user: str):
    order = make_order(market, status)
    if case.prepare:
        case.prepare(market, order)
    body = case.body(market, order) if callable(case.body) else case.body
    response = api.post(f"/orders/{order.id}/{case.action}", body, user=getattr(market, user))
    db.session.refresh(order)
    return order, response


def test_every_action_has_a_case() -> None:
    from marketplace.api.orders import MOVES

    assert {case.action for case in CASES} == {move.action for move in MOVES}
    # `expire` is the scheduled task's; `pay` comes from a card webhook or a confirmed transfer.
    assert {move.action for move in MOVES} >= {a.replace("_", "-") for a in ORDER.moves} - {"expire", "pay"}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.action)
def test_a_wrong_state_is_409_with_the_current_status(api, market, case) -> None:
    order, response = post_case(api, market, case, case.wrong_state, case.user)
    assert response.status_code == 409, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "illegal_transition"
    assert error["current_status"] == str(case.wrong_state)
    assert order.status == case.wrong_state


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.action)
def test_a_wrong_user_is_403(api, market, case) -> None:
    order, response = post_case(api, market, case, case.allowed, case.wrong_user)
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["error"]["code"] == "forbidden"
    assert order.status == case.allowed


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.action)
def test_the_right_user_in_the_right_state_may(api, market, case) -> None:
    order, response = post_case(api, market, case, case.allowed, case.user)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == order.status
    assert response.get_json()["id"] == order.id


# --- 422 --------------------------------------------------------------------------------------------------------------


def test_body_errors_are_422_with_field_paths(api, market) -> None:
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    response = api.post(f"/orders/{order.id}/propose", {"message": "", "lines": [{"unit_price": 0}]}, user=market.ppk)
    assert response.status_code == 422
    assert {"message", "lines.0.line_id", "lines.0.unit_price"} <= response.get_json()["error"]["fields"].keys()
    short = api.post(f"/orders/{order.id}/cancel", {"reason": "terlalu singkat"}, user=market.pp)
    assert short.status_code == 422 and "reason" in short.get_json()["error"]["fields"]
    db.session.refresh(order)
    assert order.status == S.WAITING_SELLER_CONFIRMATION


def test_service_errors_on_lines_name_the_body_index(api, market) -> None:
    order = make_order(market, S.ON_PROCESS)
    rice, oil = order.lines
    body = {
        "lines": [{"line_id": oil.id, "quantity": 1}, {"line_id": rice.id, "quantity": 99}],
        "courier": "JNE",
        "tracking_number": "JN1",
    }
    response = api.post(f"/orders/{order.id}/ship", body, user=market.manager)
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["lines.1.quantity"]

    delivered(market, order)
    partial = {"lines": [{"line_id": rice.id, "quantity_received": rice.quantity}], "note": None}
    response = api.post(f"/orders/{order.id}/receive", partial, user=market.ppk)
    assert response.status_code == 422
    assert "lines" in response.get_json()["error"]["fields"]


# --- happy paths by group -------------------------------------------------------------------------------------------


def test_the_whole_lifecycle_through_the_api(api, market) -> None:
    order = make_order(market, S.WAITING_PPK_REVIEW)
    rice, oil = order.lines
    url = f"/orders/{order.id}"

    def move(action: str, user, body: Any = None) -> dict:
        response = api.post(f"{url}/{action}", body, user=user)
        assert response.status_code == 200, (action, response.get_json())
        return response.get_json()

    assert move("approve", market.ppk)["status"] == "WAITING_SELLER_CONFIRMATION"
    offer = {"message": "Mohon harga beras 69.000", "lines": [{"line_id": rice.id, "unit_price": 69000}]}
    assert move("propose", market.manager, offer)["status"] == "ON_NEGOTIATION"
    accepted = move("accept-offer", market.ppk)
    assert accepted["status"] == "WAITING_SELLER_CONFIRMATION"
    assert accepted["lines"][0]["unit_price"] == 69000
    assert move("accept", market.manager)["status"] == "ESIGN_IN_PROGRESS"
    assert move("sign", market.ppk)["status"] == "ESIGN_IN_PROGRESS"
    assert move("sign", market.manager)["status"] == "ON_PROCESS"
    shipped = move(
        "ship",
        market.seller_a,
        {"lines": [{"line_id": rice.id, "quantity": 10}], "courier": "JNE", "tracking_number": "A"},
    )
    move(
        "ship",
        market.seller_b,
        {"lines": [{"line_id": oil.id, "quantity": 5}], "courier": "POS", "tracking_number": "B"},
    )
    for shipment in api.get(url, user=market.manager).get_json()["shipments"]:
        move("deliver", market.manager, {"shipment_id": shipment["id"]})
    assert shipped["shipments"][0]["status"] == "SHIPPING"
    receipt = {"lines": [{"line_id": rice.id, "quantity_received": 10}, {"line_id": oil.id, "quantity_received": 5}]}
    assert move("receive", market.ppk, receipt)["status"] == "WAITING_INVOICE"
    assert move("invoice", market.manager)["status"] == "WAITING_PAYMENT"
    paid = move("pay-outside", market.bendahara, {"reference": "SP2D-0042", "paid_on": today_wib().isoformat()})
    assert paid["status"] == "PAYMENT_OUTSIDE_SYSTEM" and paid["paid_outside_reference"] == "SP2D-0042"
    done = move("confirm-payment", market.manager)
    assert done["status"] == "COMPLETED"
    assert {document["kind"] for document in done["documents"]} == {"surat_pesanan", "bast", "invoice"}
    actions = [event["action"] for event in done["timeline"]]
    assert actions[:3] == ["order.approve", "order.propose", "order.accept_offer"]
    assert actions[-1] == "order.confirm_payment"


@pytest.mark.parametrize(
    ("action", "status", "user", "ends_in"),
    [
        ("reject", S.WAITING_PPK_REVIEW, "ppk", S.CANCELLED_ON_REVIEW),
        ("refuse", S.WAITING_SELLER_CONFIRMATION, "manager", S.CANCELLED),
        ("cancel", S.ESIGN_IN_PROGRESS, "manager", S.CANCELLED),
    ],
)
def test_endings_keep_the_reason_on_the_timeline(api, market, action, status, user, ends_in) -> None:
    order = make_order(market, status)
    response = api.post(f"/orders/{order.id}/{action}", REASON, user=getattr(market, user))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == ends_in
    assert body["timeline"][-1]["reason"] == REASON["reason"]
    assert body["actions"] == []
