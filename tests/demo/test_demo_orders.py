"""Demo orders: a dozen orders of the city's work units, one per state, made through the procurement services, so
stock, documents, shipments and timelines hold as in real use (on the people of the demo and a small catalog)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.cooperatives.models import Cooperative, Membership
from marketplace.core.audit import AuditEvent
from marketplace.demo import seed_demo
from marketplace.demo.orders import STORIES, seed_orders
from marketplace.extensions import db
from marketplace.procurement.models import Order
from marketplace.procurement.states import HOLDS_STOCK, DocumentKind, OrderStatus
from tests.factories import catalog_reference, listing
from tests.feeds.helpers import built, feed_files, read_bytes  # noqa: F401  (feed_files: a fixture)
from tests.procurement.test_ocds import by_ocid, schema_errors

S = OrderStatus
#: Where each story leaves its order.
EXPECTED = {
    "review": S.WAITING_PPK_REVIEW,
    "provider": S.WAITING_SELLER_CONFIRMATION,
    "negotiation": S.ON_NEGOTIATION,
    "signing": S.ESIGN_IN_PROGRESS,
    "partial": S.ON_PROCESS,
    "received": S.WAITING_INVOICE,
    "invoiced": S.WAITING_PAYMENT,
    "paid_outside": S.PAYMENT_OUTSIDE_SYSTEM,
    "completed": S.COMPLETED,
    "cancelled": S.CANCELLED,
    "refused": S.CANCELLED,
    "rejected": S.CANCELLED_ON_REVIEW,
}


@pytest.fixture
def demo(db) -> dict[int, int]:
    """The demo's people, two products on sale in each of the first two cooperatives; returns their stock."""
    seed_demo(products=False)
    reference = catalog_reference()
    for cooperative in db.session.scalars(select(Cooperative).order_by(Cooperative.id).limit(2)):
        member = db.session.scalars(
            select(Membership).where(Membership.cooperative_id == cooperative.id, Membership.status == "active")
            .order_by(Membership.id)
        ).first()  # fmt: skip
        for index in range(2):
            listing(member.user, reference, sku=f"DEMO-{cooperative.id}-{index}", stock=200, price=50_000 + index * 500)
    db.session.commit()
    return {product.id: product.stock for product in db.session.scalars(select(Product))}


def orders() -> list[Order]:
    return list(db.session.scalars(select(Order).order_by(Order.id)))


def test_a_dozen_orders_one_per_state_across_the_work_units(demo) -> None:
    assert seed_orders() == len(STORIES) == 12

    made = orders()
    assert [order.status for order in made] == [EXPECTED[story.end] for story in STORIES]
    assert {order.work_unit.short_code for order in made} == {"dinsos", "dindik", "setda"}
    assert [order.rup_name for order in made] == [story.rup_name for story in STORIES]
    assert len({order.cooperative_id for order in made}) == 2
    assert all(order.number.startswith("SP-") for order in made)


def test_stock_was_taken_and_given_back_as_the_orders_went(demo) -> None:
    seed_orders()

    held = Counter()
    for order in orders():
        if order.status in HOLDS_STOCK:
            for line in order.lines:
                held[line.product_id] += line.quantity
    for product in db.session.scalars(select(Product)):
        assert product.stock == demo[product.id] - held[product.id], product.sku
    assert sum(held.values()) > 0


def test_documents_shipments_and_payments_are_where_the_lifecycle_puts_them(demo) -> None:
    seed_orders()
    by_end = dict(zip((story.end for story in STORIES), orders(), strict=True))

    def kinds(order: Order) -> dict[str, int]:
        return {document.kind: len(document.signatures) for document in order.documents}

    assert kinds(by_end["signing"]) == {DocumentKind.SURAT_PESANAN: 1}
    assert kinds(by_end["partial"]) == {DocumentKind.SURAT_PESANAN: 2}
    partial = by_end["partial"]
    assert len(partial.shipments) == 1 and 0 < partial.lines[0].quantity_shipped < partial.lines[0].quantity
    assert kinds(by_end["received"]) == {DocumentKind.SURAT_PESANAN: 2, DocumentKind.BAST: 1}
    assert kinds(by_end["invoiced"])[DocumentKind.INVOICE] == 0
    assert by_end["paid_outside"].paid_outside_reference and by_end["paid_outside"].paid_outside_at
    assert by_end["completed"].completed_at is not None
    assert [offer.status for offer in by_end["negotiation"].offers] == ["open"]
    assert len(by_end["cancelled"].cancel_reason) >= 20 and len(by_end["refused"].refuse_reason) >= 20
    assert by_end["review"].documents == [] and by_end["review"].waiting_for == "ppk"


def test_every_order_has_its_timeline(demo) -> None:
    seed_orders()

    for order in orders():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject_type == "order", AuditEvent.subject_id == order.id)
        ).all()
        assert actions, order.number
    completed = orders()[8]
    count = db.session.scalar(
        select(func.count()).where(AuditEvent.subject_type == "order", AuditEvent.subject_id == completed.id)
    )
    assert count >= 8  # placed, accepted, signed twice, shipped, delivered, received, invoiced, paid, completed


@pytest.mark.usefixtures("feed_files")
def test_the_demo_orders_export_as_valid_ocds(demo) -> None:
    seed_orders()
    feed = built(None, "ocds")

    package = json.loads(read_bytes(feed.storage_key))
    assert schema_errors(package) == []
    assert len(by_ocid(package)) == 12
    assert {tag for release in package["releases"] for tag in release["tag"]} >= {
        "tender", "award", "contract", "implementation", "contractTermination", "tenderCancellation",
    }  # fmt: skip
