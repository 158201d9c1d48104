"""Orders as Open Contracting (OCDS 1.1) releases: one contracting process (`ocid`) per order.

The ocid is `{OCDS_OCID_PREFIX}-{cooperative code}-{order number}` (order numbers are unique per cooperative only).
An order gives one release per stage it reached, each dated when it was reached and holding what was known then:

- `tender`: the order was submitted (checkout): buyer, planning (RUP, funding source, budget account), the items
  with their CPC class and unit price, method `direct` (`e-Purchasing Katalog Elektronik`);
- `award`: the cooperative accepted it (the Surat Pesanan was issued);
- `contract`: both parties signed the Surat Pesanan (`dateSigned` = the second signature);
- `implementation`: it was paid (the transactions: for now the payment the bendahara recorded as made outside
  the system);
- `contractTermination`: it was completed;
- `tenderCancellation` / `awardCancellation`: it was rejected, refused, cancelled or expired before / after the
  cooperative accepted it.

Amounts are the order's as it stands (after any accepted negotiation), in IDR, PPN and shipping included in the
values; an item's unit value is its unit price excluding PPN. Dates are ISO 8601 in WIB (`+07:00`).

`iter_order_facts` reads orders in batches (keyset on the id) with what their releases need, so a package of any
size is written in constant memory (`feeds.writers.ocds`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.agencies.models import WorkUnit
from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import AuditEvent
from marketplace.core.timeutil import to_jakarta
from marketplace.extensions import db
from marketplace.feeds.records import region_name
from marketplace.procurement.models import Order, OrderDocument
from marketplace.procurement.states import CANCELLED_STATES, DocumentKind, OrderStatus

S = OrderStatus
OCDS_VERSION = "1.1"
CURRENCY = "IDR"
PROCUREMENT_METHOD = "direct"
PROCUREMENT_METHOD_DETAILS = "e-Purchasing Katalog Elektronik"
#: Item classification: the KBKI code's first 5 digits are its UN CPC v2 subclass.
CLASSIFICATION_SCHEME = "CPC"
CPC_DIGITS = 5
#: Identifier schemes of Indonesian organisations (no org-id.guide list exists for them yet).
SATKER_SCHEME = "ID-KODE-SATKER"
NPWP_SCHEME = "ID-NPWP"
NIB_SCHEME = "ID-NIB"
LANGUAGE = "id"
#: Who publishes the packages.
PUBLISHER_NAME = "Pasar UMKM"
COUNTRY = "Indonesia"

#: States in which the cooperative has accepted the order / both parties have signed the Surat Pesanan.
ACCEPTED = frozenset({S.ESIGN_IN_PROGRESS, S.ON_PROCESS, S.WAITING_INVOICE, S.WAITING_PAYMENT,
                      S.PAYMENT_OUTSIDE_SYSTEM, S.COMPLETED})  # fmt: skip
SIGNED = ACCEPTED - {S.ESIGN_IN_PROGRESS}
#: Audit actions that end an order early, and the one that awards it.
ENDING_ACTIONS = ("order.cancel", "order.expire", "order.refuse", "order.reject")
ACCEPT_ACTION = "order.accept"

#: The stages in the order a process reaches them; a release holds the sections of its stage and those before.
TENDER, AWARD, CONTRACT, IMPLEMENTATION = range(4)


@dataclass
class OrderFacts:
    """An order with the moments its releases are dated by."""

    order: Order
    #: When the cooperative accepted it (None: not accepted).
    accepted_at: datetime | None
    #: When both parties had signed the Surat Pesanan (None: not signed by both).
    signed_at: datetime | None
    #: When it was cancelled, rejected, refused or expired, and by which action (None: it was not).
    ended_at: datetime | None
    ended_by: str | None


def ocid_for(order: Order, prefix: str | None = None) -> str:
    """`ocds-pumkm1-kkmp-gununggedangan-SP-2026-00001`."""
    prefix = prefix or current_app.config["OCDS_OCID_PREFIX"]
    return f"{prefix}-{order.cooperative.code}-{order.number}"


def cpc_code(kbki_code: str | None) -> str | None:
    """The CPC v2 subclass of a 10-digit KBKI code (its first 5 digits); None for a code that is not one."""
    code = (kbki_code or "").strip()
    return code[:CPC_DIGITS] if len(code) == 10 and code.isdigit() else None


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in WIB with its offset, e.g. `2026-11-28T09:30:00+07:00`."""
    return None if moment is None else to_jakarta(moment).isoformat(timespec="seconds")


