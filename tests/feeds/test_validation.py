"""A feed checks each record with the same rules and messages as the cooperative's review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from marketplace.catalog.models import RegionalPrice
from marketplace.catalog.quality import ERROR, WARNING, check_listing, duplicate_skus
from marketplace.extensions import db
from marketplace.feeds.records import iter_records
from marketplace.feeds.validation import catalog_translator, check_record, is_duplicate

LATER = datetime(2030, 1, 1, tzinfo=UTC)


def _records(catalog) -> dict:
    records = iter_records(
        cooperative_ids=[catalog.cooperative.id], changed_since=None, until=LATER, include_withdrawn=True
    )
    return {record.sku: record for record in records}


def _as_tuples(issues) -> list[tuple]:
    return [(i.level, i.code, i.field, i.column, i.message) for i in issues]


@pytest.mark.parametrize("locale", ["id", "en"])
def test_each_record_has_the_issues_of_its_live_listing(app, feed_catalog, locale) -> None:
    catalog = feed_catalog
    records = _records(catalog)
    duplicates = duplicate_skus(catalog.cooperative.id)
    with app.test_request_context(), force_locale(locale):
        for key in catalog.published_keys:
            if key == "withdrawn":
                continue
            product = catalog.products[key]
            expected = check_listing(product, product.live_revision, today=catalog.today, duplicates=duplicates)
            record = records[product.sku]
            assert _as_tuples(check_record(record, today=catalog.today, duplicate_skus=duplicates)) == _as_tuples(
                expected
            ), key
            translated = check_record(
                record, today=catalog.today, duplicate_skus=duplicates, translate=catalog_translator(locale)
            )
            assert _as_tuples(translated) == _as_tuples(expected), key


def test_the_fixture_has_its_warnings_and_errors(feed_catalog) -> None:
    records = _records(feed_catalog)
    found = {
        sku: {(issue.level, issue.code) for issue in check_record(record, today=feed_catalog.today, duplicate_skus=())}
        for sku, record in records.items()
    }
    assert found == {
        "BERAS-001": set(),
        "TRICKY-001": set(),
        "KBKI-ZERO-001": set(),
        "BIG-PRICE-001": {(WARNING, "stock_zero")},
        "NO-IMAGE-001": {(WARNING, "no_large_image")},
        "HTML-001": set(),
        "WITHDRAWN-001": set(),  # never checked: it only tells e-Katalog to remove the product
        "EXPIRED-001": {(ERROR, "validity_past")},
    }


def test_messages_in_indonesian_for_the_report(app, feed_catalog) -> None:
    record = _records(feed_catalog)["EXPIRED-001"]
    yesterday = (feed_catalog.today - timedelta(days=1)).isoformat()
    with app.test_request_context(), force_locale("en"):
        issues = check_record(record, today=feed_catalog.today, duplicate_skus=(), translate=catalog_translator("id"))
        assert issues[0].message == f"Harga berlaku sampai {yesterday}, dan tanggal tersebut sudah lewat."
        english = check_record(record, today=feed_catalog.today, duplicate_skus=())
        assert english[0].message == f"The price was valid until {yesterday}, which has passed."


def test_every_rule_on_records(feed_catalog) -> None:
    """The record's facts reach every rule: errors first, then warnings."""
    record = _records(feed_catalog)["BERAS-001"]
    broken = record._replace(
        name=" ",
        unit_id=None,
        kbki_code="12345",
        price=0,
        tkdn_x100=10001,
        bmp_x100=1501,
        is_domestic=False,
        tkdn_certificate=None,
        valid_until=None,
        short_description="",
        stock=0,
        has_large_image=False,
        regional_prices=(record.regional_prices[0]._replace(region_code="35.76.02"),),
    )
    issues = check_record(broken, today=feed_catalog.today, duplicate_skus={"beras-001"})
    assert [(issue.level, issue.code) for issue in issues] == [
        (ERROR, "name_missing"),
        (ERROR, "sku_duplicate"),
        (ERROR, "unit_missing"),
        (ERROR, "kbki_format"),
        (ERROR, "price_not_positive"),
        (ERROR, "tkdn_range"),
        (ERROR, "bmp_range"),
        (ERROR, "imported_with_tkdn"),
        (ERROR, "validity_missing"),
        (ERROR, "region_unknown"),
        (WARNING, "tkdn_without_certificate"),
        (WARNING, "no_large_image"),
        (WARNING, "short_description_missing"),
        (WARNING, "stock_zero"),
    ]
    soon = record._replace(valid_until=feed_catalog.today + timedelta(days=14), kbki_code=None, sku=" ")
    assert [issue.code for issue in check_record(soon, today=feed_catalog.today, duplicate_skus=())] == [
        "sku_missing", "kbki_missing", "validity_ending",
    ]  # fmt: skip


def test_duplicates_ignore_case_and_spaces(feed_catalog) -> None:
    record = _records(feed_catalog)["BERAS-001"]
    assert is_duplicate(record, {"beras-001"})
    assert is_duplicate(record._replace(sku=" Beras-001 "), {"beras-001"})
    assert not is_duplicate(record, set())
    assert not is_duplicate(record, {"beras-002"})


def test_an_unknown_region_is_an_error_in_the_feed_as_in_review(feed_catalog) -> None:
    product = feed_catalog.products["no_image"]
    db.session.add(RegionalPrice(revision_id=product.live_revision_id, region_code="99", price=1000, shipping_cost=0))
    db.session.flush()
    db.session.expire(product.live_revision, ["regional_prices"])
    record = _records(feed_catalog)["NO-IMAGE-001"]
    issues = check_record(record, today=feed_catalog.today, duplicate_skus=())
    assert _as_tuples(issues) == _as_tuples(check_listing(product, product.live_revision, today=feed_catalog.today))
    assert issues[0].field == "regional_prices.0.region_code"
