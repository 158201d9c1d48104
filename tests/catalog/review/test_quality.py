"""The feed spec's checks (`catalog.quality.check_listing`), one rule at a time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.catalog.models import Product, ProductImage, ProductRevision, RegionalPrice, RevisionImage, Unit
from marketplace.catalog.quality import ERROR, WARNING, check_listing, duplicate_skus, has_large_image
from marketplace.extensions import db
from tests.catalog.review.conftest import submitted
from tests.factories import add_image, listing, seller

TODAY = date(2026, 3, 2)


def _kilogram() -> int:
    return db.session.scalar(db.select(Unit.id).where(Unit.name == "Kilogram"))


def transient(cooperative_id: int, *, sku: str = "BRS-001", image_side: int = 800, **values) -> tuple:
    """A product and revision that pass every check, built in memory (so they may break database constraints)."""
    product = Product(cooperative_id=cooperative_id, sku=sku, stock=10)
    fields = {
        "name": "Beras Premium 5 kg",
        "unit_id": _kilogram(),
        "kbki_code": "2316110001",
        "price": 72500,
        "tkdn_x100": 4550,
        "tkdn_certificate": "TKDN-2026-001",
        "bmp_x100": 500,
        "is_domestic": True,
        "valid_until": TODAY + timedelta(days=60),
        "short_description": "Beras pulen.",
        "stock": 10,
        "specifications": [],
    }
    fields.update(values)
    revision = ProductRevision(**fields)
    image = ProductImage(width=image_side, height=image_side, sizes=[])
    revision.images = [RevisionImage(image=image, position=0, is_main=True)]
    return product, revision


def codes(issues, level=None) -> set[str]:
    return {issue.code for issue in issues if level is None or issue.level == level}


@pytest.fixture
def coop_id(cooperative) -> int:
    return cooperative.id


def test_a_complete_listing_has_no_issue(db, coop_id) -> None:
    assert check_listing(*transient(coop_id), today=TODAY) == []


@pytest.mark.parametrize(
    ("values", "code", "field", "column"),
    [
        ({"name": ""}, "name_missing", "name", "nama_produk"),
        ({"name": "   "}, "name_missing", "name", "nama_produk"),
        ({"sku": ""}, "sku_missing", "sku", "no_produk_penyedia"),
        ({"unit_id": None}, "unit_missing", "unit", "unit_pengukuran"),
        ({"kbki_code": None}, "kbki_missing", "kbki", "kbki_id"),
        ({"kbki_code": "23161"}, "kbki_format", "kbki", "kbki_id"),
        ({"kbki_code": "23161100AB"}, "kbki_format", "kbki", "kbki_id"),
        ({"price": 0}, "price_not_positive", "price", "harga_pemerintah"),
        ({"price": -5}, "price_not_positive", "price", "harga_pemerintah"),
        ({"tkdn_x100": 10001}, "tkdn_range", "tkdn", "tkdn_produk"),
        ({"tkdn_x100": -1}, "tkdn_range", "tkdn", "tkdn_produk"),
        ({"bmp_x100": 1501}, "bmp_range", "bmp", "nilai_bmp"),
        ({"valid_until": TODAY - timedelta(days=1)}, "validity_past", "valid_until", "berlaku_sampai"),
        ({"valid_until": None}, "validity_missing", "valid_until", "berlaku_sampai"),
        ({"is_domestic": False}, "imported_with_tkdn", "is_domestic", "apakah_produk_lokal"),
    ],
)
def test_each_error(db, coop_id, values, code, field, column) -> None:
    sku = values.pop("sku", "BRS-001")
    issues = check_listing(*transient(coop_id, sku=sku, **values), today=TODAY)
    errors = [issue for issue in issues if issue.level == ERROR]
    assert [(e.code, e.field, e.column) for e in errors] == [(code, field, column)]
    assert errors[0].message and errors[0].is_error


def test_limits_themselves_are_accepted(db, coop_id) -> None:
    product, revision = transient(coop_id, tkdn_x100=10000, bmp_x100=1500, price=1, valid_until=TODAY)
    assert codes(check_listing(product, revision, today=TODAY), ERROR) == set()
    product, revision = transient(coop_id, is_domestic=False, tkdn_x100=0, tkdn_certificate=None)
    assert codes(check_listing(product, revision, today=TODAY), ERROR) == set()


def test_unknown_region_codes_are_errors_with_their_path(db, coop_id) -> None:
    product, revision = transient(coop_id)
    revision.regional_prices = [
        RegionalPrice(region_code="35", price=70000),
        RegionalPrice(region_code="35.76", price=71000),
        RegionalPrice(region_code="99.99", price=70000),
        RegionalPrice(region_code="35.76.02", price=70000),  # a kecamatan: not a price region
    ]
    errors = [i for i in check_listing(product, revision, today=TODAY) if i.level == ERROR]
    assert [(e.code, e.field, e.column) for e in errors] == [
        ("region_unknown", "regional_prices.2.region_code", "kode_wilayah"),
        ("region_unknown", "regional_prices.3.region_code", "kode_wilayah"),
    ]
    assert "99.99" in errors[0].message


def test_a_sku_another_published_product_uses_is_a_duplicate_ignoring_case(db, reference, cooperative) -> None:
    maker = seller(cooperative)
    listing(maker, reference, sku="BRS-001")
    product, revision = transient(cooperative.id, sku="brs-001 ")
    assert codes(check_listing(product, revision, today=TODAY), ERROR) == {"sku_duplicate"}
    other_coop = seller()
    product, revision = transient(other_coop.membership.cooperative_id, sku="brs-001")
    assert codes(check_listing(product, revision, today=TODAY), ERROR) == set()


def test_drafts_do_not_count_as_duplicates(db, reference, cooperative) -> None:
    maker = seller(cooperative)
    listing(maker, reference, sku="BRS-001", approved=False)
    product, revision = transient(cooperative.id, sku="brs-001")
    assert codes(check_listing(product, revision, today=TODAY)) == set()


def test_duplicate_skus_for_a_whole_cooperative_in_one_query(db, reference, cooperative) -> None:
    maker = seller(cooperative)
    first = listing(maker, reference, sku="BRS-001")
    second = listing(maker, reference, sku="BRS-TMP")
    second.sku = "brs-001"  # approval refuses such a duplicate; the feed must still catch old data
    listing(maker, reference, sku="BRS-002")
    db.session.flush()
    assert duplicate_skus(cooperative.id) == {"brs-001"}
    issues = check_listing(second, second.live_revision, duplicates=duplicate_skus(cooperative.id))
    assert "sku_duplicate" in codes(issues, ERROR)
    assert "sku_duplicate" in codes(check_listing(first, first.live_revision), ERROR)


@pytest.mark.parametrize(
    ("values", "code", "field", "column"),
    [
        ({"tkdn_certificate": None}, "tkdn_without_certificate", "tkdn_certificate", "nomor_tkdn"),
        ({"valid_until": TODAY + timedelta(days=14)}, "validity_ending", "valid_until", "berlaku_sampai"),
        ({"valid_until": TODAY}, "validity_ending", "valid_until", "berlaku_sampai"),
        ({"short_description": None}, "short_description_missing", "short_description", "deskripsi_singkat"),
        ({"short_description": "  "}, "short_description_missing", "short_description", "deskripsi_singkat"),
        ({"stock": 0}, "stock_zero", "stock", "kuantitas_stok"),
    ],
)
def test_each_warning(db, coop_id, values, code, field, column) -> None:
    issues = check_listing(*transient(coop_id, **values), today=TODAY)
    assert [(i.level, i.code, i.field, i.column) for i in issues] == [(WARNING, code, field, column)]


def test_fifteen_days_of_validity_and_self_declared_zero_tkdn_are_fine(db, coop_id) -> None:
    product, revision = transient(coop_id, valid_until=TODAY + timedelta(days=15), tkdn_x100=0, tkdn_certificate=None)
    assert check_listing(product, revision, today=TODAY) == []


def test_an_image_counts_when_a_300_px_version_exists_or_the_original_is_large_enough() -> None:
    assert has_large_image(ProductImage(width=1200, height=900, sizes=[]))
    assert has_large_image(ProductImage(width=200, height=300, sizes=[]))
    assert has_large_image(ProductImage(width=250, height=250, sizes=[50, 100, 300]))
    assert has_large_image(ProductImage(width=250, height=250, sizes=[800]))
    assert not has_large_image(ProductImage(width=299, height=120, sizes=[50, 100]))


def test_no_image_or_only_small_images_is_a_warning(db, coop_id) -> None:
    product, revision = transient(coop_id, image_side=120)
    assert codes(check_listing(product, revision, today=TODAY)) == {"no_large_image"}
    revision.images = []
    issue = check_listing(product, revision, today=TODAY)[0]
    assert (issue.level, issue.field, issue.column) == (WARNING, "images", "gambar_utama")


def test_errors_come_before_warnings(db, coop_id) -> None:
    product, revision = transient(coop_id, stock=0, price=0, short_description=None)
    levels = [issue.level for issue in check_listing(product, revision, today=TODAY)]
    assert levels == [ERROR, WARNING, WARNING]


def test_the_live_revision_is_checked_with_the_live_stock_and_validity(db, reference, cooperative) -> None:
    maker = seller(cooperative)
    product = listing(maker, reference, sku="BRS-009", tkdn_certificate="TKDN-2026-009")
    add_image(product.live_revision)
    today = date.today()
    assert codes(check_listing(product, product.live_revision, today=today)) == set()
    product.stock = 0  # e.g. sold out through orders, or a quick update without review
    product.valid_until = today - timedelta(days=1)
    assert codes(check_listing(product, product.live_revision, today=today)) == {"stock_zero", "validity_past"}


def test_a_proposed_revision_is_checked_with_its_own_values(db, reference, cooperative) -> None:
    maker = seller(cooperative)
    revision = submitted(maker, reference, stock=0, short_description="", tkdn_certificate="TKDN-1")
    assert codes(check_listing(revision.product, revision)) == {
        "stock_zero", "short_description_missing", "no_large_image",
    }  # fmt: skip
    add_image(revision, width=1000, height=800, sizes=())
    assert "no_large_image" not in codes(check_listing(revision.product, revision))
