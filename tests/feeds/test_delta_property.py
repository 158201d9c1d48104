"""Delta feeds are exact: the previous full feed plus every delta since equals a fresh full feed (issue 4).

Hypothesis drives the real catalog services in random order (new listings, approvals, revisions, rejections and
send-backs, quick stock and validity updates, withdrawals and re-activations) with delta feeds built by the real
`build_feed` in between. Every feed file is read back from the feed storage (datafeed JSON, and the CSV zip's three
sheets); records are keyed by SKU, and a record with `produk_aktif` 0 removes its product. The datafeed run also
checks that `/lkpp/v1/all_produk` serves, after the last delta, the same products as the fresh full feed.

The services commit, so the test runs on committed data (`committed_db`); each example gets a cooperative of its
own, which also gives it a delta chain of its own.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import Product
from marketplace.catalog.services import (
    approve_revision,
    create_listing,
    open_revision,
    reject_revision,
    request_changes,
    update_listing,
    update_stock,
    update_valid_until,
    withdraw_product,
)
from marketplace.catalog.states import EDITABLE_REVISION_STATES, ProductStatus, RevisionStatus
from marketplace.cooperatives.models import Cooperative
from marketplace.core.timeutil import to_jakarta, utcnow
from marketplace.extensions import db
from marketplace.feeds.models import Feed
from marketplace.feeds.services.build import build_feed
from marketplace.feeds.services.requests import request_feed
from marketplace.feeds.storage import feed_storage
from tests.factories import CooperativeFactory, catalog_reference, listing_data, seller, user_with_role

#: Products an example works on (slots 0…SLOTS-1); the first INITIAL are on sale before the first full feed.
SLOTS = 3
INITIAL = 2
MIN_STEPS, MAX_STEPS = 4, 14

# Steps ----------------------------------------------------------------------------------------------------------


class Step(NamedTuple):
    """One thing that happens to the catalog, or `feed`: a delta feed is built.

    `create` (a new listing, submitted), `approve` (the submitted version goes live), `publish` (a new version,
    approved at once), `revise` (a new version left waiting), `send_back`, `reject`, `stock` and `validity` (quick
    updates without review), `withdraw`, `reactivate` (a new version of a withdrawn product, approved).
    """

    action: str
    slot: int = 0
    value: Any = None


#: Listing fields a new version may change; the awkward texts are the spec's hard cases.
VARIANT = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["Beras Premium 5 kg", 'Kopi "Arabika", 250 g', "Batik tulis 🌺 motif Majapahit"]),
        "price": st.sampled_from([15_000, 72_500, 9_999_999_999]),
        "short_description": st.sampled_from(["", '=HYPERLINK("x")', 'Pulen, wangi; "asli" Mojokerto']),
        "description": st.sampled_from(["Satu baris.", "Baris satu,\nbaris dua\n\n+ tiga"]),
        "specifications": st.sampled_from(
            [[], [{"label": "Berat", "value": "5 kg"}], [{"label": "Bahan", "value": "-katun, sutra"}]]
        ),
        "regional_prices": st.sampled_from(
            [
                [],
                [{"region_code": "35.76", "price": 51_000, "shipping_cost": 0}],
                [
                    {"region_code": "35", "price": 52_000, "shipping_cost": 2_500},
                    {"region_code": "35.76", "price": 51_500, "shipping_cost": 0},
                ],
            ]
        ),
    }
)
SLOT = st.integers(0, SLOTS - 1)
STEP = st.one_of(
    st.builds(Step, st.just("create"), SLOT, VARIANT),
    st.builds(Step, st.just("approve"), SLOT, st.none()),
    st.builds(Step, st.just("publish"), SLOT, VARIANT),
    st.builds(Step, st.just("revise"), SLOT, VARIANT),
    st.builds(Step, st.just("send_back"), SLOT, st.none()),
    st.builds(Step, st.just("reject"), SLOT, st.none()),
    st.builds(Step, st.just("stock"), SLOT, st.sampled_from([0, 1, 40, 100_000_000])),
    st.builds(Step, st.just("validity"), SLOT, st.integers(1, 400)),
    st.builds(Step, st.just("withdraw"), SLOT, st.none()),
    st.builds(Step, st.just("reactivate"), SLOT, VARIANT),
    st.just(Step("feed")),
)


# The catalog of one example -------------------------------------------------------------------------------------


@dataclass
class Catalog:
    """A cooperative with one member and one manager, and the listings the steps work on."""

    cooperative_id: int
    seller_id: int
    manager_id: int
    reference: dict
    #: slot → product id, and the listing data last sent for it (API field names).
    products: dict[int, int] = field(default_factory=dict)
    data: dict[int, dict] = field(default_factory=dict)
    #: SKUs whose feed data changed since the last feed: exactly what the next delta must carry.
    changed: set[str] = field(default_factory=set)

    @property
    def seller(self) -> User:
        return db.session.get(User, self.seller_id)

    @property
    def manager(self) -> User:
        return db.session.get(User, self.manager_id)

    def product(self, slot: int) -> Product | None:
        product_id = self.products.get(slot)
        return db.session.get(Product, product_id) if product_id else None


def new_catalog(reference: dict) -> Catalog:
    """A cooperative that lets sellers change stock and price validity without review."""
    cooperative = CooperativeFactory(stock_needs_review=False, validity_needs_review=False)
    maker = seller(cooperative)
    manager = user_with_role(Role.COOP_MANAGER, cooperative=cooperative)
    db.session.commit()
    return Catalog(cooperative.id, maker.id, manager.id, reference)


def jakarta_today() -> date:
    return to_jakarta(utcnow()).date()


def listing_values(catalog: Catalog, slot: int, variant: dict, **overrides: Any) -> dict:
    """The full listing data for `slot` with the variant's changes."""
    base = catalog.data.get(slot) or listing_data(catalog.reference, sku=f"SKU-{slot}")
    data = {**base, **variant, **overrides}
    catalog.data[slot] = data
    return data


