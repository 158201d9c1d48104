"""The order lifecycle (status names as in e-Katalog v6, so exports match), the shipment lifecycle and the words
a form offers (funding sources, parties, document kinds).

Order:
```
checkout ─ by a PP ──> WAITING_PPK_REVIEW ─approve─> WAITING_SELLER_CONFIRMATION ─accept─> ESIGN_IN_PROGRESS
         └ by a PPK ─────────────────────────────────┘ │  ▲          └─refuse─> CANCELLED
                        └─reject─> CANCELLED_ON_REVIEW  propose  accept_offer (back to WAITING_SELLER_CONFIRMATION)
                                                        ▼  │
                                                   ON_NEGOTIATION ─propose (counter-offer)─> ON_NEGOTIATION
ESIGN_IN_PROGRESS ─sign (the second signature)─> ON_PROCESS ─receive (BAST signed)─> WAITING_INVOICE
WAITING_INVOICE ─invoice─> WAITING_PAYMENT ─pay_outside─> PAYMENT_OUTSIDE_SYSTEM ─confirm_payment─> COMPLETED
WAITING_PAYMENT ─pay (card webhook, or a confirmed transfer)─> COMPLETED
every state before ON_PROCESS ─cancel / expire─> CANCELLED
```
Each move is audited as `order.<action>` (see `core.lifecycle`).
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from marketplace.core.lifecycle import Lifecycle


class OrderStatus(enum.StrEnum):
    WAITING_PPK_REVIEW = "WAITING_PPK_REVIEW"
    WAITING_SELLER_CONFIRMATION = "WAITING_SELLER_CONFIRMATION"
    ON_NEGOTIATION = "ON_NEGOTIATION"
    ESIGN_IN_PROGRESS = "ESIGN_IN_PROGRESS"
    ON_PROCESS = "ON_PROCESS"
    WAITING_INVOICE = "WAITING_INVOICE"
    WAITING_PAYMENT = "WAITING_PAYMENT"
    PAYMENT_OUTSIDE_SYSTEM = "PAYMENT_OUTSIDE_SYSTEM"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    CANCELLED_ON_REVIEW = "CANCELLED_ON_REVIEW"


S = OrderStatus
#: States an order can still be cancelled from (by a party, or by the scheduled task when the party due is idle).
BEFORE_PROCESS = {S.WAITING_PPK_REVIEW, S.WAITING_SELLER_CONFIRMATION, S.ON_NEGOTIATION, S.ESIGN_IN_PROGRESS}
#: States of an order that ended without being fulfilled.
CANCELLED_STATES = frozenset({S.CANCELLED, S.CANCELLED_ON_REVIEW})
#: States in which stock is held for the order (released when it is cancelled).
HOLDS_STOCK = frozenset(set(OrderStatus) - CANCELLED_STATES)

ORDER = Lifecycle(
    "order",
    {
        "approve": ({S.WAITING_PPK_REVIEW}, S.WAITING_SELLER_CONFIRMATION),
        "reject": ({S.WAITING_PPK_REVIEW}, S.CANCELLED_ON_REVIEW),
        "propose": ({S.WAITING_SELLER_CONFIRMATION, S.ON_NEGOTIATION}, S.ON_NEGOTIATION),
        "accept_offer": ({S.ON_NEGOTIATION}, S.WAITING_SELLER_CONFIRMATION),
        "accept": ({S.WAITING_SELLER_CONFIRMATION}, S.ESIGN_IN_PROGRESS),
        "refuse": ({S.WAITING_SELLER_CONFIRMATION, S.ON_NEGOTIATION}, S.CANCELLED),
        # The first signature leaves the order in ESIGN_IN_PROGRESS (audited as `order.sign` by the service);
        # this move is the second one.
        "sign": ({S.ESIGN_IN_PROGRESS}, S.ON_PROCESS),
        "receive": ({S.ON_PROCESS}, S.WAITING_INVOICE),
        "invoice": ({S.WAITING_INVOICE}, S.WAITING_PAYMENT),
        "pay_outside": ({S.WAITING_PAYMENT}, S.PAYMENT_OUTSIDE_SYSTEM),
        "confirm_payment": ({S.PAYMENT_OUTSIDE_SYSTEM}, S.COMPLETED),
        # Paid in the system: a card payment's verified webhook, or a transfer the cooperative confirmed.
        "pay": ({S.WAITING_PAYMENT}, S.COMPLETED),
        "cancel": (set(BEFORE_PROCESS), S.CANCELLED),
        "expire": (set(BEFORE_PROCESS), S.CANCELLED),
    },
)

ORDER_STATUS_LABELS = {
    S.WAITING_PPK_REVIEW: _l("Waiting for the PPK's review"),
    S.WAITING_SELLER_CONFIRMATION: _l("Waiting for the cooperative's confirmation"),
    S.ON_NEGOTIATION: _l("Under negotiation"),
    S.ESIGN_IN_PROGRESS: _l("Surat Pesanan being signed"),
    S.ON_PROCESS: _l("Being processed and shipped"),
    S.WAITING_INVOICE: _l("Received, waiting for the invoice"),
    S.WAITING_PAYMENT: _l("Waiting for payment"),
    S.PAYMENT_OUTSIDE_SYSTEM: _l("Paid outside the system"),
    S.COMPLETED: _l("Completed"),
    S.CANCELLED: _l("Cancelled"),
    S.CANCELLED_ON_REVIEW: _l("Rejected by the PPK"),
}


class ShipmentStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    PROCESSING = "PROCESSING"
    SHIPPING = "SHIPPING"
    DELIVERED = "DELIVERED"
    BUYER_CONFIRMED = "BUYER_CONFIRMED"
    COMPLETED = "COMPLETED"


H = ShipmentStatus
SHIPMENT = Lifecycle(
    "shipment",
    {
        "prepare": ({H.DRAFT}, H.PROCESSING),
        "ship": ({H.DRAFT, H.PROCESSING}, H.SHIPPING),
        "deliver": ({H.SHIPPING}, H.DELIVERED),
        "confirm": ({H.DELIVERED}, H.BUYER_CONFIRMED),
        "complete": ({H.BUYER_CONFIRMED}, H.COMPLETED),
    },
)

SHIPMENT_STATUS_LABELS = {
    H.DRAFT: _l("Draft"),
    H.PROCESSING: _l("Being prepared"),
    H.SHIPPING: _l("On the way"),
    H.DELIVERED: _l("Delivered"),
    H.BUYER_CONFIRMED: _l("Received by the buyer"),
    H.COMPLETED: _l("Completed"),
}


class FundingSource(enum.StrEnum):
    APBD = "APBD"
    APBN = "APBN"
    APBDES = "APBDes"
    BLUD = "BLUD"


class Party(enum.StrEnum):
    """The two sides of an order."""

    #: The work unit (PP, PPK, bendahara).
    BUYER = "buyer"
    #: The cooperative (penyedia).
    PROVIDER = "provider"


class DocumentKind(enum.StrEnum):
    SURAT_PESANAN = "surat_pesanan"
    BAST = "bast"
    INVOICE = "invoice"
    #: The receipt issued when the order is paid in the system.
    KUITANSI = "kuitansi"


#: Who signs each document in the app: both sides the Surat Pesanan, the PPK the BAST at receipt; the invoice and
#: the kuitansi are the cooperative's own papers, issued without signatures here.
SIGNING_PARTIES = {
    DocumentKind.SURAT_PESANAN: (Party.BUYER, Party.PROVIDER),
    DocumentKind.BAST: (Party.BUYER,),
}

#: Number prefixes, per cooperative and year: `SP-2026-00001`, `BAST-2026-00001`, `INV-2026-00001`.
NUMBER_PREFIXES = {
    "order": "SP",
    DocumentKind.SURAT_PESANAN: "SP",
    DocumentKind.BAST: "BAST",
    DocumentKind.INVOICE: "INV",
    DocumentKind.KUITANSI: "KW",
}

DOCUMENT_LABELS = {
    DocumentKind.SURAT_PESANAN: _l("Surat Pesanan"),
    DocumentKind.BAST: _l("BAST (handover record)"),
    DocumentKind.INVOICE: _l("Invoice"),
    DocumentKind.KUITANSI: _l("Receipt (kuitansi)"),
}
