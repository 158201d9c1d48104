"""Input the database cannot take, refused everywhere: ids beyond a signed 64-bit integer in any URL (404), and
control characters or such integers in any HTML form (an error next to the field, nothing stored)."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.exceptions import MethodNotAllowed, NotFound
from wtforms import FieldList, FormField, IntegerField, StringField

from marketplace.accounts.models import Role, User
from marketplace.catalog.services import create_listing
from marketplace.core.errors import ValidationFailed
from marketplace.core.fields import MAX_DB_INTEGER, FieldErrors, as_database_id, has_forbidden_characters, read_text
from marketplace.core.forms import BaseForm, input_problem
from marketplace.extensions import db
from marketplace.procurement.models import CartItem
from marketplace.procurement.services import moves
from tests.accounts.helpers import field_error, registration_form
from tests.factories import CooperativeFactory, catalog_reference, listing_data, seller, user_with_role
from tests.procurement.conftest import build_market, make_order

TOO_BIG = str(MAX_DB_INTEGER + 1)
NOT_ALLOWED = "This text contains characters that are not allowed."


# --- URLs -------------------------------------------------------------------------------------------------------------


def int_rules(app) -> list:
    return [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]


def concrete_path(rule: str, number: str) -> str:
    """The rule with `number` for its int parameters, the first choice of an `any(…)` and `x` for the others."""

    def value(match: re.Match) -> str:
        converter, arguments = match["converter"], match["arguments"] or ""
        if converter == "int":
            return number
        if converter == "any":
            return arguments.strip("()").split(",")[0].strip(" '\"")
        return "x"

    return re.sub(r"<(?:(?P<converter>\w+)(?P<arguments>\([^)]*\))?:)?\w+>", value, rule)


def test_every_int_route_refuses_ids_beyond_the_database_with_404(app) -> None:
    adapter = app.url_map.bind("localhost")
    rules = int_rules(app)
    assert len(rules) > 50
    for rule in rules:
        for too_big in (TOO_BIG, "9" * 20, "1" * 5000):
            path = concrete_path(rule.rule, too_big)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                with pytest.raises(NotFound) as caught:
                    adapter.match(path, method=method)
                assert not isinstance(caught.value, MethodNotAllowed), (method, path)


def test_int_rules_match_with_ids_the_database_holds(app) -> None:
    adapter = app.url_map.bind("localhost")
    for rule in int_rules(app):
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        endpoint, values = adapter.match(concrete_path(rule.rule, str(MAX_DB_INTEGER)), method=method)
        assert endpoint == rule.endpoint, rule.rule
        assert MAX_DB_INTEGER in values.values()


def test_the_largest_database_id_still_matches(app) -> None:
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/pesanan/{MAX_DB_INTEGER}") == ("procurement.order_detail", {"order_id": MAX_DB_INTEGER})
    assert adapter.match("/pesanan/007") == ("procurement.order_detail", {"order_id": 7})


def test_html_order_page_with_a_huge_id_is_404(client, login_as) -> None:
    login_as(Role.PP)
    response = client.get(f"/pesanan/{TOO_BIG}")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_api_order_with_a_huge_id_is_a_json_404(client) -> None:
    response = client.get("/api/v1/orders/99999999999999999999")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_url_building_is_unchanged(app) -> None:
    with app.test_request_context():
        from flask import url_for

        assert url_for("procurement.order_detail", order_id=7) == "/pesanan/7"


# --- forms ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("character", ["\x00", "\x08", "\x1f", "\x7f", "\x9f"], ids=repr)
def test_profile_form_refuses_control_characters_next_to_the_field(client, login_as, character) -> None:
    user = login_as(seller(full_name="Sri", phone="+6281234567890", locale="en"))
    page = client.post_form(
        "/profil/akun", {"full_name": f"Sri{character}Wahyuni", "phone": "0812 1111 2222", "locale": "en"}
    )
    assert page.status_code == 422
    assert field_error(page.text, "full_name") == NOT_ALLOWED
    db.session.expire_all()
    assert (user.full_name, user.phone) == ("Sri", "+6281234567890")


def test_business_form_refuses_control_characters_in_multi_line_text(client, login_as) -> None:
    from tests.accounts.helpers import profile_data

    user = login_as(seller(locale="en"))
    before = user.seller_profile.address
    page = client.post_form("/profil/usaha", profile_data(address="Jl. Empunala\r\nNo. 12\x00"))
    assert page.status_code == 422
    assert field_error(page.text, "address") == NOT_ALLOWED
    db.session.expire_all()
    assert user.seller_profile.address == before


def test_cart_form_refuses_a_product_id_beyond_the_database(client, login_as) -> None:
    buyer = login_as(user_with_role(Role.PP, locale="en"))
    response = client.post_form("/keranjang/tambah", {"product_id": TOO_BIG, "quantity": "1"})
    assert response.status_code == 302  # back with the message, not a 500
    assert db.session.scalars(db.select(CartItem).filter_by(user_id=buyer.id)).all() == []


class _Line(BaseForm):
    class Meta:
        csrf = False

    note = StringField()
    quantity = IntegerField()


class _Order(BaseForm):
    class Meta:
        csrf = False

    title = StringField()
    lines = FieldList(FormField(_Line), min_entries=1)


def test_base_form_checks_fields_inside_subforms_and_lists(app) -> None:
    from werkzeug.datastructures import MultiDict

    with app.test_request_context(), force_locale("en"):
        form = _Order(MultiDict({"title": "Ok\tfine\r\n", "lines-0-note": "a\x00b", "lines-0-quantity": str(2**63)}))
        assert form.validate() is False
        assert form.title.errors == []
        line = form.lines.entries[0].form
        assert line.note.errors == [NOT_ALLOWED]
        assert line.quantity.errors == ["Enter a number of at most 9223372036854775807."]


@pytest.mark.parametrize(
    ("data", "refused"),
    [
        ("Sri\tWahyuni\r\n", False),
        ("Sri\x00", True),
        ("\ud800", True),
        ("Sri\u200bWahyuni é ü 日本", False),
        (2**63 - 1, False),
        (2**63, True),
        (-(2**63) - 1, True),
        (True, False),
        (["ok", "no\x00"], True),
        (None, False),
    ],
)
def test_input_problem(app, data, refused) -> None:
    with app.test_request_context():
        assert (input_problem(data) is not None) is refused


def test_read_text_refuses_control_characters_as_imports_and_listing_rules_read_them(app) -> None:
    with app.test_request_context(), force_locale("en"):
        errors = FieldErrors()
        assert read_text({"name": "Beras\x00"}, "name", errors, limit=200) == "Beras\x00"
        assert errors == {"name": NOT_ALLOWED}
        ok = FieldErrors()
        read_text({"description": "Baris 1\r\nBaris\t2"}, "description", ok, limit=200)
        assert ok == {}


def test_has_forbidden_characters() -> None:
    assert has_forbidden_characters("a\x00") and has_forbidden_characters("\x1b[31m")
    assert not has_forbidden_characters("tab\tnewline\nreturn\r")


# --- Query parameters ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (None, f"/katalog?page={TOO_BIG}"),
        (Role.COOP_MANAGER, f"/produk-saya?seller_id={TOO_BIG}"),
        (Role.COOP_MANAGER, f"/koperasi/tinjauan?member={TOO_BIG}&category={TOO_BIG}"),
        (Role.OPERATOR, f"/admin/audit?subject_id={TOO_BIG}"),
        (Role.OPERATOR, f"/pesanan?page={TOO_BIG}"),
    ],
)
def test_impossible_ids_and_pages_in_a_query_are_ignored(client, login_as, role, path) -> None:
    if role is not None:
        login_as(role)
    assert client.get(path).status_code == 200


def test_registration_refuses_a_cooperative_id_beyond_the_database(client) -> None:
    CooperativeFactory()
    response = client.post_form("/daftar", registration_form(TOO_BIG))
    assert response.status_code == 422
    assert field_error(response.text, "cooperative_id")
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_listing_with_a_category_beyond_the_database_is_a_field_error(db) -> None:
    with pytest.raises(ValidationFailed) as refused:
        create_listing(actor=seller(), data=listing_data(catalog_reference(), category_id=TOO_BIG))
    assert "category_id" in refused.value.fields


@pytest.mark.parametrize(("value", "expected"), [("12", 12), (12, 12), (TOO_BIG, None), ("0", None), ("١٢", None),
                                                  (True, None), ("-3", None), ("", None), (None, None)])  # fmt: skip
def test_as_database_id(value, expected) -> None:
    assert as_database_id(value) == expected


@pytest.mark.parametrize("parent_id", ["²", TOO_BIG, "9" * 5000])
def test_a_category_parent_beyond_the_database_or_not_ascii_is_no_500(client, login_as, parent_id) -> None:
    login_as(Role.OPERATOR)
    response = client.post_form("/operator/referensi/kategori", {"name": "Kategori Uji", "parent_id": parent_id})
    assert response.status_code < 500


@pytest.mark.parametrize("line_id", ["²", "--5", "9" * 5000])
def test_a_proposal_line_that_is_no_number_is_a_field_error(db, line_id) -> None:
    market = build_market()
    order = make_order(market)
    with pytest.raises(ValidationFailed) as refused:
        moves.propose(actor=market.ppk, order=order, message="Mohon", lines=[{"line_id": line_id, "unit_price": 1}])
    assert "lines.0.line_id" in refused.value.fields