def _submitted(product: Product) -> bool:
    revision = open_revision(product)
    return revision is not None and revision.status == RevisionStatus.SUBMITTED


def _can_edit(product: Product) -> bool:
    revision = open_revision(product)
    return revision is None or revision.status in EDITABLE_REVISION_STATES


def _resubmit(catalog: Catalog, product: Product, slot: int, variant: dict) -> int:
    """A new version with the variant's data (the stock as it is now), submitted; returns the revision id."""
    data = listing_values(catalog, slot, variant, stock=product.stock, valid_until=_valid_until(product))
    return update_listing(actor=catalog.seller, product=product, data=data, submit=True).id


def _valid_until(product: Product) -> str:
    current = product.valid_until or jakarta_today() + timedelta(days=90)
    return max(current, jakarta_today() + timedelta(days=1)).isoformat()


def apply(catalog: Catalog, step: Step) -> bool:
    """Do the step through the catalog services if it makes sense in the current state; return whether it did."""
    product = catalog.product(step.slot)
    if step.action == "create":
        if product is not None:
            return False
        data = listing_values(catalog, step.slot, step.value)
        catalog.products[step.slot] = create_listing(actor=catalog.seller, data=data, submit=True).product_id
        return True
    if product is None:
        return False
    sku, published, status = product.sku, product.published_at is not None, product.status
    if step.action == "approve" and _submitted(product):
        approve_revision(actor=catalog.manager, revision_id=open_revision(product).id)
    elif step.action == "publish" and _can_edit(product):
        approve_revision(actor=catalog.manager, revision_id=_resubmit(catalog, product, step.slot, step.value))
    elif step.action == "revise" and _can_edit(product):
        _resubmit(catalog, product, step.slot, step.value)
        return True  # the live version stays on sale until the new one is approved
    elif step.action == "send_back" and _submitted(product):
        request_changes(actor=catalog.manager, revision_id=open_revision(product).id, notes="Mohon lengkapi foto.")
        return True
    elif step.action == "reject" and _submitted(product):
        reject_revision(actor=catalog.manager, revision_id=open_revision(product).id, reason="Harga tidak wajar.")
        return True
    elif step.action == "stock" and published:
        if product.stock == step.value:
            return False  # nothing changes, nothing to carry
        update_stock(actor=catalog.seller, product=product, stock=step.value)
    elif step.action == "validity" and published:
        valid_until = jakarta_today() + timedelta(days=step.value)
        if product.valid_until == valid_until:
            return False
        update_valid_until(actor=catalog.seller, product=product, valid_until=valid_until)
    elif step.action == "withdraw" and status == ProductStatus.ACTIVE:
        withdraw_product(actor=catalog.seller, product=product, reason="Stok habis musim ini.")
    elif step.action == "reactivate" and status == ProductStatus.WITHDRAWN and _can_edit(product):
        revision_id = _resubmit(catalog, product, step.slot, step.value)
        approve_revision(actor=catalog.manager, revision_id=revision_id)
    else:
        return False
    catalog.changed.add(sku)
    return True


# Feeds, read back -----------------------------------------------------------------------------------------------


def build(catalog: Catalog, shape: str, mode: str) -> Feed:
    """Request a feed of the cooperative and build it here, as `flask feeds export --now` does; it must succeed."""
    feed = request_feed(
        cooperative_id=catalog.cooperative_id,
        shape=shape,
        mode=mode,
        requested_by_id=catalog.manager_id,
        trigger="cli",
        enqueue=False,
    )
    db.session.commit()
    feed = build_feed(feed.id)
    assert feed.status == "succeeded", feed.failure
    return feed


def read_file(feed: Feed) -> bytes:
    return b"".join(feed_storage().open_stream(feed.storage_key, 64 * 1024))


def datafeed_records(content: bytes) -> dict[str, dict]:
    """The datafeed file's products by SKU."""
    document = json.loads(content)
    products = document["produk"]
    assert document["total"] == len(products)
    return by_sku(products, lambda product: product["informasi"]["no_produk_penyedia"])


#: The CSV zip's files end in `_{sheet}.csv`.
SHEETS = ("produk", "harga_wilayah", "spesifikasi")