# Reading ------------------------------------------------------------------------------------------------------------


def _conditions(cooperative_ids: Sequence[int] | None, until: datetime | None) -> list:
    conditions = []
    if cooperative_ids is not None:
        conditions.append(Order.cooperative_id.in_(list(cooperative_ids)))
    if until is not None:
        conditions.append(Order.created_at <= until)
    return conditions


def count_orders(*, cooperative_ids: Sequence[int] | None, until: datetime | None = None) -> int:
    """Orders of the cooperatives (all: None) placed up to `until`."""
    statement = select(func.count()).select_from(Order).where(*_conditions(cooperative_ids, until))
    return db.session.scalar(statement)


def iter_order_facts(
    *, cooperative_ids: Sequence[int] | None, until: datetime | None = None, batch_size: int = 200
) -> Iterator[OrderFacts]:
    """The orders of the cooperatives (all: None) placed up to `until`, by id, read `batch_size` at a time."""
    last_id = 0
    while True:
        statement = (
            select(Order)
            .where(Order.id > last_id, *_conditions(cooperative_ids, until))
            .order_by(Order.id)
            .limit(batch_size)
            .options(
                joinedload(Order.cooperative),
                joinedload(Order.work_unit).joinedload(WorkUnit.agency),
                selectinload(Order.lines),
                selectinload(Order.documents).selectinload(OrderDocument.signatures),
            )
        )
        orders = list(db.session.scalars(statement).unique())
        if not orders:
            return
        moments = _moments([order.id for order in orders])
        for order in orders:
            yield _facts(order, moments.get(order.id, {}))
        if len(orders) < batch_size:
            return
        last_id = orders[-1].id


