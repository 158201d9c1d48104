"""Bulk upload through the API: send a file (202), follow its check, import the good rows or nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.catalog.imports.sheet import PRODUK
from marketplace.catalog.models import Product, ProductImport
from tests.api.conftest import error_of
from tests.factories import seller, user_with_role


def produk_row(**values) -> dict:
    row = {
        "no_produk_penyedia": "BRS-101",
        "nama_produk": "Beras Medium 5 kg",
        "kategori_1": "Bahan Pokok",
        "kategori_2": "Beras dan Serealia",
        "kategori_3": "Beras",
        "kbki_id": "2316110001",
        "unit_pengukuran": "Karung",
        "harga_pemerintah": "65000",
        "kuantitas_stok": "30",
        "berlaku_sampai": (date.today() + timedelta(days=60)).isoformat(),
    }
    row.update(values)
    return row


def csv_file(rows: list[dict], columns: tuple[str, ...] = PRODUK.names) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


GOOD_AND_BAD = [produk_row(), produk_row(no_produk_penyedia="BRS-102", harga_pemerintah="0", kbki_id="12")]


def upload(api, user, data: bytes, name: str = "produk.csv", **form):
    fields = {"file": (io.BytesIO(data), name), **form}
    return api.post("/products/import", user=user, data=fields, content_type="multipart/form-data")


@pytest.fixture
def checked(api, maker, reference, run_tasks) -> dict:
    """An upload of one good and one bad row, checked by the worker."""
    response = upload(api, maker, csv_file(GOOD_AND_BAD))
    assert response.status_code == 202, response.json
    run_tasks()
    return response.json


def test_upload_answers_202_with_a_status_url(api, db, maker, reference, sent_tasks) -> None:
    response = upload(api, maker, csv_file(GOOD_AND_BAD))
    assert response.status_code == 202
    data = response.json
    assert (data["status"], data["filename"], data["file_format"], data["seller_id"]) == (
        "queued",
        "produk.csv",
        "csv",
        maker.id,
    )
    assert data["status_url"].endswith(f"/api/v1/products/imports/{data['id']}")
    assert ("catalog.validate_import", {"import_id": data["id"]}) in sent_tasks
    assert db.session.get(ProductImport, data["id"]).uploaded_by_id == maker.id


def test_the_check_reports_each_bad_row_with_column_and_message(api, maker, checked) -> None:
    response = api.get(f"/products/imports/{checked['id']}", user=maker)
    assert response.status_code == 200
    data = response.json
    assert (data["status"], data["total_rows"], data["good_rows"], data["bad_rows"]) == ("validated", 2, 1, 1)
    errors = data["errors"]
    assert errors["total"] == 2
    assert {(e["sheet"], e["row_number"], e["column"]) for e in errors["items"]} == {
        ("Produk", 3, "harga_pemerintah"),
        ("Produk", 3, "kbki_id"),
    }
    assert all(item["message"] for item in errors["items"])
    one = api.get(f"/products/imports/{checked['id']}?per_page=1&page=2", user=maker).json["errors"]
    assert (one["total"], one["page"], len(one["items"])) == (2, 2, 1)


def test_import_the_good_rows_as_drafts(api, db, maker, checked, run_tasks) -> None:
    response = api.post(f"/products/imports/{checked['id']}/apply", {"mode": "good_only"}, user=maker)
    assert response.status_code == 202
    assert response.json["decision"] == "good_only"
    run_tasks()
    data = api.get(f"/products/imports/{checked['id']}", user=maker).json
    assert (data["status"], data["imported_rows"]) == ("completed", 1)
    products = db.session.scalars(select(Product).where(Product.seller_id == maker.id)).all()
    assert [(p.sku, p.status) for p in products] == [("BRS-101", "draft")]
    again = api.post(f"/products/imports/{checked['id']}/apply", {"mode": "nothing"}, user=maker)
    assert again.status_code == 409


def test_import_nothing(api, db, maker, checked) -> None:
    response = api.post(f"/products/imports/{checked['id']}/apply", {"mode": "nothing"}, user=maker)
    assert response.status_code == 202 and response.json["status"] == "discarded"
    assert db.session.scalars(select(Product).where(Product.seller_id == maker.id)).all() == []


def test_deciding_before_the_check_is_409_and_the_mode_is_checked(api, maker, reference) -> None:
    queued = upload(api, maker, csv_file(GOOD_AND_BAD)).json
    response = api.post(f"/products/imports/{queued['id']}/apply", {"mode": "good_only"}, user=maker)
    assert response.status_code == 409
    bad = api.post(f"/products/imports/{queued['id']}/apply", {"mode": "all"}, user=maker)
    assert bad.status_code == 422 and set(error_of(bad)["fields"]) == {"mode"}


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "produk.csv"),
        (csv_file([produk_row()], columns=("sku", "nama", "harga")), "produk.csv"),
    ],
    ids=["not-a-sheet", "wrong-columns"],
)
def test_unusable_files_are_refused_on_the_field_file(api, db, maker, reference, data, name) -> None:
    response = upload(api, maker, data, name)
    assert response.status_code == 422
    error = error_of(response)
    assert set(error["fields"]) == {"file"} and error["fields"]["file"]
    assert db.session.scalars(select(ProductImport)).all() == []


def test_the_file_field_is_required_and_multipart(api, maker) -> None:
    missing = api.post("/products/import", user=maker, data={"seller_id": "1"}, content_type="multipart/form-data")
    assert missing.status_code == 422 and set(error_of(missing)["fields"]) == {"file"}
    assert api.post("/products/import", {"file": "x"}, user=maker).status_code == 415


def test_manager_uploads_for_a_member(api, maker, manager, reference) -> None:
    assert set(error_of(upload(api, manager, csv_file([produk_row()])))["fields"]) == {"seller_id"}
    assert set(error_of(upload(api, manager, csv_file([produk_row()]), seller_id="x"))["fields"]) == {"seller_id"}
    response = upload(api, manager, csv_file([produk_row()]), seller_id=str(maker.id))
    assert response.status_code == 202 and response.json["seller_id"] == maker.id
    stranger = upload(api, manager, csv_file([produk_row()]), seller_id=str(seller().id))
    assert stranger.status_code == 422 and set(error_of(stranger)["fields"]) == {"seller_id"}


def test_who_sees_and_decides_an_upload(api, maker, manager, checked) -> None:
    url = f"/products/imports/{checked['id']}"
    assert api.get(url, user=manager).status_code == 200
    operator = user_with_role(Role.OPERATOR)
    assert api.get(url, user=operator).status_code == 200
    assert api.post(f"{url}/apply", {"mode": "nothing"}, user=operator).status_code == 403
    for outsider in (seller(maker.membership.cooperative), user_with_role(Role.COOP_MANAGER)):
        assert api.get(url, user=outsider).status_code == 404
        assert api.post(f"{url}/apply", {"mode": "nothing"}, user=outsider).status_code == 404
    assert api.get(url, user=user_with_role(Role.PP)).status_code == 403
    assert api.get(url).status_code == 401
    assert api.get(url, user=maker).json["status"] == "validated"


def test_list_uploads(api, maker, manager, checked) -> None:
    mine = api.get("/products/imports", user=maker).json
    assert [item["id"] for item in mine["items"]] == [checked["id"]]
    assert api.get("/products/imports", user=manager).json["total"] == 1
    assert api.get("/products/imports", user=seller()).json["total"] == 0