def csv_records(content: bytes) -> dict[str, dict]:
    """The CSV zip's products by SKU: the `Produk` row with its `Harga Wilayah` and `Spesifikasi` rows."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        rows = {
            sheet: _csv_rows(archive.read(name)) for sheet in SHEETS for name in names if name.endswith(f"_{sheet}.csv")
        }
    assert sorted(rows) == sorted(SHEETS) and len(names) == len(SHEETS)
    records = by_sku(rows["produk"], lambda row: row["no_produk_penyedia"])
    items: dict[str, dict[str, list]] = {sku: {"harga_wilayah": [], "spesifikasi": []} for sku in records}
    for sheet in ("harga_wilayah", "spesifikasi"):
        for row in rows[sheet]:
            items[row["no_produk_penyedia"]][sheet].append(row)
    return {sku: {"produk": row, **items[sku]} for sku, row in records.items()}


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def by_sku(items: list, sku_of) -> dict[str, Any]:
    records = {sku_of(item): item for item in items}
    assert len(records) == len(items), "a SKU appears twice in one feed"
    return records


READERS = {"datafeed": datafeed_records, "csv": csv_records}


def is_withdrawn(shape: str, record: dict) -> bool:
    if shape == "datafeed":
        return record["informasi"]["produk_aktif"] == 0
    return record["produk"]["produk_aktif"] == "0"


def stock_and_price(shape: str, record: dict) -> tuple[int, int]:
    if shape == "datafeed":
        return int(record["informasi"]["kuantitas_stok"]), int(record["harga"]["harga_pemerintah"])
    return int(record["produk"]["kuantitas_stok"]), int(record["produk"]["harga_pemerintah"])


def catalog_of(shape: str, full: dict[str, dict]) -> dict[str, dict]:
    """What a consumer keeps of a full feed: the products on sale (a full datafeed, being the whole snapshot, also
    lists withdrawn products, with `produk_aktif` 0)."""
    return {sku: record for sku, record in full.items() if not is_withdrawn(shape, record)}


def apply_delta(shape: str, state: dict[str, dict], delta: dict[str, dict]) -> None:
    """What a consumer does with a delta: replace changed products, remove withdrawn ones."""
    for sku, record in delta.items():
        if is_withdrawn(shape, record):
            state.pop(sku, None)
        else:
            state[sku] = record


def on_sale(cooperative_id: int) -> dict[str, tuple[int, int]]:
    """SKU → (stock, live price) of the cooperative's products on sale, from the database."""
    products = db.session.scalars(
        select(Product).where(Product.cooperative_id == cooperative_id, Product.status == ProductStatus.ACTIVE)
    )
    return {product.sku: (product.stock, product.live_revision.price) for product in products}


def served_by_datafeed(app, cooperative_id: int) -> dict[str, dict]:
    """What e-Katalog pulls from /lkpp/v1/all_produk now (every page), by SKU."""
    key = db.session.get(Cooperative, cooperative_id).datafeed_key
    products: list[dict] = []
    with app.test_client() as client:
        for page in range(1, 1000):
            body = client.get("/lkpp/v1/all_produk", query_string={"secretkey": key, "page": page, "per_page": 2})
            assert body.status_code == 200
            chunk = body.get_json()["produk"]
            if not chunk:
                break
            products.extend(chunk)
    return by_sku(products, lambda product: product["informasi"]["no_produk_penyedia"])


# The property ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["datafeed", "csv"])
def test_previous_full_plus_every_delta_equals_a_fresh_full(app, committed_db, monkeypatch, shape: str) -> None:
    # Deltas normally reach a little before the previous feed (FEEDS_DELTA_OVERLAP_SECONDS) to be safe against
    # late commits; here every change is seconds old, so without this every delta would hold everything.
    monkeypatch.setitem(app.config, "FEEDS_DELTA_OVERLAP_SECONDS", 0)
    reference = catalog_reference()
    committed_db.session.commit()
    read = READERS[shape]

    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(steps=st.lists(STEP, min_size=MIN_STEPS, max_size=MAX_STEPS))
    def check(steps: list[Step]) -> None:
        db.session.rollback()
        catalog = new_catalog(reference)
        for slot in range(INITIAL):
            apply(catalog, Step("create", slot, {}))
            apply(catalog, Step("approve", slot))
        state = catalog_of(shape, read(read_file(build(catalog, shape, "full"))))
        assert set(state) == set(on_sale(catalog.cooperative_id))
        catalog.changed.clear()

        for step in [*steps, Step("feed")]:
            if step.action == "feed":
                delta = read(read_file(build(catalog, shape, "delta")))
                assert set(delta) == catalog.changed
                catalog.changed.clear()
                apply_delta(shape, state, delta)
            elif apply(catalog, step):
                event(f"{step.action} done")

        if shape == "datafeed":
            assert served_by_datafeed(app, catalog.cooperative_id) == state
        fresh = catalog_of(shape, read(read_file(build(catalog, shape, "full"))))
        assert state == fresh
        expected = on_sale(catalog.cooperative_id)
        assert {sku: stock_and_price(shape, record) for sku, record in fresh.items()} == expected

    check()
