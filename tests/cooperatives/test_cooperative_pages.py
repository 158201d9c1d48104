"""The cooperative's settings page (managers) and the operator's cooperative pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from tests.factories import CooperativeFactory
from tests.support.identifiers import make_npwp


def settings_data(cooperative: Cooperative, **changes) -> dict:
    """The settings form as the browser would send it, with `changes` applied."""
    data = {
        "nib": cooperative.nib,
        "npwp": cooperative.npwp,
        "address": cooperative.address,
        "region_code": cooperative.region_code,
        "phone": "",
        "email": "",
        "bank_name": "",
        "bank_account_number": "",
        "bank_account_name": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def field_error(html: str, name: str) -> bool:
    """Whether the field `name` is shown with an error message next to it."""
    return f'id="{name}-error"' in html and re.search(rf'has-error"[^>]*>\s*<label for="{name}"', html) is not None


def audit_count(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


class TestSettings:
    def test_shows_the_data_feed_address_and_a_masked_key(self, client, login_as, manager, cooperative) -> None:
        login_as(manager)
        html = client.get("/koperasi/pengaturan").get_data(as_text=True)

        assert cooperative.nib in html and cooperative.npwp in html
        assert "/lkpp/v1/all_produk" in html
        assert "•" * 12 + cooperative.datafeed_key[-4:] in html
        assert "<details" in html  # the show toggle
        assert 'name="name"' not in html  # managers do not rename

    def test_saves_valid_data(self, client, login_as, manager, cooperative) -> None:
        login_as(manager)
        npwp = make_npwp(777)
        data = settings_data(
            cooperative,
            nib="9120000000777",
            npwp=npwp,
            is_pkp="y",
            region_code="35.76.02.1003",
            phone="0812 3456 7890",
            bank_name="Bank Jatim",
            bank_account_number="0012345678",
            bank_account_name="KKMP Gununggedangan",
        )

        response = client.post_form("/koperasi/pengaturan", data)

        assert response.status_code == 302
        assert (cooperative.nib, cooperative.npwp, cooperative.is_pkp) == ("9120000000777", npwp, True)
        assert cooperative.region_code == "35.76.02.1003"
        assert cooperative.phone == "+6281234567890"
        assert cooperative.bank_account_number == "0012345678"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cooperative.update"))
        assert set(event.after) == {
            "nib",
            "npwp",
            "is_pkp",
            "region_code",
            "phone",
            "bank_name",
            "bank_account_number",
            "bank_account_name",
        }

    def test_unchecking_pkp(self, client, login_as, manager, cooperative) -> None:
        cooperative.is_pkp = True
        login_as(manager)
        client.post_form("/koperasi/pengaturan", settings_data(cooperative))
        assert cooperative.is_pkp is False

    @pytest.mark.parametrize(
        ("changes", "bad"),
        [
            ({"nib": "12345"}, ["nib"]),
            ({"npwp": "0123456789012345"}, ["npwp"]),
            ({"region_code": "35.76"}, ["region_code"]),
            ({"region_code": "99.99.99.9999"}, ["region_code"]),
            ({"nib": "1", "npwp": "2", "region_code": ""}, ["nib", "npwp", "region_code"]),
        ],
    )
    def test_bad_identifiers_show_errors_next_to_fields_and_save_nothing(
        self, changes, bad, client, login_as, manager, cooperative
    ) -> None:
        login_as(manager)
        before = (cooperative.nib, cooperative.npwp, cooperative.region_code, cooperative.address)

        response = client.post_form(
            "/koperasi/pengaturan",
            settings_data(cooperative, address="Alamat baru yang tidak boleh tersimpan", **changes),
        )

        assert response.status_code == 422
        html = response.get_data(as_text=True)
        for name in bad:
            assert field_error(html, name), name
        assert not field_error(html, "address")
        db.session.refresh(cooperative)
        assert (cooperative.nib, cooperative.npwp, cooperative.region_code, cooperative.address) == before
        assert audit_count("cooperative.update") == 0

    def test_rotate_key(self, client, login_as, manager, cooperative) -> None:
        login_as(manager)
        old = cooperative.datafeed_key
        page = client.get("/koperasi/pengaturan").get_data(as_text=True)
        assert re.search(r'action="/koperasi/pengaturan/kunci-datafeed"\s+data-confirm="', page)

        response = client.post_form("/koperasi/pengaturan/kunci-datafeed")

        assert response.status_code == 302
        assert cooperative.datafeed_key != old
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cooperative.datafeed_key_rotate"))
        assert event.actor_id == manager.id
        assert cooperative.datafeed_key not in repr((event.before, event.after)) and old not in repr(event.after)
        html = client.get("/koperasi/pengaturan").get_data(as_text=True)
        assert cooperative.datafeed_key in html and old not in html

    def test_manager_invites_a_colleague(self, client, login_as, manager, cooperative, mailbox) -> None:
        login_as(manager)

        response = client.post_form(
            "/koperasi/pengaturan/pengurus", {"manager_name": "Pak Bendahara", "manager_email": "wakil@example.com"}
        )

        assert response.status_code == 302
        invited = db.session.scalar(select(User).where(User.email == "wakil@example.com"))
        assert invited.cooperative_id == cooperative.id
        assert "/atur-sandi/" in mailbox.body(mailbox.to("wakil@example.com")[0])
        assert "wakil@example.com" in client.get("/koperasi/pengaturan").get_data(as_text=True)

    def test_invite_with_taken_email_shows_the_error(self, client, login_as, manager) -> None:
        login_as(manager)
        response = client.post_form(
            "/koperasi/pengaturan/pengurus", {"manager_name": "Lagi", "manager_email": manager.email}
        )
        assert response.status_code == 422
        assert field_error(response.get_data(as_text=True), "manager_email")


class TestOperatorIndex:
    def test_lists_with_member_counts_and_hides_closed_unless_asked(
        self, client, login_as, operator, cooperative, make_member
    ) -> None:
        make_member("active")
        make_member("pending")
        closed = CooperativeFactory(name="KKMP Tutup", code="kkmp-tutup", is_active=False)
        login_as(operator)

        html = client.get("/operator/koperasi").get_data(as_text=True)
        with_closed = client.get("/operator/koperasi?inactive=1").get_data(as_text=True)

        row = re.search(r'data-cooperative-code="kkmp-gununggedangan">(.*?)</tr>', html, re.S).group(1)
        assert re.search(r"<td>1</td>", row)  # active members
        assert 'badge-pending">1<' in row  # waiting
        assert closed.code not in html
        assert f'data-cooperative-code="{closed.code}"' in with_closed

    def test_search(self, client, login_as, operator, cooperative, other_cooperative) -> None:
        login_as(operator)
        html = client.get("/operator/koperasi?q=kedundung").get_data(as_text=True)
        assert re.findall(r'data-cooperative-code="([^"]+)"', html) == ["kkmp-kedundung"]


class TestOperatorNew:
    def test_creates_the_cooperative_and_invites_its_manager(self, client, login_as, operator, mailbox) -> None:
        login_as(operator)
        data = {
            "name": "KKMP Mentikan",
            "region_code": "35.76.01.1003",
            "nib": "9120000005555",
            "npwp": "",
            "address": "Jl. Mentikan 1",
            "manager_name": "Bu Ketua",
            "manager_email": "ketua.mentikan@koperasi.co.id",
        }

        response = client.post_form("/operator/koperasi/baru", data)

        cooperative = db.session.scalar(select(Cooperative).where(Cooperative.name == "KKMP Mentikan"))
        assert response.status_code == 302
        assert response.headers["Location"] == f"/operator/koperasi/{cooperative.id}"
        assert cooperative.code == "kkmp-mentikan"
        [message] = mailbox.to("ketua.mentikan@koperasi.co.id")
        assert re.search(r"https?://\S+/atur-sandi/\S+", mailbox.body(message))
        detail = client.get(response.headers["Location"]).get_data(as_text=True)
        assert 'data-manager-email="ketua.mentikan@koperasi.co.id"' in detail
        assert "badge-pending" in detail  # invited, no password yet

    def test_errors_next_to_fields_create_nothing(self, client, login_as, operator, manager, mailbox) -> None:
        login_as(operator)
        count = db.session.scalar(select(func.count()).select_from(Cooperative))

        response = client.post_form(
            "/operator/koperasi/baru",
            {"name": "KKMP Salah", "region_code": "35.76.02", "manager_name": "X", "manager_email": manager.email},
        )

        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert field_error(html, "region_code")
        assert db.session.scalar(select(func.count()).select_from(Cooperative)) == count

    def test_taken_manager_email_is_shown_on_the_field(self, client, login_as, operator, manager) -> None:
        login_as(operator)
        response = client.post_form(
            "/operator/koperasi/baru",
            {"name": "KKMP Baru", "region_code": "35.76.02.1009", "manager_name": "X", "manager_email": manager.email},
        )
        assert response.status_code == 422
        assert field_error(response.get_data(as_text=True), "manager_email")
        assert db.session.scalar(select(Cooperative).where(Cooperative.name == "KKMP Baru")) is None


class TestOperatorDetail:
    def test_operator_renames_and_edits(self, client, login_as, operator, cooperative) -> None:
        login_as(operator)
        data = settings_data(cooperative, name="KKMP Gununggedangan Baru")

        response = client.post_form(f"/operator/koperasi/{cooperative.id}", data)

        assert response.status_code == 302
        assert cooperative.name == "KKMP Gununggedangan Baru"
        html = client.get(f"/operator/koperasi/{cooperative.id}").get_data(as_text=True)
        assert "Data changed" in html or "cooperative.update" in html

    def test_bad_data_shows_errors(self, client, login_as, operator, cooperative) -> None:
        login_as(operator)
        response = client.post_form(f"/operator/koperasi/{cooperative.id}", settings_data(cooperative, name=""))
        assert response.status_code == 422
        assert field_error(response.get_data(as_text=True), "name")
        assert cooperative.name == "KKMP Gununggedangan"

    def test_operator_invites_another_manager(self, client, login_as, operator, cooperative, mailbox) -> None:
        login_as(operator)
        response = client.post_form(
            f"/operator/koperasi/{cooperative.id}/pengurus",
            {"manager_name": "Pak Sekretaris", "manager_email": "sekretaris@example.com"},
        )
        assert response.status_code == 302
        assert len(mailbox.to("sekretaris@example.com")) == 1

    def test_close_and_reopen(self, client, login_as, operator, cooperative) -> None:
        login_as(operator)
        page = client.get(f"/operator/koperasi/{cooperative.id}").get_data(as_text=True)
        assert re.search(rf'action="/operator/koperasi/{cooperative.id}/status"[^>]*data-confirm=', page, re.S)

        client.post_form(f"/operator/koperasi/{cooperative.id}/status", {"active": "0", "reason": "Tidak aktif lagi"})
        assert cooperative.is_active is False
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cooperative.deactivate"))
        assert event.reason == "Tidak aktif lagi"
        assert "badge-disabled" in client.get(f"/operator/koperasi/{cooperative.id}").get_data(as_text=True)

        client.post_form(f"/operator/koperasi/{cooperative.id}/status", {"active": "1"})
        assert cooperative.is_active is True

    def test_bad_status_value_is_refused(self, client, login_as, operator, cooperative) -> None:
        login_as(operator)
        response = client.post_form(f"/operator/koperasi/{cooperative.id}/status", {"active": "maybe"})
        assert response.status_code == 422
        assert cooperative.is_active is True
