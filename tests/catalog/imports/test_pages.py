"""The bulk upload pages: upload, progress (page and JSON), result with the bad rows, decisions, access."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from marketplace.catalog.models import Product, ProductImport
from tests.catalog.imports.files import csv_bytes, product_row, products_xlsx
from tests.factories import seller, user_with_role


def upload_page(client, data: bytes, filename: str = "produk.xlsx", **fields):
    """Post the upload form; the body is encoded in memory (Werkzeug's test encoder leaves big bodies in an
    unclosed temporary file)."""
    values = {"csrf_token": client.csrf_token(), "file": FileStorage(io.BytesIO(data), filename), **fields}
    boundary, body = encode_multipart(values)
    return client.post("/produk-saya/unggah", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def english(client) -> None:
    client.get("/lang/en")


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_the_upload_page_offers_the_templates_and_earlier_uploads(client, maker, login_as) -> None:
    login_as(maker)
    english(client)
    page = text_of(client.get("/produk-saya/unggah"))
    assert 'href="/produk-saya/unggah/template.xlsx"' in page and 'href="/produk-saya/unggah/template.zip"' in page
    assert 'enctype="multipart/form-data"' in page and 'accept=".xlsx,.csv,.zip"' in page
    assert 'name="seller_id"' not in page
    assert "No uploads yet." in page
    assert 'href="/produk-saya/unggah"' in text_of(client.get("/"))  # in the menu


def test_a_manager_picks_an_active_member(client, cooperative, maker, manager, login_as) -> None:
    seller(cooperative, status="pending", full_name="Pak Belum Aktif")
    login_as(manager)
    page = text_of(client.get("/produk-saya/unggah"))
    options = re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]+)</option>', page)
    assert options == [(str(maker.id), "Bu Siti Beras")]


def test_a_pending_member_is_told_why_there_is_no_form(client, login_as) -> None:
    login_as(seller(status="pending"))
    english(client)
    page = text_of(client.get("/produk-saya/unggah"))
    assert "Only active members of a cooperative can upload products." in page and 'type="file"' not in page


def test_upload_check_and_import_through_the_pages(client, db, maker, reference, login_as, run_tasks) -> None:
    login_as(maker)
    english(client)
    data = products_xlsx([product_row(1), product_row(2, harga_pemerintah="0"), product_row(3)])
    response = upload_page(client, data, "katalog <maret>.xlsx")
    assert response.status_code == 302
    record = db.session.scalars(select(ProductImport)).one()
    assert response.headers["Location"] == f"/produk-saya/unggah/{record.id}"

    waiting = text_of(client.get(response.headers["Location"]))
    assert "data-import-progress" in waiting and f'data-status-url="/produk-saya/unggah/{record.id}/status"' in waiting
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in waiting
    assert "import-progress.js" in waiting
    assert "katalog &lt;maret&gt;.xlsx" in waiting and "katalog <maret>" not in waiting
    status = client.get(f"/produk-saya/unggah/{record.id}/status")
    assert status.headers["Cache-Control"] == "no-store"
    assert status.get_json() == {
        "status": "queued", "processed_rows": 0, "total_rows": 0, "good_rows": 0, "bad_rows": 0, "imported_rows": 0,
    }  # fmt: skip

    run_tasks()
    db.session.expire_all()  # the worker wrote through another session; pages here share the test's session
    assert client.get(f"/produk-saya/unggah/{record.id}/status").get_json() == {
        "status": "validated", "processed_rows": 3, "total_rows": 3, "good_rows": 2, "bad_rows": 1, "imported_rows": 0,
    }  # fmt: skip
    result = text_of(client.get(f"/produk-saya/unggah/{record.id}"))
    assert "data-import-progress" not in result and "refresh" not in result
    assert re.search(r'<tr data-row="3" data-column="harga_pemerintah">\s*<td>Produk</td>', result)
    assert "Import the 2 good rows as drafts" in result
    assert 'data-confirm="Import nothing from this file?"' in result

    response = client.post_form(f"/produk-saya/unggah/{record.id}/impor")
    assert response.status_code == 302
    assert "2 products are being created as drafts" in text_of(client.get(response.headers["Location"]))
    run_tasks()
    db.session.expire_all()
    done = text_of(client.get(f"/produk-saya/unggah/{record.id}"))
    assert "2 products were created as drafts." in done
    assert 'data-count="imported_rows">2<' in done
    assert len(db.session.scalars(select(Product)).all()) == 2


def test_import_nothing_through_the_page(client, maker, upload, login_as) -> None:
    record = upload(maker, products_xlsx([product_row(1)]))
    login_as(maker)
    english(client)
    response = client.post_form(f"/produk-saya/unggah/{record.id}/batalkan", follow_redirects=True)
    assert "Nothing was imported from produk.xlsx." in text_of(response)
    again = client.post_form(f"/produk-saya/unggah/{record.id}/impor", follow_redirects=True)
    assert "This upload was already decided." in text_of(again)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "produk.xlsx", "This file is not a CSV or XLSX file."),
        (
            csv_bytes([product_row(1)], header=["sku", "nama_produk"]),
            "produk.csv",
            "Missing columns: no_produk_penyedia",
        ),
        (b"a" * (20 * 1024 * 1024 + 10), "besar.csv", "The file has 20.0 MB; at most 20 MB is accepted."),
    ],
    ids=["not-a-spreadsheet", "wrong-columns", "over-20-mb"],
)
def test_bad_files_are_refused_next_to_the_file_field(
    client, db, maker, reference, login_as, data, filename, message
) -> None:
    login_as(maker)
    english(client)
    response = upload_page(client, data, filename)
    assert response.status_code == 422
    page = text_of(response)
    assert re.search(r'<p class="error" id="file-error">[^<]*' + re.escape(message), page)
    assert db.session.scalar(select(ProductImport)) is None


def test_a_request_over_the_app_limit_gets_the_same_clear_message(client, maker, login_as) -> None:
    login_as(maker)
    english(client)
    response = upload_page(client, b"a" * (25 * 1024 * 1024 + 1), "sangat-besar.xlsx")
    assert response.status_code == 413
    page = text_of(response)
    assert "The file is larger than 20 MB. Split it into smaller files" in page
    assert 'id="file-error"' in page and 'type="file"' in page  # shown on the upload form


def test_no_file_chosen(client, maker, login_as) -> None:
    login_as(maker)
    english(client)
    response = client.post_form("/produk-saya/unggah", {}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a file to upload." in text_of(response)


def test_the_bad_rows_are_paginated(client, maker, upload, login_as) -> None:
    record = upload(maker, csv_bytes([product_row(n, nama_produk="") for n in range(1, 26)]), "a.csv")
    login_as(maker)
    first = text_of(client.get(f"/produk-saya/unggah/{record.id}"))
    second = text_of(client.get(f"/produk-saya/unggah/{record.id}?page=2"))
    assert first.count("<tr data-row=") == 20 and second.count("<tr data-row=") == 5
    assert 'data-row="26"' in second and 'rel="next"' in first


def test_templates_download(client, maker, login_as) -> None:
    login_as(maker)
    xlsx = client.get("/produk-saya/unggah/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment; filename=template_produk.xlsx" in xlsx.headers["Content-Disposition"]
    archive = client.get("/produk-saya/unggah/template.zip")
    assert archive.mimetype == "application/zip" and "template_produk_csv.zip" in archive.headers["Content-Disposition"]


def test_access_to_an_upload(client, maker, manager, operator, upload, login_as) -> None:
    record = upload(maker, products_xlsx([product_row(1)]))
    pages = [f"/produk-saya/unggah/{record.id}", f"/produk-saya/unggah/{record.id}/status"]
    decisions = [f"/produk-saya/unggah/{record.id}/impor", f"/produk-saya/unggah/{record.id}/batalkan"]

    for outsider in (user_with_role("coop_manager"), seller(), seller(maker.membership.cooperative)):
        client.login(outsider)
        assert [client.get(url).status_code for url in pages] == [404, 404]
        assert [client.post_form(url).status_code for url in decisions] == [404, 404]
    assert client.get(pages[1]).get_json()["error"]["code"] == "not_found"

    client.login(user_with_role("ppk"))
    assert [client.get(url).status_code for url in ["/produk-saya/unggah", *pages]] == [403, 403, 403]
    client.login(operator)
    assert [client.get(url).status_code for url in pages] == [200, 200]
    assert [client.post_form(url).status_code for url in decisions] == [403, 403]
    assert client.get("/produk-saya/unggah").status_code == 403
    client.login(manager)
    assert client.get(pages[0]).status_code == 200
    assert f'data-import-id="{record.id}"' in text_of(client.get("/produk-saya/unggah"))

    visitor = client.application.test_client()
    anonymous = [visitor.get(url) for url in ["/produk-saya/unggah", "/produk-saya/unggah/template.xlsx", *pages]]
    assert [r.status_code for r in anonymous] == [302, 302, 302, 302]
    assert all(r.headers["Location"].startswith("/masuk?next=") for r in anonymous)
