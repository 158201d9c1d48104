"""A product e-Katalog received that later fails validation is withdrawn by the next delta (`produk_aktif` 0), in
every shape, with the error in the report; its price validity passing is such a change (the daily marking puts it
in the delta). A product never exported that fails stays out."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from marketplace.catalog.services import mark_expired_validity
from marketplace.core.timeutil import today_wib, utcnow
from marketplace.extensions import db
from marketplace.feeds.models import Feed
from tests.feeds.helpers import (  # noqa: F401
    built,
    datafeed_skus,
    feed_files,
    read_bytes,
    snapshot_rows,
)


@pytest.fixture(autouse=True)
def _files(feed_files):  # noqa: F811
    return feed_files


def datafeed_products(feed: Feed) -> dict[str, dict]:
    """The `informasi` of each product of a datafeed file, by SKU."""
    products = json.loads(read_bytes(feed.storage_key))["produk"]
    return {item["informasi"]["no_produk_penyedia"]: item["informasi"] for item in products}


def sheet_rows(feed: Feed) -> dict[str, dict]:
    """The `Produk` rows of a CSV or XLSX feed (column → text), by SKU."""
    if feed.shape == "csv":
        with zipfile.ZipFile(io.BytesIO(read_bytes(feed.storage_key))) as archive:
            name = next(name for name in archive.namelist() if name.endswith("_produk.csv"))
            rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"), newline="")))
    else:
        workbook = load_workbook(io.BytesIO(read_bytes(feed.storage_key)), read_only=True)
        rows = [["" if value is None else str(value) for value in row] for row in workbook["Produk"].values]
        workbook.close()
    header, body = rows[0], rows[1:]
    return {row[0]: dict(zip(header, row, strict=True)) for row in body}


def report_errors(feed: Feed) -> set[tuple[str, str]]:
    """(SKU, column) of the errors in a feed's validation report."""
    rows = csv.DictReader(io.StringIO(read_bytes(feed.report_key).decode("utf-8-sig"), newline=""))
    return {(row["no_produk_penyedia"], row["kolom"]) for row in rows if row["tingkat"] == "kesalahan"}


def pull(client, endpoint: str, cooperative, **params):
    return client.get(f"/lkpp/v1/{endpoint}", query_string={"secretkey": cooperative.datafeed_key, **params})


def expire(product, days_ago: int = 1) -> None:
    """Let the product's price validity pass, as time does: nothing else about it changes."""
    product.valid_until = today_wib() - timedelta(days=days_ago)
    db.session.commit()


def test_an_expired_product_is_withdrawn_by_the_next_delta_of_every_shape(client, feed_catalog) -> None:
    catalog = feed_catalog
    cooperative_id, beras = catalog.cooperative.id, catalog.sku("beras")
    fulls = {shape: built(cooperative_id, shape) for shape in ("datafeed", "csv", "xlsx")}
    assert all(feed.status == "succeeded" for feed in fulls.values())
    expire(catalog.products["beras"])
    valid_until = catalog.products["beras"].valid_until.isoformat()

    # Marked: beras, and `expired`, whose validity passed before (it was never exported: it stays out).
    assert mark_expired_validity() == 2

    delta = built(cooperative_id, "datafeed", "delta")
    assert delta.status == "succeeded", delta.failure
    assert datafeed_skus(delta) == [beras]
    informasi = datafeed_products(delta)[beras]
    assert (informasi["produk_aktif"], informasi["berlaku_sampai"]) == (0, valid_until)
    assert (delta.product_count, delta.withdrawn_count, delta.error_count) == (1, 1, 2)
    assert report_errors(delta) == {(beras, "berlaku_sampai"), (catalog.sku("expired"), "berlaku_sampai")}
    # The snapshot keeps it, withdrawn; /lkpp/v1 no longer serves it on sale.
    assert (beras, False) in {(sku, active) for _position, sku, active in snapshot_rows(delta)}
    served = [
        item["informasi"]["no_produk_penyedia"]
        for item in pull(client, "all_produk", catalog.cooperative).json["produk"]
    ]
    assert beras not in served and catalog.sku("tricky") in served
    one = pull(client, "produk", catalog.cooperative, no_produk_penyedia=beras).json["produk"][0]["informasi"]
    assert (one["produk_aktif"], one["berlaku_sampai"]) == (0, valid_until)
    today = informasi["tanggal_update"][:10]
    changed = pull(client, "updated_produk", catalog.cooperative, start_date=today, end_date=today).json["produk"]
    assert [(item["informasi"]["no_produk_penyedia"], item["informasi"]["produk_aktif"]) for item in changed] == [
        (beras, 0)
    ]

    for shape in ("csv", "xlsx"):
        sheet_delta = built(cooperative_id, shape, "delta")
        assert sheet_delta.status == "succeeded", sheet_delta.failure
        assert sheet_delta.base_feed_id == fulls[shape].id
        rows = sheet_rows(sheet_delta)
        assert list(rows) == [beras], shape
        assert (rows[beras]["produk_aktif"], rows[beras]["berlaku_sampai"]) == ("0", valid_until), shape
        assert (sheet_delta.withdrawn_count, sheet_delta.error_count) == (1, 2)
        assert (beras, "berlaku_sampai") in report_errors(sheet_delta)


