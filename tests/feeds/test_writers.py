"""Each shape's file read back the way its users read it: CSV with the csv module, XLSX with openpyxl, JSON."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from marketplace.catalog.quality import ERROR, WARNING, Issue
from marketplace.feeds.columns import SHEETS
from marketplace.feeds.writers import TooManyRows, open_report, open_writer, xlsx
from marketplace.feeds.writers.datafeed import document_dict, dumps, product_document
from marketplace.feeds.writers.values import format_scaled, safe_text, scaled_number

BASE = "http://127.0.0.1:5000"
NAME = "kkmp_csv_full_20261128T010000Z"


def write(shape: str, records: list, path: Path) -> Path:
    with open_writer(shape, path, base_name=NAME) as writer:
        for record in records:
            writer.write(record)
    return path


def _expected_beras(catalog) -> dict:
    product = catalog.products["beras"]
    images = [link.image_id for link in sorted(product.live_revision.images, key=lambda link: link.position)]
    return {
        "no_produk_penyedia": "BERAS-001", "nama_produk": "Beras Premium Majapahit 5 kg", "merek": "Majapahit",
        "kategori_1": "Bahan Pokok", "kategori_2": "Beras dan Serealia", "kategori_3": "Beras",
        "kbki_id": "2316110001", "unspsc": "", "unit_pengukuran": "Karung", "jenis_produk": "lokal",
        "apakah_produk_lokal": "1", "tkdn_produk": "45.5", "nomor_tkdn": "TKDN-2026-0001", "nilai_bmp": "5",
        "tkdn_bmp": "50.5", "nomor_sni": "SNI 6128:2020", "harga_pemerintah": "72500", "ppn_persen": "11",
        "harga_dengan_ppn": "80475", "ongkos_kirim": "0", "kuantitas_stok": "40", "min_pembelian": "1",
        "berlaku_sampai": product.valid_until.isoformat(),
        "deskripsi_singkat": "Beras putih pulen dari sawah Mojokerto.",
        "deskripsi_lengkap": "Beras premium.\nDikemas 5 kg.", "berat_kg": "5",
        "gambar_utama": f"{BASE}/media/gambar/{images[0]}/800", "gambar_lain": f"{BASE}/media/gambar/{images[1]}/800",
        "nama_penyedia": "KKMP Gununggedangan", "nib_penyedia": "0123456789012",
        "npwp_penyedia": "0012345678901234", "kode_wilayah_penyedia": "35.76.02.1001",
        "nama_pelaku_usaha": "UD Beras Siti", "skala_usaha": "kecil", "produk_aktif": "1",
        "tanggal_update": "2026-11-20 08:00:00",
    }  # fmt: skip


# CSV --------------------------------------------------------------------------------------------------------------


def read_csv_zip(path: Path) -> dict[str, list[dict]]:
    """Each sheet's rows as dicts, checking the bytes on the way: BOM, CRLF line ends, header first."""
    sheets = {}
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [sheet.filename(NAME) for sheet in SHEETS]
        for sheet in SHEETS:
            raw = archive.read(sheet.filename(NAME))
            assert raw.startswith(b"\xef\xbb\xbf" + ",".join(sheet.keys).encode() + b"\r\n")
            assert raw.endswith(b"\r\n")
            text = raw.decode("utf-8-sig")
            outside_quotes = re.sub(r'"(?:[^"]|"")*"', "", text)
            assert "\r" not in outside_quotes.replace("\r\n", "") and "\n" not in outside_quotes.replace("\r\n", "")
            rows = list(csv.reader(io.StringIO(text, newline="")))
            assert rows[0] == list(sheet.keys)
            sheets[sheet.name] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return sheets


