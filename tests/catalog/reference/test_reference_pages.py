"""The operator's reference-data pages: categories, units and KBKI codes."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.catalog.models import Category, KbkiCode, Unit
from marketplace.catalog.services.reference import create_category
from marketplace.extensions import db

BASE = "/operator/referensi"


def category(name: str) -> Category | None:
    return db.session.scalar(select(Category).where(Category.name == name))


def unit(name: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.name == name))


def upload(content: bytes, filename: str = "kbki.csv") -> dict:
    return {"file": (io.BytesIO(content), filename)}


class TestAccess:
    @pytest.fixture
    def urls(self, operator) -> list[tuple[str, str]]:
        top = create_category(actor=operator, name="Bahan Pokok")
        kg = unit("Kilogram")
        return [
            ("GET", f"{BASE}/kategori"), ("POST", f"{BASE}/kategori"), ("GET", f"{BASE}/kategori/{top.id}"),
            ("POST", f"{BASE}/kategori/{top.id}"), ("POST", f"{BASE}/kategori/{top.id}/pindah"),
            ("POST", f"{BASE}/kategori/{top.id}/status"), ("GET", f"{BASE}/satuan"), ("POST", f"{BASE}/satuan"),
            ("GET", f"{BASE}/satuan/{kg.id}"), ("POST", f"{BASE}/satuan/{kg.id}"),
            ("POST", f"{BASE}/satuan/{kg.id}/status"), ("GET", f"{BASE}/kbki"), ("POST", f"{BASE}/kbki/impor"),
        ]  # fmt: skip

    @pytest.mark.parametrize("role", [Role.SELLER, Role.COOP_MANAGER, Role.PP, Role.PPK, Role.BENDAHARA])
    def test_other_roles_are_refused(self, client, login_as, urls, role) -> None:
        login_as(role)
        for method, url in urls:
            response = client.get(url) if method == "GET" else client.post_form(url, {})
            assert response.status_code == 403, (method, url)
        assert category("Bahan Pokok").is_active and unit("Kilogram").is_active

    def test_visitors_are_sent_to_sign_in(self, client, urls) -> None:
        for method, url in urls:
            response = client.get(url) if method == "GET" else client.post_form(url, {})
            assert response.status_code == 302 and response.headers["Location"].startswith("/masuk"), (method, url)

    def test_operators_open_every_page(self, client, login_as, operator, urls) -> None:
        login_as(operator)
        for method, url in urls:
            if method == "GET":
                assert client.get(url).status_code == 200, url

    def test_unknown_entries_are_not_found(self, client, login_as, operator) -> None:
        login_as(operator)
        assert client.get(f"{BASE}/kategori/999999").status_code == 404
        assert client.get(f"{BASE}/satuan/999999").status_code == 404
        assert client.post_form(f"{BASE}/kategori/999999/status", {"active": "0"}).status_code == 404

    def test_the_nav_links_operators_here(self, client, login_as, operator) -> None:
        login_as(operator)
        assert f'href="{BASE}/kategori"' in client.get("/").get_data(as_text=True)


class TestCategoryPages:
    def test_build_a_tree(self, client, login_as, operator) -> None:
        login_as(operator)
        response = client.post_form(f"{BASE}/kategori", {"name": "Bahan Pokok", "parent_id": ""})
        assert response.status_code == 302
        top = category("Bahan Pokok")
        client.post_form(f"{BASE}/kategori", {"name": "Beras dan Serealia", "parent_id": str(top.id)})
        middle = category("Beras dan Serealia")
        response = client.post_form(
            f"{BASE}/kategori", {"name": "Beras", "parent_id": str(middle.id), "back": "edit", "lkpp_id": "K-1"}
        )
        assert response.headers["Location"] == f"{BASE}/kategori/{middle.id}"
        assert (category("Beras").level, category("Beras").lkpp_id) == (3, "K-1")

        page = client.get(f"{BASE}/kategori").get_data(as_text=True)
        levels = re.findall(r'data-category-id="\d+" data-level="(\d)"', page)
        assert levels == ["1", "2", "3"]
        # a level-3 category cannot be a parent: not offered in the add form
        assert f'<option value="{category("Beras").id}"' not in page

    def test_errors_appear_next_to_the_field(self, client, login_as, operator) -> None:
        create_category(actor=operator, name="Bahan Pokok")
        login_as(operator)
        response = client.post_form(f"{BASE}/kategori", {"name": "bahan pokok", "parent_id": ""})
        assert response.status_code == 422
        assert 'id="name-error"' in response.get_data(as_text=True)
        response = client.post_form(f"{BASE}/kategori", {"name": "", "parent_id": ""})
        assert response.status_code == 422

    def test_a_child_form_error_shows_on_the_parents_page(self, client, login_as, operator) -> None:
        top = create_category(actor=operator, name="Bahan Pokok")
        create_category(actor=operator, name="Gula", parent_id=top.id)
        login_as(operator)
        response = client.post_form(f"{BASE}/kategori", {"name": "GULA", "parent_id": str(top.id), "back": "edit"})
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert 'id="add-child"' in page and 'id="name-error"' in page

    def test_rename_move_and_deactivate(self, client, login_as, operator) -> None:
        top = create_category(actor=operator, name="Bahan Pokok")
        first = create_category(actor=operator, name="Gula", parent_id=top.id)
        second = create_category(actor=operator, name="Telur", parent_id=top.id)
        login_as(operator)

        response = client.post_form(f"{BASE}/kategori/{first.id}", {"name": "Gula Pasir", "lkpp_id": ""})
        assert response.status_code == 302 and first.name == "Gula Pasir"
        client.post_form(f"{BASE}/kategori/{second.id}/pindah", {"direction": "up"})
        assert (second.position, first.position) == (0, 1)
        response = client.post_form(f"{BASE}/kategori/{top.id}/status", {"active": "0"})
        assert response.status_code == 302 and not top.is_active and not first.is_active

        page = client.get(f"{BASE}/kategori/{first.id}").get_data(as_text=True)
        assert 'data-action="activate"' not in page  # the parent must come back first
        response = client.post_form(f"{BASE}/kategori/{first.id}/status", {"active": "1"}, follow_redirects=True)
        assert "flash-error" in response.get_data(as_text=True) and not first.is_active
        page = client.get(f"{BASE}/kategori/{top.id}").get_data(as_text=True)
        assert 'data-action="activate"' in page and 'id="add-child"' not in page

    def test_the_deactivation_form_asks_for_confirmation(self, client, login_as, operator) -> None:
        top = create_category(actor=operator, name="Bahan Pokok")
        login_as(operator)
        page = client.get(f"{BASE}/kategori/{top.id}").get_data(as_text=True)
        assert re.search(r'<form[^>]*/status"[^>]*data-confirm=', page, re.S)

    def test_empty_tree(self, client, login_as, operator) -> None:
        login_as(operator)
        assert 'class="card empty"' in client.get(f"{BASE}/kategori").get_data(as_text=True)


class TestUnitPages:
    def test_lists_add_rename_deactivate(self, client, login_as, operator) -> None:
        login_as(operator)
        page = client.get(f"{BASE}/satuan").get_data(as_text=True)
        assert 'data-unit="Kilogram"' in page and 'data-unit="Orang Hari"' in page

        assert client.post_form(f"{BASE}/satuan", {"name": "Batang"}).status_code == 302
        batang = unit("Batang")
        response = client.post_form(f"{BASE}/satuan/{batang.id}", {"name": "Batang Bambu", "lkpp_id": "U-77"})
        assert response.status_code == 302 and (batang.name, batang.lkpp_id) == ("Batang Bambu", "U-77")
        client.post_form(f"{BASE}/satuan/{batang.id}/status", {"active": "0"})
        assert not batang.is_active
        page = client.get(f"{BASE}/satuan").get_data(as_text=True)
        assert re.search(r'data-unit="Batang Bambu" class="inactive"', page)

    def test_duplicate_names_are_refused_next_to_the_field(self, client, login_as, operator) -> None:
        login_as(operator)
        response = client.post_form(f"{BASE}/satuan", {"name": "LITER"})
        assert response.status_code == 422 and 'id="name-error"' in response.get_data(as_text=True)
        kg = unit("Kilogram")
        response = client.post_form(f"{BASE}/satuan/{kg.id}", {"name": "gram"})
        assert response.status_code == 422 and kg.name == "Kilogram"


class TestKbkiPages:
    def test_import_then_search(self, client, login_as, operator) -> None:
        login_as(operator)
        data = "\ufeffkode,judul\n2316,Beras\n2316110001,Beras putih\n0111,Gandum\n".encode()
        response = client.post_form(f"{BASE}/kbki/impor", upload(data), follow_redirects=True)
        page = response.get_data(as_text=True)
        assert "flash-success" in page and re.findall(r'data-code="(\d+)"', page) == ["0111", "2316", "2316110001"]
        page = client.get(f"{BASE}/kbki?q=putih").get_data(as_text=True)
        assert re.findall(r'data-code="(\d+)"', page) == ["2316110001"]
        page = client.get(f"{BASE}/kbki?q=tidak-ada").get_data(as_text=True)
        assert 'class="card empty"' in page

    def test_bad_rows_are_listed_with_their_line_numbers(self, client, login_as, operator) -> None:
        login_as(operator)
        data = b"kode,judul\n2316,Beras\n99999999,Terlalu panjang\n2352,\n"
        response = client.post_form(f"{BASE}/kbki/impor", upload(data))
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert re.findall(r'<tr data-line="(\d+)">', page) == ["3", "4"]
        assert 'id="file-error"' in page
        assert db.session.get(KbkiCode, "2316") is None

    def test_a_file_is_required(self, client, login_as, operator) -> None:
        login_as(operator)
        response = client.post_form(f"{BASE}/kbki/impor", {})
        assert response.status_code == 422 and 'id="file-error"' in response.get_data(as_text=True)
