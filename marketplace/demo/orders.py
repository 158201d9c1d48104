"""Demo orders: a dozen orders of Kota Mojokerto's work units, one in each state of the lifecycle, made through the
procurement services as the people who would make them (cart and checkout by a PP or PPK, the PPK's review,
negotiation, the cooperative's answer, both signatures, shipments, receipt, invoice, payment), so stock is taken,
documents are issued and signed and every order's timeline is what real use leaves behind.

The stories are fixed and the products are chosen in id order (the first cooperatives with products on sale to the
city), so the seed is deterministic. Everything happens at seeding time: orders still waiting for someone are
cancelled by the scheduled task after 3 working days, as real ones would be. Tasks (emails) are dropped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from marketplace.accounts.models import Role, User, UserRole
from marketplace.agencies.models import WorkUnit
from marketplace.catalog.models import Product
from marketplace.catalog.states import ProductStatus
from marketplace.core.timeutil import today_wib
from marketplace.demo.seeding import tasks_dropped
from marketplace.extensions import db
from marketplace.procurement.models import Order
from marketplace.procurement.services import cart, checkout, documents, fulfilment, moves, pricing

#: Where each story ends (the order's state when the seed leaves it).
REVIEW, REJECTED, CANCELLED, WAITING_PROVIDER, REFUSED = "review", "rejected", "cancelled", "provider", "refused"
NEGOTIATION, SIGNING, PARTIAL, RECEIVED, INVOICED = "negotiation", "signing", "partial", "received", "invoiced"
PAID_OUTSIDE, COMPLETED = "paid_outside", "completed"
CANCEL_REASON = "Kegiatan ditunda karena anggaran dialihkan untuk penanganan bencana banjir."
REFUSE_REASON = "Stok untuk tanggal pengiriman yang diminta tidak mencukupi, mohon maaf."
REJECT_REASON = "Kode RUP tidak sesuai dengan kegiatan; mohon dibuat ulang dengan kode yang benar."
OFFER_MESSAGE = "Mohon harga disesuaikan dengan harga pasar setempat untuk pembelian dalam jumlah ini."
#: Products considered: on sale with at least this many units.
MIN_STOCK = 30


@dataclass(frozen=True)
class Story:
    unit: str
    #: `pp` (the order waits for the PPK's review) or `ppk` (it goes to the cooperative at once).
    placed_by: str
    end: str
    lines: int = 1
    rup_name: str = "Belanja bahan makanan"


STORIES = (
    Story("dinsos", "pp", REVIEW, rup_name="Bantuan sembako warga rentan"),
    Story("dindik", "pp", WAITING_PROVIDER, rup_name="Makanan tambahan peserta didik"),
    Story("setda", "ppk", NEGOTIATION, lines=2, rup_name="Jamuan rapat koordinasi"),
    Story("dinsos", "ppk", SIGNING, rup_name="Paket sembako panti sosial"),
    Story("dindik", "ppk", PARTIAL, lines=2, rup_name="Seragam batik guru"),
    Story("setda", "pp", RECEIVED, rup_name="Cinderamata tamu daerah"),
    Story("dinsos", "ppk", INVOICED, rup_name="Bantuan pangan lansia"),
    Story("dindik", "ppk", PAID_OUTSIDE, rup_name="Konsumsi pelatihan guru"),
    Story("setda", "ppk", COMPLETED, lines=2, rup_name="Konsumsi hari jadi kota"),
    Story("dinsos", "pp", CANCELLED, rup_name="Bantuan sembako korban banjir"),
    Story("dindik", "ppk", REFUSED, rup_name="Bahan praktik tata boga"),
    Story("setda", "pp", REJECTED, rup_name="Perlengkapan upacara"),
)


def seed_orders() -> int:
    """Play every story; return how many orders were made."""
    products = products_by_cooperative()
    cooperatives = sorted(products)
    if not cooperatives:
        return 0
    with tasks_dropped():
        for number, story in enumerate(STORIES):
            chosen = products[cooperatives[number % len(cooperatives)]][: story.lines]
            play(story, number, chosen)
    return len(STORIES)


def products_by_cooperative() -> dict[int, list[Product]]:
    """Products on sale to Kota Mojokerto with enough stock, per cooperative, in id order."""
    region = _city_region()
    found: dict[int, list[Product]] = defaultdict(list)
    statement = (
        select(Product)
        .where(
            Product.status == ProductStatus.ACTIVE, Product.live_revision_id.is_not(None), Product.stock >= MIN_STOCK
        )
        .order_by(Product.cooperative_id, Product.id)
    )
    for product in db.session.scalars(statement):
        if pricing.unit_price_for(product.live_revision, region) is not None:
            found[product.cooperative_id].append(product)
    return {cooperative_id: items for cooperative_id, items in found.items() if len(items) >= 2}


def _city_region() -> str | None:
    return db.session.scalar(select(WorkUnit.region_code).order_by(WorkUnit.id).limit(1))


def person(role: Role, **where: int) -> User:
    """The first (by id) user with the role in the work unit or cooperative."""
    statement = select(User).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == role)
    for column, value in where.items():
        statement = statement.where(getattr(User, column) == value)
    return db.session.scalars(statement.order_by(User.id).limit(1)).one()


def play(story: Story, number: int, products: list[Product]) -> Order:
    unit = db.session.scalars(select(WorkUnit).where(WorkUnit.short_code == story.unit)).one()
    buyer = person(Role(story.placed_by), work_unit_id=unit.id)
    ppk = person(Role.PPK, work_unit_id=unit.id)
    for product in products:
        quantity = max(product.live_revision.min_order, 2) * (1 + number % 3)
        cart.add_item(actor=buyer, product_id=product.id, quantity=quantity)
    (order,) = checkout.checkout(
        actor=buyer,
        key=f"demo-order-{number + 1:02d}",
        work_unit_id=unit.id,
        kode_rup=f"{40_100_000 + number * 137}",
        rup_name=story.rup_name,
        funding_source="APBD",
        budget_account=f"5.1.02.01.01.{24 + number:04d}",
        delivery_address=unit.address or unit.name,
        delivery_region_code=unit.region_code,
        requested_arrival=today_wib() + timedelta(days=14 + number),
        ppk_id=None if story.placed_by == "ppk" else ppk.id,
    )
    if story.end == REVIEW:
        return order
    if story.placed_by == "pp":
        if story.end == REJECTED:
            return moves.reject(actor=ppk, order=order, reason=REJECT_REASON)
        if story.end == CANCELLED:
            return moves.cancel(actor=buyer, order=order, reason=CANCEL_REASON)
        order = moves.approve(actor=ppk, order=order)
    return _with_the_cooperative(story, number, order, ppk)


def _with_the_cooperative(story: Story, number: int, order: Order, ppk: User) -> Order:
    manager = person(Role.COOP_MANAGER, cooperative_id=order.cooperative_id)
    if story.end == WAITING_PROVIDER:
        return order
    if story.end == REFUSED:
        return moves.refuse(actor=manager, order=order, reason=REFUSE_REASON)
    if story.end == NEGOTIATION:
        line = order.lines[0]
        offer = {"line_id": line.id, "unit_price": line.unit_price * 95 // 10_000 * 100, "unit_shipping": 0}
        return moves.propose(actor=ppk, order=order, message=OFFER_MESSAGE, lines=[offer])
    order = moves.accept(actor=manager, order=order)
    order = documents.sign(actor=ppk, order=order)
    if story.end == SIGNING:
        return order
    order = documents.sign(actor=manager, order=order)
    if story.end == PARTIAL:
        line = order.lines[0]
        return fulfilment.ship(actor=line.seller, order=order, lines={line.id: line.quantity // 2},
                               courier="JNE", tracking_number=f"JNE{35760000 + number}")  # fmt: skip
    return _delivered_and_paid(story, number, order, ppk, manager)


def _delivered_and_paid(story: Story, number: int, order: Order, ppk: User, manager: User) -> Order:
    all_lines = {line.id: line.quantity for line in order.lines}
    order = fulfilment.ship(actor=manager, order=order, lines=all_lines, courier="Kurir koperasi",
                            tracking_number=f"KOP-{number + 1:04d}")  # fmt: skip
    order = fulfilment.deliver(actor=manager, order=order, shipment_id=order.shipments[-1].id)
    order = fulfilment.receive(actor=ppk, order=order, received=all_lines, note=None)
    if story.end == RECEIVED:
        return order
    order = fulfilment.invoice(actor=manager, order=order)
    if story.end == INVOICED:
        return order
    bendahara = person(Role.BENDAHARA, work_unit_id=order.work_unit_id)
    order = fulfilment.pay_outside(actor=bendahara, order=order, reference=f"SP2D-{number + 1:05d}/2026",
                                   paid_on=today_wib())  # fmt: skip
    if story.end == PAID_OUTSIDE:
        return order
    return fulfilment.confirm_payment(actor=manager, order=order)
