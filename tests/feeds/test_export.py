"""Exporting records into a feed and its report, and joining per-cooperative parts into one feed."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.catalog.quality import duplicate_skus
from marketplace.feeds.columns import SHEETS
from marketplace.feeds.export import ExportResult, export_records, join_parts, join_reports
from marketplace.feeds.records import iter_records
from marketplace.feeds.writers.csv_zip import header_bytes
from marketplace.feeds.writers.datafeed import product_document
from marketplace.feeds.writers.zipfiles import (
    DeflatedMember,
    crc32_combine,
    crc32_remove_head,
    head_bytes,
    write_zip,
)
from tests.feeds.test_writers import NAME, read_csv_zip, read_xlsx

LATER = datetime(2030, 1, 1, tzinfo=UTC)


def _records(catalog, *cooperatives, include_withdrawn: bool = True) -> list:
    ids = [c.id for c in cooperatives] if cooperatives else [catalog.cooperative.id]
    return list(iter_records(cooperative_ids=ids, changed_since=None, until=LATER, include_withdrawn=include_withdrawn))


def export(catalog, shape: str, folder: Path, records=None, **options) -> tuple[ExportResult, Path, Path]:
    file_path, report_path = folder / f"feed.{shape}", folder / f"report-{shape}.csv"
    arguments = {
        "shape": shape,
        "file_path": file_path,
        "report_path": report_path,
        "base_name": NAME,
        "today": catalog.today,
        "duplicate_skus_by_cooperative": duplicate_skus,
        "on_progress": None,
        "on_item": None,
    }
    result = export_records(_records(catalog) if records is None else records, **(arguments | options))
    return result, file_path, report_path


def read_report(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfno_produk_penyedia,tingkat,kolom,pesan\r\n")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))[1:]


def written_skus(shape: str, path: Path) -> list[str]:
    if shape == "csv":
        return [row["no_produk_penyedia"] for row in read_csv_zip(path)["Produk"]]
    if shape == "xlsx":
        return [row[0] for row in read_xlsx(path)["Produk"][1:]]
    return [p["informasi"]["no_produk_penyedia"] for p in json.loads(path.read_text("utf-8"))["produk"]]


@pytest.mark.parametrize("shape", ["csv", "xlsx", "datafeed"])
def test_errors_leave_a_product_out_and_warnings_keep_it(tmp_path, feed_catalog, shape) -> None:
    result, file_path, report_path = export(feed_catalog, shape, tmp_path)
    assert result == ExportResult(product_count=7, withdrawn_count=1, error_count=1, warning_count=2, processed=8)
    assert written_skus(shape, file_path) == [
        "BERAS-001", "TRICKY-001", "KBKI-ZERO-001", "BIG-PRICE-001", "NO-IMAGE-001", "HTML-001", "WITHDRAWN-001",
    ]  # fmt: skip
    expired = feed_catalog.products["expired"].valid_until.isoformat()
    assert read_report(report_path) == [
        ["BIG-PRICE-001", "peringatan", "kuantitas_stok", "Stok 0: pembeli tidak dapat memesannya."],
        ["NO-IMAGE-001", "peringatan", "gambar_utama",
         "Tidak ada gambar berukuran minimal 300 px; produk tanpa foto yang baik kurang menarik di e-Katalog."],
        ["EXPIRED-001", "kesalahan", "berlaku_sampai",
         f"Harga berlaku sampai {expired}, dan tanggal tersebut sudah lewat."],
    ]  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([file_path.name, report_path.name])


def test_progress_and_each_item_with_its_document(tmp_path, feed_catalog) -> None:
    progress, items = [], []
    result, _, _ = export(
        feed_catalog,
        "csv",
        tmp_path,
        on_progress=progress.append,
        on_item=lambda record, document: items.append((record, document)),
        progress_every=3,
    )
    assert progress == [3, 6, 8]
    assert [record.sku for record, _ in items] == [
        "BERAS-001", "TRICKY-001", "KBKI-ZERO-001", "BIG-PRICE-001", "NO-IMAGE-001", "HTML-001", "WITHDRAWN-001",
    ]  # fmt: skip
    assert all(document == product_document(record) for record, document in items)
    assert result.processed == 8
    progress.clear()
    export(feed_catalog, "datafeed", tmp_path, on_progress=progress.append, progress_every=4)
    assert progress == [4, 8]


def test_duplicate_skus_from_a_mapping_or_a_function(tmp_path, feed_catalog) -> None:
    duplicates = {feed_catalog.cooperative.id: {" Beras-001"}}
    result, file_path, report_path = export(feed_catalog, "csv", tmp_path, duplicate_skus_by_cooperative=duplicates)
    assert "BERAS-001" not in written_skus("csv", file_path)
    assert ["BERAS-001", "kesalahan", "no_produk_penyedia"] in [row[:3] for row in read_report(report_path)]
    assert result.error_count == 2
    asked = []
    export(
        feed_catalog,
        "csv",
        tmp_path,
        duplicate_skus_by_cooperative=lambda cooperative_id: asked.append(cooperative_id) or set(),
    )
    assert asked == [feed_catalog.cooperative.id]  # once per cooperative


def test_a_failure_midway_leaves_no_file(tmp_path, feed_catalog) -> None:
    def failing():
        yield from _records(feed_catalog)[:3]
        raise ConnectionError("the database went away")

    for shape in ("csv", "xlsx", "datafeed"):
        with pytest.raises(ConnectionError):
            export(feed_catalog, shape, tmp_path, records=failing())
    assert list(tmp_path.iterdir()) == []


# Joining parts -------------------------------------------------------------------------------------------------------


def _parts(catalog, shape: str, folder: Path) -> tuple[list[Path], list[Path]]:
    files, reports = [], []
    for index, cooperative in enumerate((catalog.cooperative, catalog.other_cooperative)):
        part = folder / f"part{index}"
        part.mkdir()
        _, file_path, report_path = export(catalog, shape, part, records=_records(catalog, cooperative))
        files.append(file_path)
        reports.append(report_path)
    return files, reports


@pytest.mark.parametrize("shape", ["csv", "xlsx", "datafeed"])
def test_joined_parts_equal_one_export_of_everything(tmp_path, feed_catalog, shape) -> None:
    files, reports = _parts(feed_catalog, shape, tmp_path)
    joined = tmp_path / f"joined.{shape}"
    join_parts(shape, files, joined, NAME)
    whole = tmp_path / "whole"
    whole.mkdir()
    both = _records(feed_catalog, feed_catalog.cooperative, feed_catalog.other_cooperative)
    _, file_path, report_path = export(feed_catalog, shape, whole, records=both)
    if shape == "csv":
        assert read_csv_zip(joined) == read_csv_zip(file_path)
    elif shape == "xlsx":
        assert read_xlsx(joined) == read_xlsx(file_path)
    else:
        assert json.loads(joined.read_text("utf-8")) == json.loads(file_path.read_text("utf-8"))
    assert written_skus(shape, joined)[-1] == "OTHER-001"
    joined_report = tmp_path / "joined-report.csv"
    join_reports(reports, joined_report)
    assert read_report(joined_report) == read_report(report_path)


def test_csv_parts_are_joined_without_compressing_again(tmp_path, feed_catalog) -> None:
    files, _ = _parts(feed_catalog, "csv", tmp_path)
    joined = tmp_path / "joined.zip"
    join_parts("csv", files, joined, NAME)
    joined_bytes = joined.read_bytes()
    for part in files:
        with zipfile.ZipFile(part) as archive:
            info = archive.getinfo(f"{NAME}_produk.csv")
        raw = part.read_bytes()
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        head = len(head_bytes(header_bytes(SHEETS[0])))
        body = raw[start : start + info.compress_size][head:-2]  # the deflated rows, without the end block
        assert len(body) > 100 and body in joined_bytes


def test_parts_from_another_zip_writer_are_joined_too(tmp_path, feed_catalog) -> None:
    """A part whose members zlib did not end our way (or stored ones) is inflated and deflated again."""
    files, _ = _parts(feed_catalog, "csv", tmp_path)
    rewritten = tmp_path / "rewritten.zip"
    with zipfile.ZipFile(files[1]) as source, zipfile.ZipFile(rewritten, "w") as target:
        for info in source.infolist():
            compression = zipfile.ZIP_STORED if "spesifikasi" in info.filename else zipfile.ZIP_DEFLATED
            target.writestr(info.filename, source.read(info), compress_type=compression)
    fast, slow = tmp_path / "fast.zip", tmp_path / "slow.zip"
    join_parts("csv", files, fast, NAME)
    join_parts("csv", [files[0], rewritten], slow, NAME)
    assert read_csv_zip(slow) == read_csv_zip(fast)


def test_a_part_without_products(tmp_path, feed_catalog) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    _, empty_json, _ = export(feed_catalog, "datafeed", empty, records=[])
    _, empty_zip, _ = export(feed_catalog, "csv", empty, records=[])
    files, _ = _parts(feed_catalog, "datafeed", tmp_path)
    joined = tmp_path / "joined.json"
    join_parts("datafeed", [empty_json, files[0], empty_json], joined, NAME)
    document = json.loads(joined.read_text("utf-8"))
    assert document["total"] == len(document["produk"]) == 7
    join_parts("datafeed", [empty_json], joined, NAME)
    assert json.loads(joined.read_text("utf-8")) == {"total": 0, "produk": []}
    join_parts("csv", [empty_zip, empty_zip], tmp_path / "joined.zip", NAME)
    assert read_csv_zip(tmp_path / "joined.zip") == {sheet.name: [] for sheet in SHEETS}


def test_a_failed_join_leaves_no_file(tmp_path, feed_catalog) -> None:
    files, reports = _parts(feed_catalog, "csv", tmp_path)
    joined = tmp_path / "joined.zip"
    with pytest.raises(FileNotFoundError):
        join_parts("csv", [*files, tmp_path / "missing.zip"], joined, NAME)
    with pytest.raises(FileNotFoundError):
        join_reports([*reports, tmp_path / "missing.csv"], tmp_path / "joined.csv")
    assert not joined.exists() and not (tmp_path / "joined.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".feed-")]


# Zip internals --------------------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000), st.binary(max_size=3000))
def test_crc_combination(first, second) -> None:
    assert crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(first + second)
    assert crc32_remove_head(zlib.crc32(first + second), zlib.crc32(first), len(second)) == zlib.crc32(second)


def test_zip64_records_are_readable(tmp_path) -> None:
    members = []
    for name, content in (("a.csv", b"x" * 5000), ("b.csv", os.urandom(100))):
        member = DeflatedMember(name, tmp_path, b"head\r\n")
        member.write(content)
        members.append(member.finish())
    path = tmp_path / "zip64.zip"
    with path.open("wb") as target:
        write_zip(target, members, zip64_at=0)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert archive.read("a.csv") == b"head\r\n" + b"x" * 5000
        assert len(archive.read("b.csv")) == 106
    for member in members:
        member.path.unlink()


def test_xlsx_parts_keep_texts_that_look_like_escapes(tmp_path, feed_catalog) -> None:
    record = _records(feed_catalog)[0]._replace(name="Kode _x0041_ asli\rdan CR", brand="_x000D_")
    parts = []
    for index in range(2):
        folder = tmp_path / f"part{index}"
        folder.mkdir()
        parts.append(export(feed_catalog, "xlsx", folder, records=[record])[1])
    join_parts("xlsx", parts, tmp_path / "joined.xlsx", NAME)
    joined = read_xlsx(tmp_path / "joined.xlsx")["Produk"]
    assert joined[1] == joined[2] == read_xlsx(parts[0])["Produk"][1]