def test_without_the_marking_an_expired_product_is_in_no_delta(feed_catalog) -> None:
    """What the daily marking is for: the passing of a date changes no row by itself."""
    catalog = feed_catalog
    built(catalog.cooperative.id, "datafeed")
    expire(catalog.products["beras"])

    assert datafeed_skus(built(catalog.cooperative.id, "datafeed", "delta")) == []


def test_a_withdrawn_product_stays_withdrawn_while_it_fails(feed_catalog) -> None:
    catalog = feed_catalog
    built(catalog.cooperative.id, "datafeed")
    expire(catalog.products["beras"])
    mark_expired_validity()
    built(catalog.cooperative.id, "datafeed", "delta")
    catalog.products["beras"].feed_changed_at = utcnow()  # changed again (a stock change, say), still expired
    db.session.commit()

    again = built(catalog.cooperative.id, "datafeed", "delta")

    assert datafeed_products(again)[catalog.sku("beras")]["produk_aktif"] == 0
    assert (catalog.sku("beras"), False) in {(sku, active) for _position, sku, active in snapshot_rows(again)}


def test_a_product_never_exported_that_fails_stays_out_of_every_delta(feed_catalog) -> None:
    """`expired` failed validation from the start: e-Katalog never received it, so there is nothing to withdraw."""
    catalog = feed_catalog
    expired = catalog.sku("expired")
    for shape in ("datafeed", "csv", "xlsx"):
        built(catalog.cooperative.id, shape)
    catalog.products["expired"].feed_changed_at = utcnow()
    db.session.commit()

    delta = built(catalog.cooperative.id, "datafeed", "delta")
    assert datafeed_skus(delta) == []
    assert (delta.product_count, delta.error_count) == (0, 1)
    assert (expired, "berlaku_sampai") in report_errors(delta)
    assert expired not in {sku for _position, sku, _active in snapshot_rows(delta)}
    for shape in ("csv", "xlsx"):
        sheet_delta = built(catalog.cooperative.id, shape, "delta")
        assert sheet_rows(sheet_delta) == {} and sheet_delta.error_count == 1
        assert (expired, "berlaku_sampai") in report_errors(sheet_delta)


def test_a_full_feed_still_leaves_a_failing_product_out(feed_catalog) -> None:
    catalog = feed_catalog
    built(catalog.cooperative.id, "datafeed")
    expire(catalog.products["beras"])
    mark_expired_validity()

    full = built(catalog.cooperative.id, "datafeed")

    assert catalog.sku("beras") not in datafeed_skus(full)
    assert (catalog.sku("beras"), "berlaku_sampai") in report_errors(full)


def test_the_delta_of_every_cooperative_withdraws_it_too(feed_catalog) -> None:
    """Parts of a feed of every cooperative ask each cooperative's datafeed snapshot."""
    catalog = feed_catalog
    built(catalog.cooperative.id, "datafeed")
    built(None, "csv")
    expire(catalog.products["beras"])
    mark_expired_validity()

    delta = built(None, "csv", "delta")

    assert delta.status == "succeeded", delta.failure
    rows = sheet_rows(delta)
    assert list(rows) == [catalog.sku("beras")] and rows[catalog.sku("beras")]["produk_aktif"] == "0"
    assert (catalog.sku("beras"), "berlaku_sampai") in report_errors(delta)
