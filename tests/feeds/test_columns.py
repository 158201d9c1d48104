"""The one definition of the feed columns: exactly the spec's sheets, datafeed sections and report, readable from a
record, and shared with the bulk-upload sheet."""

from __future__ import annotations

import pytest

from marketplace.catalog.imports import sheet as upload_sheet
from marketplace.feeds import columns
from marketplace.feeds.columns import DATAFEED_SECTIONS, REPORT_COLUMNS, SHEETS, Kind

#: ../shared/ekatalog-spec.md, "The sheet `Produk`, columns in this order".
SPEC_PRODUK = [
    "no_produk_penyedia",
    "nama_produk",
    "merek",
    "kategori_1",
    "kategori_2",
    "kategori_3",
    "kbki_id",
    "unspsc",
    "unit_pengukuran",
    "jenis_produk",
    "apakah_produk_lokal",
    "tkdn_produk",
    "nomor_tkdn",
    "nilai_bmp",
    "tkdn_bmp",
    "nomor_sni",
    "harga_pemerintah",
    "ppn_persen",
    "harga_dengan_ppn",
    "ongkos_kirim",
    "kuantitas_stok",
    "min_pembelian",
    "berlaku_sampai",
    "deskripsi_singkat",
    "deskripsi_lengkap",
    "berat_kg",
    "gambar_utama",
    "gambar_lain",
    "nama_penyedia",
    "nib_penyedia",
    "npwp_penyedia",
    "kode_wilayah_penyedia",
    "nama_pelaku_usaha",
    "skala_usaha",
    "produk_aktif",
    "tanggal_update",
]
SPEC_HARGA_WILAYAH = ["no_produk_penyedia", "kode_wilayah", "nama_wilayah", "harga_pemerintah", "ongkos_kirim"]
SPEC_SPESIFIKASI = ["no_produk_penyedia", "label", "deskripsi"]
#: The spec's `informasi` table, in its order (the image row is four keys).
SPEC_INFORMASI = [
    "no_produk_penyedia", "nama_produk", "id_kategori_produk_lkpp", "unspsc", "kbki_id", "id_manufaktur", "merek",
    "id_unit_pengukuran_lkpp", "unit_pengukuran", "deskripsi_singkat", "deskripsi_lengkap", "kuantitas_stok",
    "berlaku_sampai", "tkdn_produk", "nilai_bmp", "nomor_tkdn", "apakah_produk_lokal", "produk_aktif",
    "tanggal_update", "url_produk", "image_50x50", "image_100x100", "image_300x300", "image_800x800",
    "nama_pelaku_usaha", "skala_usaha",
]  # fmt: skip
SPEC_HARGA = ["harga_retail", "harga_pemerintah", "ppn_persen", "ongkos_kirim", "kurs_id", "tanggal_update"]


def test_the_sheets_have_the_spec_columns_in_order() -> None:
    assert [(sheet.name, list(sheet.keys)) for sheet in SHEETS] == [
        ("Produk", SPEC_PRODUK),
        ("Harga Wilayah", SPEC_HARGA_WILAYAH),
        ("Spesifikasi", SPEC_SPESIFIKASI),
    ]
    assert [sheet.filename("kkmp_csv_full_x") for sheet in SHEETS] == [
        "kkmp_csv_full_x_produk.csv",
        "kkmp_csv_full_x_harga_wilayah.csv",
        "kkmp_csv_full_x_spesifikasi.csv",
    ]


def test_the_datafeed_sections_follow_the_spec() -> None:
    sections = {section.key: section for section in DATAFEED_SECTIONS}
    assert list(sections) == ["informasi", "spesifikasi", "image", "harga", "lampiran"]
    assert [column.key for column in sections["informasi"].columns] == SPEC_INFORMASI
    assert [column.key for column in sections["harga"].columns] == SPEC_HARGA
    assert sections["harga"].list_key == "wilayah"
    assert [c.key for c in sections["harga"].item_columns] == ["kode_wilayah", "harga", "ongkos_kirim"]
    assert [c.key for c in sections["spesifikasi"].item_columns] == ["label", "deskripsi"]
    assert [c.key for c in sections["lampiran"].item_columns] == ["file", "deskripsi"]
    assert (sections["image"].list_key, sections["image"].item_kind) == ("item", Kind.URL)


def test_the_report_columns() -> None:
    assert [column.key for column in REPORT_COLUMNS] == ["no_produk_penyedia", "tingkat", "kolom", "pesan"]


def test_codes_stay_text_and_numbers_are_numbers() -> None:
    kinds = {column.key: column.kind for column in columns.PRODUK.columns}
    for key in ("no_produk_penyedia", "kbki_id", "nib_penyedia", "npwp_penyedia", "kode_wilayah_penyedia"):
        assert kinds[key] == Kind.CODE, key
    for key in ("harga_pemerintah", "harga_dengan_ppn", "ongkos_kirim", "kuantitas_stok", "unspsc"):
        assert kinds[key] == Kind.INTEGER, key
    for key in ("tkdn_produk", "nilai_bmp", "tkdn_bmp", "berat_kg"):
        assert kinds[key] == Kind.DECIMAL, key
    assert {kinds["apakah_produk_lokal"], kinds["produk_aktif"]} == {Kind.FLAG}
    assert (kinds["berlaku_sampai"], kinds["tanggal_update"]) == (Kind.DATE, Kind.DATETIME)
    assert kinds["gambar_utama"] == Kind.URL


def _all_columns() -> list:
    found = [column for sheet in SHEETS for column in sheet.columns]
    for section in DATAFEED_SECTIONS:
        found += [*section.columns, *section.item_columns]
    return found + list(REPORT_COLUMNS)


def test_every_column_is_documented_in_both_languages(app) -> None:
    from flask_babel import force_locale

    for column in _all_columns():
        for locale in ("en", "id"):
            with app.test_request_context(), force_locale(locale):
                assert str(column.label).strip() and str(column.description).strip(), column.key
                assert str(column.kind_label).strip()


def test_every_column_reads_a_record(feed_catalog) -> None:
    from datetime import UTC, datetime

    from marketplace.feeds.records import iter_records

    record = next(
        iter_records(
            cooperative_ids=[feed_catalog.cooperative.id],
            changed_since=None,
            until=datetime.now(UTC),
            include_withdrawn=False,
        )
    )
    assert record.sku == feed_catalog.sku("beras")
    for sheet in SHEETS:
        rows = list(sheet.rows(record))
        assert rows and all(len(row) == len(sheet.columns) for row in rows)
    for section in DATAFEED_SECTIONS:
        for column in section.columns:
            getattr(record, column.attr)
        if section.item_columns:
            for item in getattr(record, section.items):
                for column in section.item_columns:
                    getattr(item, column.attr)


def test_the_upload_sheet_uses_the_same_column_names() -> None:
    """The bulk upload reads what the feed writes: the same sheets, names and order."""
    assert [(s.name, s.names) for s in upload_sheet.SHEETS] == [(s.name, s.keys) for s in SHEETS]


def test_an_item_sheet_must_start_with_the_record_column() -> None:
    item = columns.Column("label", Kind.TEXT, "Label", "Label", "label")
    with pytest.raises(ValueError, match="item sheets"):
        columns.Sheet("Broken", "broken", "", (item,), items="specifications")