def test_csv_every_column_of_a_complete_product(tmp_path, feed_catalog, records) -> None:
    sheets = read_csv_zip(write("csv", records, tmp_path / "feed.zip"))
    assert sheets["Produk"][0] == _expected_beras(feed_catalog)
    assert [row["no_produk_penyedia"] for row in sheets["Produk"]] == [record.sku for record in records]
    assert sheets["Harga Wilayah"] == [
        {"no_produk_penyedia": "BERAS-001", "kode_wilayah": "35", "nama_wilayah": "Jawa Timur",
         "harga_pemerintah": "73000", "ongkos_kirim": "5000"},
        {"no_produk_penyedia": "BERAS-001", "kode_wilayah": "35.76", "nama_wilayah": "Kota Mojokerto",
         "harga_pemerintah": "72000", "ongkos_kirim": "0"},
    ]  # fmt: skip
    specifications = [(row["no_produk_penyedia"], row["label"], row["deskripsi"]) for row in sheets["Spesifikasi"]]
    assert specifications[:5] == [
        ("BERAS-001", "Berat", "5 kg"),
        ("BERAS-001", "Jenis", "Pulen"),
        ("TRICKY-001", "'@Asal", "Mojokerto, Jawa Timur"),
        ("TRICKY-001", "'\tTab", "'\rCR"),
        ("TRICKY-001", "Rasa", "Gurih 😋"),
    ]
    assert "NO-IMAGE-001" not in {sku for sku, _, _ in specifications}


def test_csv_hard_cases(tmp_path, records) -> None:
    rows = {row["no_produk_penyedia"]: row for row in read_csv_zip(write("csv", records, tmp_path / "f.zip"))["Produk"]}
    tricky = rows["TRICKY-001"]
    # Text never starts a formula; quotes, commas, line breaks and emoji survive in one cell.
    assert tricky["nama_produk"] == '\'=SUM(A1:A2) Beras, "Spesial"'
    assert tricky["merek"] == "'+62 Jaya"
    assert tricky["deskripsi_singkat"] == '\'-diskon 10%, "hemat"'
    assert tricky["nomor_sni"] == "'@SNI"
    assert (
        tricky["deskripsi_lengkap"] == 'Isi 5 kg, "premium", pulen;\nBaris dua, koma, titik.\nBaris tiga 🍚🌾 selesai'
    )
    assert tricky["gambar_lain"] == ""
    assert rows["KBKI-ZERO-001"]["kbki_id"] == "0111100001"
    assert (rows["KBKI-ZERO-001"]["berat_kg"], rows["KBKI-ZERO-001"]["jenis_produk"]) == ("0.25", "impor")
    assert (rows["KBKI-ZERO-001"]["tkdn_produk"], rows["KBKI-ZERO-001"]["apakah_produk_lokal"]) == ("0", "0")
    big = rows["BIG-PRICE-001"]
    assert (big["harga_pemerintah"], big["harga_dengan_ppn"], big["kuantitas_stok"]) == (
        "9999999999999", "11199999999999", "0",
    )  # fmt: skip
    assert (rows["NO-IMAGE-001"]["gambar_utama"], rows["NO-IMAGE-001"]["gambar_lain"]) == ("", "")
    assert rows["HTML-001"]["deskripsi_lengkap"] == "Beras pulen & wangi\nBaris dua\nBaris tiga"
    assert rows["WITHDRAWN-001"]["produk_aktif"] == "0"


def test_csv_quoting_is_rfc_4180(tmp_path, records) -> None:
    with zipfile.ZipFile(write("csv", records, tmp_path / "f.zip")) as archive:
        raw = archive.read(f"{NAME}_produk.csv").decode("utf-8-sig")
    assert '"\'=SUM(A1:A2) Beras, ""Spesial"""' in raw
    assert '"Isi 5 kg, ""premium"", pulen;\nBaris dua' in raw


def test_an_empty_csv_feed_has_its_headers(tmp_path) -> None:
    sheets = read_csv_zip(write("csv", [], tmp_path / "empty.zip"))
    assert sheets == {"Produk": [], "Harga Wilayah": [], "Spesifikasi": []}


def test_a_failed_csv_feed_leaves_nothing(tmp_path, records) -> None:
    path = tmp_path / "f.zip"
    with pytest.raises(RuntimeError), open_writer("csv", path, base_name=NAME) as writer:
        writer.write(records[0])
        raise RuntimeError("the database went away")
    assert list(tmp_path.iterdir()) == []


