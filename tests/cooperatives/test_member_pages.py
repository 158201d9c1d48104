"""The members pages of a cooperative manager (and of an operator)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

REASON = "Alamat usaha berada di luar kelurahan."


def rows(html: str) -> list[str]:
    """The member emails listed in the table, in order."""
    return re.findall(r'data-member-email="([^"]+)"', html)


@pytest.fixture
def signed_in_manager(login_as, manager):
    return login_as(manager)


class TestMembersList:
    def test_defaults_to_pending_with_counts_and_row_data(
        self, client, signed_in_manager, make_member, other_cooperative
    ) -> None:
        waiting = make_member("pending", full_name="Siti Aminah", email="siti@example.test")
        waiting.created_at = utcnow().replace(hour=3, minute=30) - timedelta(days=1)
        make_member("active", email="aktif@example.test")
        make_member("pending", coop=other_cooperative, email="asing@example.test")
        db.session.flush()

        html = client.get("/koperasi/anggota").get_data(as_text=True)

        assert rows(html) == ["siti@example.test"]
        assert "Siti Aminah" in html
        assert waiting.user.seller_profile.business_name in html
        assert waiting.user.seller_profile.nib in html
        assert "10:30 WIB" in html  # 03:30 UTC shown in Asia/Jakarta
        assert re.search(r'data-tab="pending" aria-current="page">\s*\S.*?<span class="count">1</span>', html, re.S)
        assert re.search(r'data-tab="active">\s*\S.*?<span class="count">1</span>', html, re.S)
        assert 'data-action="approve"' in html
        assert "asing@example.test" not in html

    def test_status_tab_and_search(self, client, signed_in_manager, make_member) -> None:
        make_member("active", full_name="Budi Batik", email="budi@example.test")
        make_member("active", full_name="Wati Kue", email="wati@example.test")
        make_member("pending", full_name="Budi Pending", email="budip@example.test")

        active = client.get("/koperasi/anggota?status=active").get_data(as_text=True)
        searched = client.get("/koperasi/anggota?status=active&q=budi").get_data(as_text=True)

        assert rows(active) == ["budi@example.test", "wati@example.test"]
        assert rows(searched) == ["budi@example.test"]
        assert 'data-action="approve"' not in active

    def test_unknown_status_falls_back_to_pending(self, client, signed_in_manager, applicant) -> None:
        html = client.get("/koperasi/anggota?status=gone").get_data(as_text=True)
        assert rows(html) == ["siti@example.test"]

    def test_empty_state(self, client, signed_in_manager) -> None:
        html = client.get("/koperasi/anggota").get_data(as_text=True)
        assert "<table" not in html
        assert 'class="card empty"' in html

    def test_paginated(self, app, client, signed_in_manager, make_member) -> None:
        for n in range(3):
            make_member("pending", email=f"antre{n}@example.test")

        first = client.get("/koperasi/anggota?per_page=2").get_data(as_text=True)
        second = client.get("/koperasi/anggota?per_page=2&page=2").get_data(as_text=True)

        assert len(rows(first)) == 2 and len(rows(second)) == 1
        assert set(rows(first)) | set(rows(second)) == {f"antre{n}@example.test" for n in range(3)}
        assert 'rel="next"' in first

    def test_user_data_is_escaped(self, client, signed_in_manager, make_member) -> None:
        make_member("pending", full_name="<script>alert(1)</script>")
        html = client.get("/koperasi/anggota").get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html


class TestMemberDetail:
    def test_shows_the_umkm_profile_with_region_names(self, client, signed_in_manager, applicant) -> None:
        profile = applicant.user.seller_profile

        html = client.get(f"/koperasi/anggota/{applicant.id}").get_data(as_text=True)

        for value in (profile.business_name, profile.nib, profile.npwp, profile.nik, profile.address, "10793"):
            assert value in html
        assert "Gununggedangan, Magersari, Kota Mojokerto, Jawa Timur" in html
        assert f'action="/koperasi/anggota/{applicant.id}/setujui"' in html
        assert f'action="/koperasi/anggota/{applicant.id}/tolak"' in html
        assert "/bekukan" not in html

    def test_history_lists_decisions_with_reason(self, client, signed_in_manager, make_member) -> None:
        membership = make_member("active")
        client.post_form(f"/koperasi/anggota/{membership.id}/bekukan", {"reason": REASON})
        client.post_form(f"/koperasi/anggota/{membership.id}/aktifkan")

        html = client.get(f"/koperasi/anggota/{membership.id}").get_data(as_text=True)

        assert 'data-action="membership.suspend"' in html
        assert 'data-action="membership.reactivate"' in html
        assert REASON in html
        assert signed_in_manager.full_name in html


class TestDecisions:
    def test_approve_from_the_list_returns_to_it(self, client, signed_in_manager, applicant, mailbox) -> None:
        response = client.post_form(
            f"/koperasi/anggota/{applicant.id}/setujui", {"next": "/koperasi/anggota?status=pending"}
        )

        assert response.status_code == 302
        assert response.headers["Location"] == "/koperasi/anggota?status=pending"
        assert applicant.status == "active"
        assert len(mailbox.to("siti@example.test")) == 1
        assert rows(client.get("/koperasi/anggota").get_data(as_text=True)) == []

    def test_unsafe_next_is_ignored(self, client, signed_in_manager, applicant) -> None:
        response = client.post_form(f"/koperasi/anggota/{applicant.id}/setujui", {"next": "https://evil.test/"})
        assert response.headers["Location"] == f"/koperasi/anggota/{applicant.id}"

    def test_reject_with_reason(self, client, signed_in_manager, applicant, mailbox) -> None:
        response = client.post_form(f"/koperasi/anggota/{applicant.id}/tolak", {"reason": REASON})

        assert response.status_code == 302
        assert applicant.status == "rejected" and applicant.status_reason == REASON
        assert REASON in mailbox.body(mailbox.to("siti@example.test")[0])

    @pytest.mark.parametrize(("status", "url"), [("pending", "tolak"), ("active", "bekukan")])
    @pytest.mark.parametrize("reason", ["", "singkat", "          x "])
    def test_short_reason_shows_error_next_to_field(
        self, status, url, reason, client, signed_in_manager, make_member, mailbox
    ) -> None:
        membership = make_member(status, email="alasan@example.test")

        response = client.post_form(f"/koperasi/anggota/{membership.id}/{url}", {"reason": reason})

        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert re.search(r'<div class="field\s+has-error">\s*<label for="reason">', html)
        assert 'id="reason-error"' in html
        assert membership.status == status
        assert mailbox.to("alasan@example.test") == []

    def test_suspend_and_reactivate(self, client, signed_in_manager, make_member) -> None:
        membership = make_member("active")

        client.post_form(f"/koperasi/anggota/{membership.id}/bekukan", {"reason": REASON})
        assert membership.status == "suspended"
        client.post_form(f"/koperasi/anggota/{membership.id}/aktifkan")
        assert membership.status == "active"

    def test_illegal_move_changes_nothing_and_explains(self, client, signed_in_manager, make_member) -> None:
        membership = make_member("active")

        response = client.post_form(f"/koperasi/anggota/{membership.id}/setujui", follow_redirects=True)

        assert response.status_code == 200
        assert 'class="flash flash-warning"' in response.get_data(as_text=True)
        assert membership.status == "active"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "membership.approve")) is None

    def test_closed_cooperative_cannot_approve(self, client, signed_in_manager, cooperative, applicant) -> None:
        cooperative.is_active = False

        response = client.post_form(f"/koperasi/anggota/{applicant.id}/setujui", follow_redirects=True)

        assert 'class="flash flash-error"' in response.get_data(as_text=True)
        assert applicant.status == "pending"

    def test_get_is_not_allowed_on_actions(self, client, signed_in_manager, applicant) -> None:
        assert client.get(f"/koperasi/anggota/{applicant.id}/setujui").status_code == 405
        assert applicant.status == "pending"

    def test_missing_csrf_token_is_refused(self, client, signed_in_manager, applicant) -> None:
        assert client.post(f"/koperasi/anggota/{applicant.id}/setujui").status_code == 400
        assert applicant.status == "pending"


class TestOperatorMembers:
    def test_operator_sees_and_decides_members_of_any_cooperative(
        self, client, login_as, operator, other_cooperative, make_member
    ) -> None:
        membership = make_member("pending", coop=other_cooperative, email="jauh@example.test")
        login_as(operator)

        html = client.get(f"/operator/koperasi/{other_cooperative.id}/anggota").get_data(as_text=True)
        assert rows(html) == ["jauh@example.test"]
        assert f"/operator/koperasi/{other_cooperative.id}" in html  # way back to the cooperative

        detail = client.get(f"/koperasi/anggota/{membership.id}").get_data(as_text=True)
        assert f'href="/operator/koperasi/{other_cooperative.id}/anggota?status=pending"' in detail

        client.post_form(f"/koperasi/anggota/{membership.id}/setujui")
        assert membership.status == "active" and membership.decided_by_id == operator.id
