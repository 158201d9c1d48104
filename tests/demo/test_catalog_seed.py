"""The demo's products after a full `seed_demo()`: counts, the review stages, search, PPN, images and history.

The demo is seeded once for this module (`demo_catalog`, about a minute) and read by every test.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.catalog.models import CatalogEntry, Product, ProductRevision
from marketplace.catalog.search.query import search_catalog
from marketplace.catalog.search.text import stems
from marketplace.catalog.services import review_queue
from marketplace.catalog.services.media import sized_file
from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import AuditEvent
from marketplace.core.money import with_ppn
from marketplace.core.timeutil import today_wib, utcnow
from marketplace.demo.product_templates import kind_of
from marketplace.feeds.services.queries import latest_datafeed

pytestmark = pytest.mark.usefixtures("demo_catalog")

#: Where each kind of business files its products (category path prefixes).
CATEGORIES_OF_KIND = {
    "beras": ("Bahan Pokok/Beras dan Serealia/",),
    "sembako": ("Bahan Pokok/",),
    "batik": ("Tekstil/",),
    "kue": ("Makanan Olahan/Kue Tradisional/", "Makanan Olahan/Roti dan Kue/"),
    "kerupuk": ("Makanan Olahan/Makanan Ringan/",),
    "alas_kaki": ("Alas Kaki/",),
    "konveksi": ("Tekstil/Pakaian Jadi/",),
    "katering": ("Jasa/Katering/",),
    "percetakan": ("Jasa/Percetakan/",),
    "kopi": ("Makanan Olahan/Kopi dan Teh/",),
}


def products_by_cooperative(db) -> dict[Cooperative, list[Product]]:
    grouped: dict[Cooperative, list[Product]] = defaultdict(list)
    for product in db.session.scalars(select(Product).order_by(Product.id)):
        grouped[product.cooperative].append(product)
    return grouped


def open_revision_of(product: Product) -> ProductRevision | None:
    return next((r for r in product.revisions if r.status in ("draft", "submitted", "changes_requested")), None)


def path_of(revision: ProductRevision) -> str:
    names, category = [], revision.category
    while category is not None:
        names.insert(0, category.name)
        category = category.parent
    return "/".join(names)


def test_the_summary_counts_the_products_and_no_task_was_queued(demo_catalog, db) -> None:
    count = db.session.scalar(select(func.count(Product.id)))
    assert demo_catalog.summary.products == count
    assert 18 * 10 <= count <= 18 * 30
    assert demo_catalog.published_tasks == []  # no "listing approved" emails, no resize tasks (done already)
    print(f"seed_demo() with {count} products took {demo_catalog.seconds:.1f} s")


def test_each_cooperative_lists_10_to_30_products_of_its_active_members(db) -> None:
    grouped = products_by_cooperative(db)
    assert len(grouped) == 18
    for cooperative, products in grouped.items():
        assert 10 <= len(products) <= 30, cooperative.name
        for product in products:
            membership = product.seller.membership
            assert membership.cooperative_id == cooperative.id and membership.status == "active"
        assert len({product.sku for product in products}) == len(products)


def test_products_match_their_makers_business(db) -> None:
    kinds = Counter()
    for product in db.session.scalars(select(Product)):
        kind = kind_of(product.seller.seller_profile.kbli_codes)
        kinds[kind] += 1
        revision = product.revisions[0]
        assert path_of(revision).startswith(CATEGORIES_OF_KIND[kind]), (product.seller.seller_profile, revision.name)
        assert revision.category.level == 3
    assert len(kinds) >= 8


def test_every_cooperative_shows_every_stage_of_the_review(db) -> None:
    for cooperative, products in products_by_cooperative(db).items():
        statuses = Counter(product.status for product in products)
        assert statuses["active"] > len(products) / 2, cooperative.name  # most are on sale
        assert 1 <= statuses["withdrawn"] <= 2
        waiting_new = [p for p in products if p.status == "draft" and open_revision_of(p).status == "submitted"]
        sent_back = [p for p in products if p.status == "draft" and open_revision_of(p).status == "changes_requested"]
        price_changes = [
            p
            for p in products
            if p.status == "active"
            and (proposal := open_revision_of(p)) is not None
            and proposal.status == "submitted"
            and proposal.price != p.live_revision.price
        ]
        second_versions = [p for p in products if p.live_revision and p.live_revision.number == 2]
        assert len(waiting_new) >= 2 and len(sent_back) >= 1 and len(price_changes) >= 1, cooperative.name
        assert second_versions and all(p.revisions[0].status == "superseded" for p in second_versions)
        assert all(open_revision_of(p).decision_note for p in sent_back)
        assert all(p.live_revision is not None for p in products if p.status != "draft")
    refused = db.session.scalars(select(ProductRevision).where(ProductRevision.status == "rejected")).all()
    assert refused and all(revision.decision_note for revision in refused)
    withdrawals = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "product.withdraw")).all()
    assert withdrawals and all(event.reason for event in withdrawals)


def test_review_queue_of_a_cooperative_is_the_last_days_oldest_first(db) -> None:
    cooperative = db.session.scalar(select(Cooperative).where(Cooperative.code == "kkmp-gununggedangan"))
    queue = db.session.scalars(review_queue(cooperative_id=cooperative.id)).all()
    assert len(queue) >= 3
    moments = [revision.submitted_at for revision in queue]
    assert moments == sorted(moments)
    assert utcnow() - timedelta(days=10) <= moments[0] and moments[-1] < utcnow()


def test_products_on_sale_have_a_catalog_entry_and_a_resized_main_image(db) -> None:
    products = db.session.scalars(select(Product)).all()
    on_sale = {product.id: product for product in products if product.status == "active"}
    entries = {entry.product_id: entry for entry in db.session.scalars(select(CatalogEntry))}
    assert set(entries) == set(on_sale)
    for product_id, product in on_sale.items():
        entry = entries[product_id]
        assert entry.revision_id == product.live_revision_id and entry.published_at == product.published_at
        main = next(link.image for link in product.live_revision.images if link.is_main)
        assert entry.main_image_id == main.id
        assert (main.width, main.height, main.sizes) == (800, 800, [50, 100, 300, 800])
        assert all(sized_file(main, size) is not None for size in main.sizes)
    for product in products:
        assert len(product.revisions[0].images) == 1


def test_thumbnails_are_served_at_once(db, client) -> None:
    entry = db.session.scalars(select(CatalogEntry).order_by(CatalogEntry.product_id)).first()
    with client.get(f"/media/gambar/{entry.main_image_id}/300") as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        data = response.get_data()
    with Image.open(BytesIO(data)) as picture:
        assert picture.size == (300, 300)


def test_search_finds_the_staples_in_their_inflected_forms(db, client) -> None:
    (beras,) = stems("beras")
    page = search_catalog(text="beras", per_page=100)
    with_beras = [e for e in db.session.scalars(select(CatalogEntry)) if beras in stems(e.search_text)]
    assert page.total == len(with_beras) >= 5
    assert {hit.entry.product_id for hit in page.items} == {entry.product_id for entry in with_beras}
    oil = {hit.entry.product_id for hit in search_catalog(text="minyak goreng", per_page=100).items}
    cooking_oils = {e.product_id for e in db.session.scalars(select(CatalogEntry)) if "Minyak Goreng" in e.name}
    assert cooking_oils and cooking_oils <= oil
    batik = search_catalog(text="batik tulis", per_page=100)
    assert batik.total >= 1
    listing = client.get("/katalog?q=beras")
    assert listing.status_code == 200
    assert page.items[0].entry.name in listing.get_data(as_text=True)


def test_ppn_is_11_percent_in_pkp_cooperatives_and_0_elsewhere(db) -> None:
    seen = set()
    for cooperative, products in products_by_cooperative(db).items():
        expected = 11 if cooperative.is_pkp else 0
        seen.add(expected)
        for product in products:
            assert {revision.ppn_percent for revision in product.revisions} == {expected}
            entry = db.session.get(CatalogEntry, product.id)
            if entry is not None:
                assert entry.price_with_ppn == with_ppn(entry.price, expected)
    assert seen == {0, 11}


def test_listings_carry_realistic_e_katalog_data(db) -> None:
    today = today_wib()
    live = [p.live_revision for p in db.session.scalars(select(Product)) if p.live_revision is not None]
    names = " | ".join(revision.name for revision in live)
    for staple in (
        "Beras", "Minyak Goreng", "Gula Pasir", "Telur Ayam", "Tepung Terigu", "Batik Tulis Majapahit", "Onde-onde",
        "Kerupuk", "Sepatu", "Nasi Kotak",
    ):  # fmt: skip
        assert staple in names
    for revision in live:
        assert revision.price > 0 and revision.stock > 0 and revision.min_order >= 1
        assert 59 <= (revision.valid_until - today).days <= 180
        assert revision.is_domestic and 2000 <= revision.tkdn_x100 <= 9500 and 0 <= revision.bmp_x100 <= 1500
        assert "\n" in revision.description and revision.specifications and revision.short_description
        assert len(revision.kbki_code) == 10 and revision.unit is not None and revision.weight_grams > 0
        if revision.tkdn_certificate:
            assert [a.attachment.content_type for a in revision.attachments] == ["application/pdf"]
    certified = [revision for revision in live if revision.tkdn_certificate]
    assert 0 < len(certified) < len(live)
    regions = Counter(rp.region_code for revision in live for rp in revision.regional_prices)
    assert {"35", "35.16", "35.76"} <= set(regions)
    catering = [revision for revision in live if path_of(revision).startswith("Jasa/Katering/")]
    assert catering and all(not revision.national_price for revision in catering)
    assert all({rp.region_code for rp in revision.regional_prices} == {"35.16", "35.76"} for revision in catering)
    assert any(revision.unit.name == "Pasang" for revision in live)


def test_history_is_dated_back_in_order(db) -> None:
    now = utcnow()
    published = []
    for product in db.session.scalars(select(Product)):
        joined = product.seller.membership.decided_at
        assert joined < product.created_at <= product.updated_at <= now
        if product.published_at is not None:
            assert product.created_at <= product.published_at <= product.feed_changed_at <= now
            published.append(product.published_at)
        previous = product.created_at
        for revision in product.revisions:
            moments = [revision.created_at, revision.submitted_at, revision.decided_at]
            moments = [moment for moment in moments if moment is not None]
            assert moments == sorted(moments) and previous <= moments[0] and moments[-1] <= now
            previous = moments[-1]
    assert max(published) - min(published) > timedelta(days=60)
    submitted = db.session.scalars(select(ProductRevision).where(ProductRevision.submitted_at.is_not(None))).all()
    events = {
        (event.action, event.subject_id): event.created_at
        for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(["revision.submit", "revision.approve"]))
        )
    }
    for revision in submitted:
        assert events[("revision.submit", revision.id)] == revision.submitted_at
        if revision.status in ("approved", "superseded"):
            assert events[("revision.approve", revision.id)] == revision.decided_at


def test_every_cooperative_has_a_datafeed_that_e_katalog_can_pull(demo_catalog, db, client) -> None:
    assert demo_catalog.summary.feeds == 18
    for cooperative in db.session.scalars(select(Cooperative)):
        feed = latest_datafeed(cooperative.id)
        assert feed is not None and feed.status == "succeeded", cooperative.name
        on_sale = db.session.scalar(
            select(func.count(Product.id)).where(Product.cooperative_id == cooperative.id, Product.status == "active")
        )
        assert feed.product_count - feed.withdrawn_count == on_sale - feed.error_count
        body = client.get("/lkpp/v1/all_produk", query_string={"secretkey": cooperative.datafeed_key}).get_json()
        assert body["total"] == on_sale - feed.error_count > 0
        assert {item["informasi"]["produk_aktif"] for item in body["produk"]} == {1}