# XLSX -------------------------------------------------------------------------------------------------------------


def read_xlsx(path: Path) -> dict[str, list[tuple]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}
    finally:
        workbook.close()


def test_xlsx_sheets_and_values(tmp_path, feed_catalog, records) -> None:
    sheets = read_xlsx(write("xlsx", records, tmp_path / "feed.xlsx"))
    assert list(sheets) == ["Produk", "Harga Wilayah", "Spesifikasi"]
    for sheet in SHEETS:
        assert sheets[sheet.name][0] == sheet.keys
    produk = {row[0]: dict(zip(sheets["Produk"][0], row, strict=True)) for row in sheets["Produk"][1:]}
    expected = _expected_beras(feed_catalog)
    numbers = {
        "apakah_produk_lokal": 1, "tkdn_produk": 45.5, "nilai_bmp": 5, "tkdn_bmp": 50.5, "harga_pemerintah": 72500,
        "ppn_persen": 11, "harga_dengan_ppn": 80475, "ongkos_kirim": 0, "kuantitas_stok": 40, "min_pembelian": 1,
        "berat_kg": 5, "produk_aktif": 1, "unspsc": None,
    }  # fmt: skip
    assert produk["BERAS-001"] == expected | numbers
    assert list(produk) == [record.sku for record in records]
    assert sheets["Harga Wilayah"][1:] == [
        ("BERAS-001", "35", "Jawa Timur", 73000, 5000),
        ("BERAS-001", "35.76", "Kota Mojokerto", 72000, 0),
    ]
    assert sheets["Spesifikasi"][3] == ("TRICKY-001", "@Asal", "Mojokerto, Jawa Timur")


def test_xlsx_codes_are_strings_and_formulas_stay_text(tmp_path, records) -> None:
    workbook = load_workbook(write("xlsx", records, tmp_path / "feed.xlsx"))
    sheet = workbook["Produk"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2)}
    tricky, zero, big = rows["TRICKY-001"], rows["KBKI-ZERO-001"], rows["BIG-PRICE-001"]
    assert (tricky["nama_produk"].data_type, tricky["nama_produk"].value) == ("s", '=SUM(A1:A2) Beras, "Spesial"')
    assert (tricky["merek"].data_type, tricky["nomor_sni"].data_type) == ("s", "s")
    assert (zero["kbki_id"].data_type, zero["kbki_id"].value) == ("s", "0111100001")
    assert (zero["nib_penyedia"].data_type, zero["nib_penyedia"].value) == ("s", "0123456789012")
    assert (zero["npwp_penyedia"].value, zero["berat_kg"].value, zero["tkdn_produk"].value) == (
        "0012345678901234", 0.25, 0,
    )  # fmt: skip
    assert (big["harga_pemerintah"].data_type, big["harga_pemerintah"].value) == ("n", 9_999_999_999_999)
    assert big["harga_dengan_ppn"].value == 11_199_999_999_999
    assert rows["NO-IMAGE-001"]["gambar_utama"].value is None
    assert rows["WITHDRAWN-001"]["produk_aktif"].value == 0
    assert "\n" in tricky["deskripsi_lengkap"].value and "🍚" in tricky["deskripsi_lengkap"].value
    assert not sheet.cell(row=1, column=1).hyperlink


