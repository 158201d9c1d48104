"""Which products a feed reads, in which order, and every value of a record."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from marketplace.catalog.models import RegionalPrice
from marketplace.catalog.rules import listing_to_raw
from marketplace.catalog.services import update_listing, update_stock
from marketplace.extensions import db
from marketplace.feeds.records import CooperativeInfo, count_records, iter_records, plain_text
from marketplace.feeds.writers.datafeed import product_document
from tests.feeds.conftest import FEED_ORDER, FEED_TIMES

LATER = datetime(2030, 1, 1, tzinfo=UTC)
BASE = "http://127.0.0.1:5000"


def _read(catalog=None, **options) -> tuple[list, int]:
    arguments = {
        "cooperative_ids": [catalog.cooperative.id] if catalog else None,
        "changed_since": None,
        "until": LATER,
        "include_withdrawn": False,
        **options,
    }
    batch_size = arguments.pop("batch_size", 2000)
    records = list(iter_records(**arguments, batch_size=batch_size))
    return records, count_records(**arguments)


def _skus(catalog, keys) -> list[str]:
    return [catalog.sku(key) for key in keys]


def by_sku(records) -> dict:
    return {record.sku: record for record in records}


# Which products, in which order ------------------------------------------------------------------------------------


def test_a_full_feed_reads_every_product_on_sale_in_feed_order(feed_catalog) -> None:
    records, count = _read(feed_catalog)
    expected = _skus(feed_catalog, [key for key in FEED_ORDER if key != "withdrawn"])
    assert [record.sku for record in records] == expected
    assert count == len(expected)
    assert all(record.is_active and record.produk_aktif == 1 for record in records)


def test_withdrawn_products_come_when_asked(feed_catalog) -> None:
    records, count = _read(feed_catalog, include_withdrawn=True)
    assert [record.sku for record in records] == _skus(feed_catalog, FEED_ORDER)
    withdrawn = records[FEED_ORDER.index("withdrawn")]
    assert (withdrawn.is_active, withdrawn.produk_aktif) == (False, 0)
    assert count == len(FEED_ORDER)


def test_drafts_never_come_and_other_cooperatives_only_when_asked(feed_catalog) -> None:
    records, _ = _read(feed_catalog, include_withdrawn=True)
    assert feed_catalog.sku("draft") not in by_sku(records)
    everything, count = _read(None, include_withdrawn=True)
    assert count == len(everything) == len(FEED_ORDER) + 1
    assert [r.sku for r in everything if r.cooperative.id == feed_catalog.other_cooperative.id] == ["OTHER-001"]
    # Ordered by cooperative first.
    cooperatives = [record.cooperative.id for record in everything]
    assert cooperatives == sorted(cooperatives)


def test_a_delta_holds_the_changes_after_its_start_up_to_its_end_withdrawals_included(feed_catalog) -> None:
    since = FEED_TIMES["tricky"]  # exclusive
    until = FEED_TIMES["withdrawn"]  # inclusive
    records, count = _read(feed_catalog, changed_since=since, until=until, include_withdrawn=True)
    assert [record.sku for record in records] == _skus(
        feed_catalog, ["kbki_zero", "big_price", "no_image", "html", "withdrawn"]
    )
    assert count == 5
    records, count = _read(feed_catalog, changed_since=since, until=until, include_withdrawn=False)
    assert feed_catalog.sku("withdrawn") not in by_sku(records) and count == 4


def test_small_batches_give_the_same_records(feed_catalog) -> None:
    assert (
        _read(feed_catalog, batch_size=2, include_withdrawn=True)[0] == _read(feed_catalog, include_withdrawn=True)[0]
    )


def test_stopping_early_closes_the_cursor(feed_catalog) -> None:
    stream = iter_records(cooperative_ids=None, changed_since=None, until=LATER, include_withdrawn=True, batch_size=2)
    assert next(stream).sku == feed_catalog.sku("beras")
    stream.close()
    # The connection is usable again at once.
    assert count_records(cooperative_ids=None, changed_since=None, until=LATER, include_withdrawn=True) == 9


# The values of a record ---------------------------------------------------------------------------------------------


def test_a_complete_record(feed_catalog) -> None:
    beras = by_sku(_read(feed_catalog)[0])["BERAS-001"]
    product = feed_catalog.products["beras"]
    revision = product.live_revision
    images = [link.image_id for link in sorted(revision.images, key=lambda link: link.position)]
    attachment = revision.attachments[0].attachment_id
    cooperative = feed_catalog.cooperative
    assert beras.cooperative == CooperativeInfo(
        cooperative.id, cooperative.code, "KKMP Gununggedangan", "0123456789012", "0012345678901234", "35.76.02.1001"
    )
    assert (beras.product_id, beras.revision_id) == (product.id, revision.id)
    assert (beras.name, beras.brand, beras.kbki_code, beras.unit_name) == (
        "Beras Premium Majapahit 5 kg", "Majapahit", "2316110001", "Karung",
    )  # fmt: skip
    assert (beras.category_1, beras.category_2, beras.category_3) == ("Bahan Pokok", "Beras dan Serealia", "Beras")
    assert (beras.tkdn_x100, beras.bmp_x100, beras.tkdn_bmp_x100) == (4550, 500, 5050)
    assert (beras.is_domestic, beras.is_local, beras.jenis_produk) == (True, 1, "lokal")
    assert (beras.price, beras.ppn_percent, beras.price_with_ppn, beras.retail_price) == (72500, 11, 80475, 80000)
    assert (beras.stock, beras.min_order, beras.weight_grams) == (40, 1, 5000)
    assert beras.valid_until == product.valid_until
    assert (beras.tkdn_certificate, beras.sni_number) == ("TKDN-2026-0001", "SNI 6128:2020")
    assert (beras.maker_name, beras.skala_usaha) == ("UD Beras Siti", "kecil")
    assert beras.url == f"{BASE}/katalog/produk/{product.id}"
    assert beras.image_urls == tuple(f"{BASE}/media/gambar/{image}/800" for image in images)
    assert beras.main_image_url == beras.main_image_800 == beras.image_urls[0]
    assert beras.main_image_50 == f"{BASE}/media/gambar/{images[0]}/50"
    assert beras.other_image_urls == beras.image_urls[1]
    assert beras.has_large_image
    assert [tuple(item) for item in beras.specifications] == [("Berat", "5 kg"), ("Jenis", "Pulen")]
    assert [tuple(item) for item in beras.regional_prices] == [
        ("35", "Jawa Timur", 73000, 5000),
        ("35.76", "Kota Mojokerto", 72000, 0),
    ]
    assert beras.region_codes == ("35", "35.76")
    assert [tuple(item) for item in beras.attachments] == [(f"{BASE}/media/lampiran/{attachment}", "Sertifikat TKDN")]
    assert beras.updated_wib == "2026-11-20 08:00:00"  # 01:00 UTC
    assert beras.updated_at == FEED_TIMES["beras"]
    assert beras.updated_on == date(2026, 11, 20)
    assert (beras.currency_id, beras.lkpp_brand_id) == (1, None)


def test_the_main_image_comes_first_whatever_its_position(feed_catalog) -> None:
    revision = feed_catalog.products["beras"].live_revision
    first, second = sorted(revision.images, key=lambda link: link.position)
    first.is_main, second.is_main = False, True
    db.session.flush()
    beras = by_sku(_read(feed_catalog)[0])["BERAS-001"]
    assert beras.main_image_url == f"{BASE}/media/gambar/{second.image_id}/800"


def test_hard_cases_keep_their_text(feed_catalog) -> None:
    records = by_sku(_read(feed_catalog)[0])
    tricky = records["TRICKY-001"]
    assert tricky.name == '=SUM(A1:A2) Beras, "Spesial"'
    assert tricky.brand == "+62 Jaya"
    assert tricky.description == 'Isi 5 kg, "premium", pulen;\nBaris dua, koma, titik.\nBaris tiga 🍚🌾 selesai'
    assert [tuple(item) for item in tricky.specifications] == [
        ("@Asal", "Mojokerto, Jawa Timur"), ("\tTab", "\rCR"), ("Rasa", "Gurih 😋"),
    ]  # fmt: skip
    assert tricky.has_large_image  # 400 × 300 with a 300 px version
    assert tricky.other_image_urls is None
    html = records["HTML-001"]
    assert html.description == "Beras pulen & wangi\nBaris dua\nBaris tiga"
    assert html.short_description == "Beras wangi & pulen"


def test_codes_numbers_and_missing_things(feed_catalog) -> None:
    records = by_sku(_read(feed_catalog)[0])
    kbki_zero = records["KBKI-ZERO-001"]
    assert (kbki_zero.kbki_code, kbki_zero.weight_grams) == ("0111100001", 250)
    assert (kbki_zero.is_local, kbki_zero.jenis_produk, kbki_zero.tkdn_x100) == (0, "impor", 0)
    assert kbki_zero.retail_price == kbki_zero.price_with_ppn == 72500  # no retail price: the price with PPN
    big = records["BIG-PRICE-001"]
    assert (big.price, big.price_with_ppn, big.stock) == (9_999_999_999_999, 11_199_999_999_999, 0)
    no_image = records["NO-IMAGE-001"]
    assert (no_image.image_urls, no_image.has_large_image, no_image.main_image_url) == ((), False, None)
    assert no_image.main_image(300) is None
    assert (no_image.specifications, no_image.regional_prices, no_image.attachments) == ((), (), ())


def test_the_live_version_with_the_live_stock_and_validity(feed_catalog) -> None:
    """A quick stock update counts at once; a revision waiting for review does not."""
    catalog = feed_catalog
    product = catalog.products["beras"]
    catalog.cooperative.stock_needs_review = False
    update_stock(actor=catalog.maker, product=product, stock=7)
    data = listing_to_raw(product.sku, product.live_revision, "Karung") | {"name": "Beras Baru", "price": 99000}
    update_listing(actor=catalog.maker, product=product, data=data, submit=True)
    beras = by_sku(_read(catalog)[0])["BERAS-001"]
    assert (beras.stock, beras.name, beras.price) == (7, "Beras Premium Majapahit 5 kg", 72500)
    product.valid_until = catalog.today + timedelta(days=3)
    db.session.flush()
    assert by_sku(_read(catalog)[0])["BERAS-001"].valid_until == catalog.today + timedelta(days=3)


def test_an_unknown_region_has_no_name(feed_catalog) -> None:
    revision = feed_catalog.products["no_image"].live_revision
    db.session.add(RegionalPrice(revision_id=revision.id, region_code="99.99", price=1000, shipping_cost=0))
    db.session.flush()
    record = by_sku(_read(feed_catalog)[0])["NO-IMAGE-001"]
    assert [tuple(item) for item in record.regional_prices] == [("99.99", "", 1000, 0)]


def test_urls_use_the_public_base_url_even_inside_a_request(app, feed_catalog) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://pasar.example.id/umkm/"
    try:
        with app.test_request_context("/", base_url="http://other.host"):
            beras = by_sku(_read(feed_catalog)[0])["BERAS-001"]
    finally:
        app.config["PUBLIC_BASE_URL"] = BASE
    assert beras.url.startswith("https://pasar.example.id/umkm/katalog/produk/")
    assert beras.image_urls[0].startswith("https://pasar.example.id/umkm/media/gambar/")


# Helpers -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        (None, None),
        ("", ""),
        ("Harga < 5 & stok > 3", "Harga < 5 & stok > 3"),
        ("Baris\r\ndua\rtiga", "Baris\ndua\ntiga"),
        ("<p>Satu</p><p>Dua &amp; <b>tiga</b></p>", "Satu\nDua & tiga"),
        ("Satu<br/>Dua<BR>Tiga<!-- catatan -->", "Satu\nDua\nTiga"),
        ('<ul><li>A</li><li>B</li></ul><script src="x">', "A\nB"),
    ],
)
def test_plain_text(text, plain) -> None:
    assert plain_text(text) == plain


def test_prefetching_hands_over_every_batch_then_the_error() -> None:
    from marketplace.feeds.reading import _prefetched

    def failing():
        yield [1]
        yield [2]
        raise ConnectionError("server closed the connection")

    received = []
    with pytest.raises(ConnectionError):
        for batch in _prefetched(failing(), depth=1):
            received.append(batch)
    assert received == [[1], [2]]


def test_closing_a_prefetching_stream_stops_its_thread() -> None:
    import itertools
    import threading

    from marketplace.feeds.reading import _prefetched

    stream = _prefetched(([number] for number in itertools.count()), depth=1)
    assert next(stream) == [0]
    stream.close()
    assert not [thread for thread in threading.enumerate() if thread.name == "feed-records-prefetch"]


def test_a_product_never_marked_for_feeds_comes_first_on_every_database(feed_catalog) -> None:
    feed_catalog.products["html"].feed_changed_at = None  # data from before feeds existed
    db.session.flush()
    records, _ = _read(feed_catalog)
    assert records[0].sku == "HTML-001"
    assert (records[0].updated_wib, records[0].updated_at, records[0].updated_on) == (None, None, None)
    assert product_document(records[0])["informasi"]["tanggal_update"] is None


def test_a_maker_without_a_business_profile_counts_as_mikro_as_in_search(feed_catalog) -> None:
    db.session.delete(feed_catalog.maker.seller_profile)
    db.session.flush()
    records, _count = _read(feed_catalog)
    assert by_sku(records)[feed_catalog.sku("beras")].skala_usaha == "mikro"  # never "", which e-Katalog refuses
