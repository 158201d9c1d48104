"""OCDS export of orders: releases per stage reached, valid OCDS 1.1 (JSON Schema draft 4, offline, with the
schemas and codelists in tests/procurement/data/ocds-1.1/), built and served by the feed machinery."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource

from marketplace.core.audit import record_event
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db
from marketplace.feeds.models import Feed
from marketplace.procurement import ocds
from marketplace.procurement.models import OrderDocument, Signature
from marketplace.procurement.states import DocumentKind, OrderStatus
from tests.feeds.helpers import built, feed_files, new_feed, read_bytes  # noqa: F401  (feed_files: a fixture)
from tests.procurement.conftest import make_order

S = OrderStatus
pytestmark = pytest.mark.usefixtures("feed_files")
DATA = Path(__file__).parent / "data" / "ocds-1.1"
T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 09:00 WIB


def _schema(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def package_validator() -> Draft4Validator:
    """The release package schema with the release schema resolved locally (no network)."""
    release = _schema("release-schema.json")
    registry = Registry().with_resource(release["id"], Resource.from_contents(release))
    return Draft4Validator(_schema("release-package-schema.json"), registry=registry)


def codes(name: str) -> set[str]:
    with (DATA / "codelists" / f"{name}.csv").open(encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def schema_errors(package: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in package_validator().iter_errors(package)]


# Orders at each stage (made directly, with the documents, signatures and timeline the services leave) -------------


def _at(order, moment: datetime) -> None:
    order.created_at = moment


def _accepted(market, order, moment: datetime) -> OrderDocument:
    event = record_event("order.accept", subject_type="order", subject_id=order.id, actor_id=market.manager.id)
    event.created_at = moment
    html = f"<p>Surat Pesanan {order.number}</p>"
    document = OrderDocument(order_id=order.id, cooperative_id=order.cooperative_id, kind=DocumentKind.SURAT_PESANAN,
                             number=order.number, html=html, sha256=hashlib.sha256(html.encode()).hexdigest(),
                             issued_at=moment, issued_by_id=market.manager.id)  # fmt: skip
    db.session.add(document)
    db.session.flush()
    return document


def _signed(market, document: OrderDocument, buyer_at: datetime, provider_at: datetime) -> None:
    for party, user, moment in (("buyer", market.ppk, buyer_at), ("provider", market.manager, provider_at)):
        db.session.add(Signature(document_id=document.id, party=party, user_id=user.id, signer_name=user.full_name,
                                 signer_role=party, sha256=document.sha256, signed_at=moment))  # fmt: skip
    db.session.flush()


def _ended(market, order, action: str, moment: datetime) -> None:
    event = record_event(f"order.{action}", subject_type="order", subject_id=order.id, actor_id=market.ppk.id,
                         reason="Anggaran dialihkan ke kegiatan lain tahun ini")  # fmt: skip
    event.created_at = moment


def orders_in_every_state(market) -> dict[str, object]:
    """Orders of `market.coop` (and one of `other_coop`) at each stage, with known moments."""
    made = {}
    made["review"] = make_order(market, S.WAITING_PPK_REVIEW)
    made["esign"] = make_order(market, S.ESIGN_IN_PROGRESS)
    _accepted(market, made["esign"], T0 + timedelta(hours=2))
    made["process"] = make_order(market, S.ON_PROCESS)
    document = _accepted(market, made["process"], T0 + timedelta(hours=2))
    _signed(market, document, T0 + timedelta(hours=5), T0 + timedelta(hours=3))
    made["paid"] = make_order(market, S.PAYMENT_OUTSIDE_SYSTEM)
    _signed(market, _accepted(market, made["paid"], T0 + timedelta(hours=1)), T0 + timedelta(hours=2),
            T0 + timedelta(hours=3))  # fmt: skip
    made["paid"].paid_outside_at = T0 + timedelta(days=3)
    made["paid"].paid_outside_reference = "SP2D-00991/2026"
    made["done"] = make_order(market, S.COMPLETED)
    _signed(market, _accepted(market, made["done"], T0 + timedelta(hours=1)), T0 + timedelta(hours=2),
            T0 + timedelta(hours=3))  # fmt: skip
    made["done"].paid_outside_at = T0 + timedelta(days=3)
    made["done"].completed_at = T0 + timedelta(days=4)
    made["refused"] = make_order(market, S.CANCELLED)
    _ended(market, made["refused"], "refuse", T0 + timedelta(hours=6))
    made["rejected"] = make_order(market, S.CANCELLED_ON_REVIEW)
    _ended(market, made["rejected"], "reject", T0 + timedelta(hours=6))
    made["cancelled_after_accept"] = make_order(market, S.CANCELLED)
    _accepted(market, made["cancelled_after_accept"], T0 + timedelta(hours=1))
    _ended(market, made["cancelled_after_accept"], "cancel", T0 + timedelta(hours=7))
    made["other"] = make_order(market, S.WAITING_SELLER_CONFIRMATION, items=[(market.batik, 2)])
    for order in made.values():
        _at(order, T0)
    db.session.flush()
    return made


def package_of(feed: Feed) -> dict:
    assert feed.status == "succeeded", feed.failure
    return json.loads(read_bytes(feed.storage_key))


def by_ocid(package: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for release in package["releases"]:
        found.setdefault(release["ocid"], []).append(release)
    return found


def test_a_package_of_orders_in_every_state_is_valid_ocds(db, market) -> None:
    orders = orders_in_every_state(market)

    feed = built(market.coop.id, "ocds")
    package = package_of(feed)

    assert schema_errors(package) == []
    assert package["version"] == "1.1"
    assert package["uri"] == f"http://127.0.0.1:5000/feed/{feed.id}/unduh" or package["uri"].endswith(
        f"/feed/{feed.id}/unduh"
    )
    assert package["publisher"]["name"] == "Pasar UMKM"
    releases = by_ocid(package)
    tags = {
        key: [r["tag"][0] for r in releases[ocds.ocid_for(order)]] for key, order in orders.items() if key != "other"
    }
    assert tags == {
        "review": ["tender"],
        "esign": ["tender", "award"],
        "process": ["tender", "award", "contract"],
        "paid": ["tender", "award", "contract", "implementation"],
        "done": ["tender", "award", "contract", "implementation", "contractTermination"],
        "refused": ["tender", "tenderCancellation"],
        "rejected": ["tender", "tenderCancellation"],
        "cancelled_after_accept": ["tender", "award", "awardCancellation"],
    }
    assert feed.product_count == len(orders) - 1 and feed.error_count == 0


def test_releases_carry_the_order_the_parties_and_the_moments(db, market) -> None:
    orders = orders_in_every_state(market)
    market.work_unit.npwp = "0123456789012345"
    market.coop.nib, market.coop.npwp = "9120001234567", "0987654321098765"
    paid = orders["paid"]

    releases = by_ocid(package_of(built(market.coop.id, "ocds")))[ocds.ocid_for(paid)]

    ocid = f"ocds-pumkm1-{market.coop.code}-{paid.number}"
    assert [r["ocid"] for r in releases] == [ocid] * 4
    assert [r["id"] for r in releases] == [f"{ocid}-tender", f"{ocid}-award", f"{ocid}-contract",
                                           f"{ocid}-implementation"]  # fmt: skip
    assert [r["date"] for r in releases] == ["2026-11-02T09:00:00+07:00", "2026-11-02T10:00:00+07:00",
                                             "2026-11-02T12:00:00+07:00", "2026-11-05T09:00:00+07:00"]  # fmt: skip
    last = releases[-1]
    buyer, supplier = last["parties"]
    assert buyer["identifier"] == {"scheme": "ID-KODE-SATKER", "id": market.work_unit.kode_satker,
                                   "legalName": buyer["name"]}  # fmt: skip
    assert buyer["additionalIdentifiers"] == [{"scheme": "ID-NPWP", "id": "0123456789012345"}]
    assert set(buyer["roles"]) == {"buyer", "procuringEntity", "payer"}
    assert last["buyer"] == {"id": buyer["id"], "name": buyer["name"]}
    assert supplier["identifier"]["id"] == "9120001234567" and supplier["identifier"]["scheme"] == "ID-NIB"
    assert supplier["additionalIdentifiers"] == [{"scheme": "ID-NPWP", "id": "0987654321098765"}]
    assert set(supplier["roles"]) == {"tenderer", "supplier", "payee"}
    tender = last["tender"]
    assert tender["procurementMethod"] == "direct"
    assert tender["procurementMethodDetails"] == "e-Purchasing Katalog Elektronik"
    assert tender["value"] == {"amount": paid.total, "currency": "IDR"}
    rice_line = paid.lines[0]
    assert tender["items"][0] == {
        "id": str(rice_line.id),
        "description": rice_line.name,
        "classification": {"scheme": "CPC", "id": rice_line.kbki_code[:5]},
        "quantity": 10,
        "unit": {"name": rice_line.unit_name, "value": {"amount": rice_line.unit_price, "currency": "IDR"}},
    }
    contract = last["contracts"][0]
    assert contract["dateSigned"] == "2026-11-02T12:00:00+07:00"  # the second signature
    assert contract["awardID"] == last["awards"][0]["id"]
    assert contract["implementation"]["transactions"] == [
        {"id": "SP2D-00991/2026", "date": "2026-11-05T09:00:00+07:00", "value": {"amount": paid.total,
         "currency": "IDR"}, "payer": last["buyer"], "payee": {"id": supplier["id"], "name": supplier["name"]}}
    ]  # fmt: skip
    assert "contracts" not in releases[1] and "awards" not in releases[0]


def test_cancellations_say_how_the_order_ended(db, market) -> None:
    orders = orders_in_every_state(market)
    releases = by_ocid(package_of(built(market.coop.id, "ocds")))

    refused = releases[ocds.ocid_for(orders["refused"])][-1]
    rejected = releases[ocds.ocid_for(orders["rejected"])][-1]
    after_accept = releases[ocds.ocid_for(orders["cancelled_after_accept"])][-1]
    done = releases[ocds.ocid_for(orders["done"])][-1]
    assert (refused["tender"]["status"], refused["date"]) == ("unsuccessful", "2026-11-02T15:00:00+07:00")
    assert rejected["tender"]["status"] == "cancelled"
    assert (after_accept["tender"]["status"], after_accept["awards"][0]["status"]) == ("complete", "cancelled")
    assert done["contracts"][0]["status"] == "terminated" and done["date"] == "2026-11-06T09:00:00+07:00"


def test_every_codelist_value_written_is_in_its_codelist(db, market) -> None:
    orders_in_every_state(market)
    package = package_of(built(None, "ocds"))

    used: dict[str, set] = {name: set() for name in ("releaseTag", "initiationType", "partyRole", "tenderStatus",
                                                     "awardStatus", "contractStatus", "method", "procurementCategory",
                                                     "currency", "itemClassificationScheme")}  # fmt: skip

    def values(node) -> None:
        if isinstance(node, dict):
            if "currency" in node:
                used["currency"].add(node["currency"])
            for child in node.values():
                values(child)
        elif isinstance(node, list):
            for child in node:
                values(child)

    for release in package["releases"]:
        values(release)
        used["releaseTag"].update(release["tag"])
        used["initiationType"].add(release["initiationType"])
        for party in release["parties"]:
            used["partyRole"].update(party["roles"])
        tender = release["tender"]
        used["tenderStatus"].add(tender["status"])
        used["method"].add(tender["procurementMethod"])
        used["procurementCategory"].add(tender["mainProcurementCategory"])
        used["itemClassificationScheme"].update(item["classification"]["scheme"] for item in tender["items"])
        used["awardStatus"].update(award["status"] for award in release.get("awards", []))
        used["contractStatus"].update(contract["status"] for contract in release.get("contracts", []))
    for name, found in used.items():
        assert found, name
        assert found <= codes(name), (name, found - codes(name))
    assert used["currency"] == {"IDR"}


def test_a_cooperative_exports_only_its_orders_and_the_operator_all(db, market) -> None:
    orders = orders_in_every_state(market)

    own = set(by_ocid(package_of(built(market.coop.id, "ocds"))))
    other = set(by_ocid(package_of(built(market.other_coop.id, "ocds"))))
    everything = package_of(built(None, "ocds"))

    assert own == {ocds.ocid_for(order) for key, order in orders.items() if key != "other"}
    assert other == {ocds.ocid_for(orders["other"])}
    assert set(by_ocid(everything)) == own | other
    assert schema_errors(everything) == []


def test_orders_are_read_in_batches_in_id_order(db, market) -> None:
    orders = [make_order(market) for _ in range(5)]

    read = [facts.order.id for facts in ocds.iter_order_facts(cooperative_ids=[market.coop.id], batch_size=2)]

    assert read == [order.id for order in orders]
    assert ocds.count_orders(cooperative_ids=[market.coop.id]) == 5
    assert ocds.count_orders(cooperative_ids=[market.other_coop.id]) == 0


def test_the_report_lists_what_an_orders_data_lacks(db, market) -> None:
    order = make_order(market)
    order.lines[0].kbki_code = "23161"
    market.coop.nib, market.coop.npwp = None, "0987654321098765"

    feed = built(market.coop.id, "ocds")

    report = read_bytes(feed.report_key).decode("utf-8-sig").splitlines()
    assert report[0] == "no_produk_penyedia,tingkat,kolom,pesan"
    assert {tuple(row[:3]) for row in csv.reader(report[1:])} == {
        (order.number, "peringatan", "parties.identifier"),
        (order.number, "peringatan", f"items.{order.lines[0].id}.classification"),
    }
    assert feed.warning_count == 2
    package = package_of(feed)
    assert schema_errors(package) == []
    assert "classification" not in package["releases"][0]["tender"]["items"][0]
    assert package["releases"][0]["parties"][1]["identifier"]["scheme"] == "ID-NPWP"


def test_ocds_is_full_only_and_needs_orders(db, market) -> None:
    make_order(market)
    with pytest.raises(ValidationFailed) as delta:
        new_feed(market.coop.id, "ocds", "delta")
    with pytest.raises(ValidationFailed) as empty:
        new_feed(market.other_coop.id, "ocds")

    assert "mode" in delta.value.fields
    assert empty.value.fields == {"shape": "Belum ada pesanan untuk diekspor."}


def test_a_manager_builds_and_downloads_the_ocds_export(db, market, client, login_as, run_tasks) -> None:
    make_order(market)
    login_as(market.manager)

    response = client.post_form("/koperasi/feed", {"shape": "ocds", "mode": "full"})
    feed = db.session.scalars(db.select(Feed).where(Feed.shape == "ocds")).one()
    run_tasks()
    db.session.refresh(feed)
    assert feed.status == "succeeded", feed.failure
    download = client.get(f"/feed/{feed.id}/unduh")
    page = client.get(f"/feed/{feed.id}").get_data(as_text=True)

    assert response.status_code == 302 and feed.cooperative_id == market.coop.id
    assert download.status_code == 200 and download.mimetype == "application/json"
    package = json.loads(download.get_data())
    assert schema_errors(package) == [] and len(package["releases"]) == 1
    assert 'data-count="orders"' in page


def test_the_feed_page_offers_ocds_and_refuses_a_delta_next_to_the_field(db, market, client, login_as) -> None:
    make_order(market)
    login_as(market.manager)

    page = client.get("/koperasi/feed").get_data(as_text=True)
    refused = client.post_form("/koperasi/feed", {"shape": "ocds", "mode": "delta"})

    assert 'value="ocds"' in page
    assert refused.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Feed)) == 0


def test_the_api_accepts_the_ocds_shape(db, market, client) -> None:
    from tests.api.conftest import ApiClient

    make_order(market)
    api = ApiClient(client)

    response = api.post("/feeds", {"shape": "ocds"}, user=market.operator)
    refused = api.post("/feeds", {"shape": "ocds", "mode": "delta", "cooperative_id": market.coop.id},
                       user=market.manager)  # fmt: skip

    assert response.status_code == 202 and response.get_json()["shape"] == "ocds"
    assert response.get_json()["cooperative_id"] is None
    assert refused.status_code == 422


def test_the_validator_sees_a_release_that_breaks_the_schema(db, market) -> None:
    make_order(market)
    facts = next(ocds.iter_order_facts(cooperative_ids=[market.coop.id]))
    release = ocds.releases_for(facts)[0]
    package = {"uri": "https://example.test/p.json", "version": "1.1", "publishedDate": "2026-11-02T09:00:00+07:00",
               "publisher": {"name": "Pasar UMKM"}, "releases": [release]}  # fmt: skip
    assert schema_errors(package) == []

    release["tender"]["procurementMethod"] = "e-purchasing"
    del release["initiationType"]

    assert len(schema_errors(package)) == 2