def test_xlsx_refuses_more_rows_than_excel_holds(tmp_path, records, monkeypatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    with pytest.raises(TooManyRows), open_writer("xlsx", tmp_path / "big.xlsx", base_name=NAME) as writer:
        for record in records:
            writer.write(record)
    assert list(tmp_path.iterdir()) == []


# Datafeed -----------------------------------------------------------------------------------------------------------


def test_datafeed_file_is_one_json_document(tmp_path, records) -> None:
    path = write("datafeed", records, tmp_path / "feed.json")
    document = json.loads(path.read_text("utf-8"))
    assert list(document) == ["total", "produk"]
    assert document["total"] == len(records) == len(document["produk"])
    assert document["produk"] == [json.loads(dumps(product_document(record))) for record in records]
    empty = json.loads(write("datafeed", [], tmp_path / "empty.json").read_text("utf-8"))
    assert empty == {"total": 0, "produk": []}


def test_datafeed_product_document(feed_catalog, records) -> None:
    beras = product_document(records[0])
    product = feed_catalog.products["beras"]
    images = [link.image_id for link in sorted(product.live_revision.images, key=lambda link: link.position)]
    attachment = product.live_revision.attachments[0].attachment_id
    assert list(beras) == ["informasi", "spesifikasi", "image", "harga", "lampiran"]
    assert beras["informasi"] == {
        "no_produk_penyedia": "BERAS-001", "nama_produk": "Beras Premium Majapahit 5 kg",
        "id_kategori_produk_lkpp": None, "unspsc": None, "kbki_id": "2316110001", "id_manufaktur": None,
        "merek": "Majapahit", "id_unit_pengukuran_lkpp": None, "unit_pengukuran": "Karung",
        "deskripsi_singkat": "Beras putih pulen dari sawah Mojokerto.",
        "deskripsi_lengkap": "Beras premium.\nDikemas 5 kg.", "kuantitas_stok": 40,
        "berlaku_sampai": product.valid_until.isoformat(), "tkdn_produk": 45.5, "nilai_bmp": 5,
        "nomor_tkdn": "TKDN-2026-0001", "apakah_produk_lokal": 1, "produk_aktif": 1,
        "tanggal_update": "2026-11-20 08:00:00", "url_produk": f"{BASE}/katalog/produk/{product.id}",
        "image_50x50": f"{BASE}/media/gambar/{images[0]}/50", "image_100x100": f"{BASE}/media/gambar/{images[0]}/100",
        "image_300x300": f"{BASE}/media/gambar/{images[0]}/300",
        "image_800x800": f"{BASE}/media/gambar/{images[0]}/800",
        "nama_pelaku_usaha": "UD Beras Siti", "skala_usaha": "kecil",
    }  # fmt: skip
    assert beras["spesifikasi"] == {
        "item": [{"label": "Berat", "deskripsi": "5 kg"}, {"label": "Jenis", "deskripsi": "Pulen"}]
    }
    assert beras["image"] == {"item": [f"{BASE}/media/gambar/{image}/800" for image in images]}
    assert beras["harga"] == {
        "harga_retail": 80000, "harga_pemerintah": 72500, "ppn_persen": 11, "ongkos_kirim": 0, "kurs_id": 1,
        "tanggal_update": "2026-11-20 08:00:00",
        "wilayah": [{"kode_wilayah": "35", "harga": 73000, "ongkos_kirim": 5000},
                    {"kode_wilayah": "35.76", "harga": 72000, "ongkos_kirim": 0}],
    }  # fmt: skip
    assert beras["lampiran"] == {
        "item": [{"file": f"{BASE}/media/lampiran/{attachment}", "deskripsi": "Sertifikat TKDN"}]
    }


def test_datafeed_text_is_exactly_json_dumps_of_the_document(records) -> None:
    """The fast text writer and the plain dict agree byte for byte, hard cases included."""
    for record in [*records, records[1]._replace(name=None, valid_until=None, tkdn_x100=4025, weight_grams=None)]:
        expected = json.dumps(document_dict(record), ensure_ascii=False, separators=(",", ":"))
        document = product_document(record)
        assert dumps(document) == document.text == expected
        assert document == document_dict(record) and dict(document) == json.loads(expected)
        assert list(document) == ["informasi", "spesifikasi", "image", "harga", "lampiran"] and len(document) == 5


def test_datafeed_hard_cases(records) -> None:
    documents = {record.sku: product_document(record) for record in records}
    tricky = json.loads(dumps(documents["TRICKY-001"]))
    assert tricky["informasi"]["nama_produk"] == '=SUM(A1:A2) Beras, "Spesial"'  # JSON needs no escaping of its own
    assert tricky["informasi"]["deskripsi_lengkap"].endswith("Baris tiga 🍚🌾 selesai")
    assert "🍚" in dumps(documents["TRICKY-001"])  # UTF-8 kept, not \\u escapes
    assert documents["KBKI-ZERO-001"]["informasi"]["kbki_id"] == "0111100001"
    assert documents["KBKI-ZERO-001"]["informasi"]["apakah_produk_lokal"] == 0
    assert documents["BIG-PRICE-001"]["harga"]["harga_pemerintah"] == 9_999_999_999_999
    no_image = documents["NO-IMAGE-001"]
    assert no_image["image"] == {"item": []} and no_image["informasi"]["image_800x800"] is None
    assert no_image["spesifikasi"] == {"item": []} and no_image["harga"]["wilayah"] == []
    assert documents["WITHDRAWN-001"]["informasi"]["produk_aktif"] == 0
    assert ", " not in dumps({"a": [1, 2]}) and dumps({"a": [1, 2]}) == '{"a":[1,2]}'


# Report -------------------------------------------------------------------------------------------------------------


def test_the_report_lists_issues_in_indonesian_words(tmp_path, records) -> None:
    path = tmp_path / "report.csv"
    with open_report(path) as report:
        report.write(records[0], [Issue(ERROR, "x", "name", "nama_produk", "Nama produk tidak ada.")])
        report.write(records[1], [])
        report.write(records[1], [Issue(WARNING, "y", "stock", "kuantitas_stok", "=Stok 0, habis")])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfno_produk_penyedia,tingkat,kolom,pesan\r\n")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[1:] == [
        ["BERAS-001", "kesalahan", "nama_produk", "Nama produk tidak ada."],
        ["TRICKY-001", "peringatan", "kuantitas_stok", "'=Stok 0, habis"],
    ]