def _moments(order_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per order: the first acceptance and the last ending move in its timeline (audit events)."""
    rows = db.session.execute(
        select(AuditEvent.subject_id, AuditEvent.action, AuditEvent.created_at)
        .where(
            AuditEvent.subject_type == "order",
            AuditEvent.subject_id.in_(order_ids),
            AuditEvent.action.in_((ACCEPT_ACTION, *ENDING_ACTIONS)),
        )
        .order_by(AuditEvent.id)
    )
    found: dict[int, dict[str, Any]] = {}
    for order_id, action, moment in rows:
        moments = found.setdefault(order_id, {})
        if action == ACCEPT_ACTION:
            moments.setdefault("accepted_at", moment)
        else:
            moments["ended_at"], moments["ended_by"] = moment, action
    return found


def _facts(order: Order, moments: dict[str, Any]) -> OrderFacts:
    surat_pesanan = next((d for d in order.documents if d.kind == DocumentKind.SURAT_PESANAN), None)
    accepted_at = moments.get("accepted_at")
    if accepted_at is None and order.status in ACCEPTED:
        accepted_at = surat_pesanan.issued_at if surat_pesanan is not None else order.updated_at
    signed_at = None
    if order.status in SIGNED:
        signatures = surat_pesanan.signatures if surat_pesanan is not None else []
        signed_at = max((s.signed_at for s in signatures), default=None) if len(signatures) >= 2 else None
        signed_at = signed_at or order.updated_at
    ended_at, ended_by = None, None
    if order.status in CANCELLED_STATES:
        ended_at = moments.get("ended_at") or order.updated_at
        ended_by = moments.get("ended_by")
    return OrderFacts(order, accepted_at, signed_at, ended_at, ended_by)


# Releases -----------------------------------------------------------------------------------------------------------


def releases_for(facts: OrderFacts, *, prefix: str | None = None) -> list[dict[str, Any]]:
    """The order's releases, oldest first (see the module doc)."""
    order = facts.order
    ocid = ocid_for(order, prefix)
    stages: list[tuple[str, int, datetime]] = [("tender", TENDER, order.created_at)]
    if facts.accepted_at is not None:
        stages.append(("award", AWARD, facts.accepted_at))
    if facts.signed_at is not None:
        stages.append(("contract", CONTRACT, facts.signed_at))
    if order.paid_outside_at is not None:
        stages.append(("implementation", IMPLEMENTATION, order.paid_outside_at))
    if order.status == S.COMPLETED:
        stages.append(("contractTermination", IMPLEMENTATION, order.completed_at or order.updated_at))
    if facts.ended_at is not None:
        tag = "awardCancellation" if facts.accepted_at is not None else "tenderCancellation"
        stages.append((tag, AWARD if facts.accepted_at is not None else TENDER, facts.ended_at))
    return [_release(facts, ocid, tag, level, moment) for tag, level, moment in stages]


def _release(facts: OrderFacts, ocid: str, tag: str, level: int, moment: datetime) -> dict[str, Any]:
    order = facts.order
    buyer, supplier = buyer_party(order.work_unit), supplier_party(order.cooperative)
    buyer["roles"] = ["buyer", "procuringEntity"] + (["payer"] if level >= IMPLEMENTATION else [])
    supplier["roles"] = ["tenderer"] + (["supplier"] if level >= AWARD else [])
    supplier["roles"] += ["payee"] if level >= IMPLEMENTATION else []
    buyer_ref, supplier_ref = reference(buyer), reference(supplier)
    items = [item(line) for line in order.lines]
    value = money(order.total)
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{tag}",
        "date": iso(moment),
        "tag": [tag],
        "initiationType": "tender",
        "language": LANGUAGE,
        "parties": [buyer, supplier],
        "buyer": buyer_ref,
        "planning": {
            "budget": {
                "id": order.budget_account,
                "description": f"{order.funding_source} {order.budget_account}",
                "project": order.rup_name,
                "projectID": order.kode_rup,
            }
        },
        "tender": {
            "id": order.number,
            "title": order.rup_name,
            "description": f"RUP {order.kode_rup}",
            "status": _tender_status(facts, tag, level),
            "procuringEntity": buyer_ref,
            "items": items,
            "value": value,
            "procurementMethod": PROCUREMENT_METHOD,
            "procurementMethodDetails": PROCUREMENT_METHOD_DETAILS,
            "mainProcurementCategory": "goods",
            "tenderers": [supplier_ref],
            "numberOfTenderers": 1,
        },
    }
    if level >= AWARD:
        award = {"id": order.number, "status": "cancelled" if tag == "awardCancellation" else "active"}
        award |= {"date": iso(facts.accepted_at), "value": value, "suppliers": [supplier_ref], "items": items}
        release["awards"] = [award]
    if level >= CONTRACT:
        contract = {"id": order.number, "awardID": order.number, "title": f"Surat Pesanan {order.number}"}
        contract |= {"status": "terminated" if tag == "contractTermination" else "active", "value": value}
        contract |= {"items": items, "dateSigned": iso(facts.signed_at)}
        if level >= IMPLEMENTATION:
            contract["implementation"] = {"transactions": transactions(order, buyer_ref, supplier_ref)}
        release["contracts"] = [contract]
    return release


def _tender_status(facts: OrderFacts, tag: str, level: int) -> str:
    if tag == "tenderCancellation":
        return "unsuccessful" if facts.ended_by == "order.refuse" else "cancelled"
    return "active" if level == TENDER else "complete"


def transactions(order: Order, payer: dict, payee: dict) -> list[dict[str, Any]]:
    """The order's payments: for now the one the bendahara recorded as made outside the system."""
    if order.paid_outside_at is None:
        return []
    return [
        {
            "id": order.paid_outside_reference or f"{order.number}-paid-outside",
            "date": iso(order.paid_outside_at),
            "value": money(order.total),
            "payer": payer,
            "payee": payee,
        }
    ]


