"""The order page reads the order with its documents, signatures, shipments and lines in a fixed number of
statements, whatever how many of them it has."""

from __future__ import annotations

from marketplace.extensions import db
from marketplace.procurement.models import Order, OrderDocument, Shipment, ShipmentLine, Signature
from marketplace.procurement.states import DocumentKind, OrderStatus, Party, ShipmentStatus
from tests.procurement.conftest import Market, make_order
from tests.support.statements import recorded_statements


def add_document(order: Order, kind: str, signers: list) -> None:
    document = OrderDocument(
        order_id=order.id,
        cooperative_id=order.cooperative_id,
        kind=kind,
        number=f"{kind}-{order.id}",
        html="<p>dokumen</p>",
        sha256="0" * 64,
    )
    db.session.add(document)
    db.session.flush()
    for party, user in signers:
        db.session.add(
            Signature(
                document_id=document.id,
                party=party,
                user_id=user.id,
                signer_name=user.full_name,
                signer_role="Penandatangan",
                sha256="0" * 64,
            )
        )
    db.session.flush()


def add_shipment(order: Order, by) -> None:
    shipment = Shipment(order_id=order.id, created_by_id=by.id, status=ShipmentStatus.SHIPPING, courier="JNE")
    shipment.lines = [ShipmentLine(order_line_id=line.id, quantity=1) for line in order.lines]
    db.session.add(shipment)
    db.session.flush()


def page_statements(client, order_id: int) -> int:
    db.session.expire_all()
    with recorded_statements() as statements:
        response = client.get(f"/pesanan/{order_id}")
    assert response.status_code == 200
    return len(statements)


def test_order_page_statements_do_not_grow_with_documents_and_shipments(client, market: Market) -> None:
    both = [(Party.BUYER, market.ppk), (Party.PROVIDER, market.manager)]
    small = make_order(market, OrderStatus.ON_PROCESS)
    add_document(small, DocumentKind.SURAT_PESANAN, both)
    shipped = make_order(market, OrderStatus.ON_PROCESS)
    add_document(shipped, DocumentKind.SURAT_PESANAN, both)
    add_shipment(shipped, market.seller_a)
    large = make_order(market, OrderStatus.ON_PROCESS, placed_by=market.ppk)
    add_document(large, DocumentKind.SURAT_PESANAN, both)
    add_document(large, DocumentKind.BAST, both)
    add_document(large, DocumentKind.INVOICE, [(Party.PROVIDER, market.manager)])
    add_shipment(large, market.seller_a)
    add_shipment(large, market.seller_b)
    client.login(market.ppk)
    ids = {"small": small.id, "shipped": shipped.id, "large": large.id}

    counts = {name: page_statements(client, order_id) for name, order_id in ids.items()}

    assert counts["large"] == counts["shipped"]
    # Shipments add their lines and their senders' roles, once for all of them.
    assert counts["large"] <= counts["small"] + 2