# Values --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "scale", "text", "number"),
    [
        (4025, 100, "40.25", 40.25),
        (4020, 100, "40.2", 40.2),
        (4000, 100, "40", 40),
        (5, 100, "0.05", 0.05),
        (0, 100, "0", 0),
        (250, 1000, "0.25", 0.25),
        (5250, 1000, "5.25", 5.25),
        (1, 1000, "0.001", 0.001),
        (-150, 100, "-1.5", -1.5),
        (None, 100, "", None),
    ],
)
def test_scaled_numbers(value, scale, text, number) -> None:
    assert format_scaled(value, scale) == text
    assert scaled_number(value, scale) == number
    assert type(scaled_number(value, scale)) is type(number)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_could_start_a_formula(start) -> None:
    assert safe_text(f"{start}1+1") == f"'{start}1+1"
    assert safe_text(f"a{start}1") == f"a{start}1"
    assert safe_text("") == ""


def test_a_record_can_be_written_twice_identically(tmp_path, records) -> None:
    """Files depend only on their records (a rebuilt feed is the same file, but for the zip's timestamps)."""
    first = read_csv_zip(write("csv", records, tmp_path / "a.zip"))
    second = read_csv_zip(write("csv", records, tmp_path / "b.zip"))
    assert first == second
    later = records[0]._replace(updated_wib=(datetime(2026, 11, 20, 8) + timedelta(hours=1)).isoformat(" "))
    assert read_csv_zip(write("csv", [later], tmp_path / "c.zip"))["Produk"][0]["tanggal_update"] == (
        "2026-11-20 09:00:00"
    )


@pytest.mark.parametrize("shape", ["csv", "xlsx"])
def test_files_carry_the_feed_time_not_the_clock_so_a_rebuild_is_byte_identical(tmp_path, records, shape) -> None:
    created = datetime(2026, 1, 2, 3, 4, 6, tzinfo=UTC)
    paths = [tmp_path / f"{name}.{shape}" for name in ("first", "again")]
    for path in paths:
        with open_writer(shape, path, base_name="kkmp_csv_full_20260102T030406Z", created=created) as writer:
            for record in records:
                writer.write(record)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    if shape == "csv":
        with zipfile.ZipFile(paths[0]) as archive:
            assert {info.date_time for info in archive.infolist()} == {(2026, 1, 2, 3, 4, 6)}
    else:
        assert load_workbook(paths[0], read_only=True).properties.created == created.replace(tzinfo=None)