def money(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": CURRENCY}


def item(line) -> dict[str, Any]:
    """An order line as an OCDS item (CPC class, quantity, unit with its price excluding PPN)."""
    found: dict[str, Any] = {"id": str(line.id), "description": line.name}
    cpc = cpc_code(line.kbki_code)
    if cpc is not None:
        found["classification"] = {"scheme": CLASSIFICATION_SCHEME, "id": cpc}
    found["quantity"] = line.quantity
    found["unit"] = {"name": line.unit_name, "value": money(line.unit_price)}
    return found


def reference(party: dict[str, Any]) -> dict[str, Any]:
    """An OrganizationReference to a party."""
    return {"id": party["id"], "name": party["name"]}


def _identifier(scheme: str, value: str, legal_name: str | None = None) -> dict[str, str]:
    found = {"scheme": scheme, "id": value}
    if legal_name:
        found["legalName"] = legal_name
    return found


def _address(street: str | None, region_code: str | None) -> dict[str, str]:
    address = {"countryName": COUNTRY}
    if street:
        address["streetAddress"] = street
    locality = region_name(region_code) if region_code else ""
    if locality:
        address["locality"] = locality
    return address


def buyer_party(work_unit: WorkUnit) -> dict[str, Any]:
    """The work unit (satker): identified by its kode satker, with its NPWP."""
    name = f"{work_unit.name}, {work_unit.agency.name}"
    party: dict[str, Any] = {
        "id": f"{SATKER_SCHEME}-{work_unit.kode_satker}",
        "name": name,
        "identifier": _identifier(SATKER_SCHEME, work_unit.kode_satker, name),
    }
    if work_unit.npwp:
        party["additionalIdentifiers"] = [_identifier(NPWP_SCHEME, work_unit.npwp)]
    party["address"] = _address(work_unit.address, work_unit.region_code)
    return party


def supplier_party(cooperative: Cooperative) -> dict[str, Any]:
    """The cooperative (penyedia): identified by its NIB (else its NPWP), with its NPWP."""
    pairs = [
        (scheme, value) for scheme, value in ((NIB_SCHEME, cooperative.nib), (NPWP_SCHEME, cooperative.npwp)) if value
    ]
    if not pairs:
        party: dict[str, Any] = {"id": f"koperasi-{cooperative.code}", "name": cooperative.name}
    else:
        scheme, value = pairs[0]
        party = {"id": f"{scheme}-{value}", "name": cooperative.name}
        party["identifier"] = _identifier(scheme, value, cooperative.name)
        if len(pairs) > 1:
            party["additionalIdentifiers"] = [_identifier(*pair) for pair in pairs[1:]]
    party["address"] = _address(cooperative.address, cooperative.region_code)
    contact = {key: value for key, value in (("email", cooperative.email), ("telephone", cooperative.phone)) if value}
    if contact:
        party["contactPoint"] = contact
    return party


# What the export's report lists -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something the OCDS data lacks for an order (the order is still published)."""

    field: str
    message: LazyString


def problems_of(order: Order) -> list[Problem]:
    """Gaps in an order's OCDS data: a supplier without NIB (or also without NPWP), an item without a CPC class."""
    found = []
    cooperative = order.cooperative
    if not cooperative.nib and cooperative.npwp:
        found.append(Problem("parties.identifier", _l("The cooperative has no NIB: its NPWP identifies it.")))
    if not cooperative.nib and not cooperative.npwp:
        found.append(
            Problem("parties.identifier", _l("The cooperative has neither NIB nor NPWP: it has no identifier."))
        )
    found += [
        Problem(f"items.{line.id}.classification", _l("The item's KBKI code is not 10 digits: it has no CPC class."))
        for line in order.lines
        if cpc_code(line.kbki_code) is None
    ]
    return found
