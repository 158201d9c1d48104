"""Back-office pages: the users list, a user's page with its actions, and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.core.audit import AuditEvent, record_event
from marketplace.extensions import db
from tests.factories import PASSWORD, UserFactory, seller, user_with_role


def text(response) -> str:
    return response.get_data(as_text=True)


# Users list ------------------------------------------------------------------------------------------------------


def test_users_page_shows_roles_organisation_state_and_last_sign_in(client, login_as, buyer, cooperative) -> None:
    buyer.last_login_at = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    user_with_role("coop_manager", cooperative=cooperative, full_name="Bu Pengurus")
    UserFactory(full_name="Yani Nonaktif", is_enabled=False)
    UserFactory(full_name="Wawan Diundang", password_hash=None)
    db.session.flush()
    login_as("operator")

    page = text(client.get("/admin/users"))

    assert "Andi PP" in page and "PP (Pejabat Pengadaan)" in page
    assert "Dinas Sosial" in page
    assert "2026-03-01 08:30 WIB" in page
    assert "Bu Pengurus" in page and "KKMP Gununggedangan" in page
    assert '<span class="badge badge-disabled">nonaktif</span>' in page  # "disabled"
    assert '<span class="badge badge-pending">diundang</span>' in page  # "invited"


def test_users_page_filters_by_search_role_and_state(client, login_as, buyer) -> None:
    UserFactory(full_name="Yani Nonaktif", is_enabled=False, roles=[Role.PPK])
    seller(full_name="Bu Sri Penjual")
    login_as("operator")

    by_role = text(client.get("/admin/users?role=pp"))
    disabled = text(client.get("/admin/users?enabled=0"))
    searched = text(client.get("/admin/users?q=sri"))
    bad_role = client.get("/admin/users?role=kepala")

    assert "Andi PP" in by_role and "Yani Nonaktif" not in by_role and "Bu Sri" not in by_role
    assert "Yani Nonaktif" in disabled and "Andi PP" not in disabled
    assert "Bu Sri Penjual" in searched and "Andi PP" not in searched
    assert bad_role.status_code == 200 and "Andi PP" in text(bad_role)  # an invalid filter is ignored


def test_users_page_is_paginated(client, login_as) -> None:
    for n in range(25):
        UserFactory(full_name=f"Warga {n:02d}")
    login_as("operator")

    first = text(client.get("/admin/users?q=warga"))
    second = text(client.get("/admin/users?q=warga&page=2"))

    assert "Warga 00" in first and "Warga 24" not in first and "Halaman 1 dari 2" in first
    assert "Warga 24" in second and 'href="/admin/users?q=warga&amp;page=1"' in second


# One user --------------------------------------------------------------------------------------------------------


def test_user_page_shows_data_roles_form_and_events(client, login_as, operator, buyer) -> None:
    record_event("user.invite", subject_type="user", subject_id=buyer.id, actor_id=operator.id, after={"x": 1})
    login_as(operator)

    page = text(client.get(f"/admin/users/{buyer.id}"))

    assert "andi.pp@example.test" in page and "Dinas Sosial" in page
    assert '<input checked id="roles-2" name="roles" type="checkbox" value="pp">' in page
    assert '<input id="roles-3" name="roles" type="checkbox" value="ppk">' in page
    assert f'<option selected value="{buyer.work_unit_id}">Dinas Sosial</option>' in page
    assert "user.invite" in page
    assert f'action="/admin/users/{buyer.id}/disable"' in page and "data-confirm=" in page


def test_user_page_names_the_membership_state(client, login_as, operator, cooperative) -> None:
    member = seller(cooperative, full_name="Sri Anggota")
    login_as(operator)
    page = text(client.get(f"/admin/users/{member.id}"))
    assert '<span class="badge badge-active">Aktif</span>' in page


def test_unknown_user_is_404(client, login_as) -> None:
    login_as("operator")

    assert client.get("/admin/users/999999").status_code == 404
    assert client.post_form("/admin/users/999999/disable", {}).status_code == 404


def test_change_roles_through_the_page(client, login_as, operator, buyer, work_unit) -> None:
    login_as(operator)

    response = client.post_form(
        f"/admin/users/{buyer.id}/roles", {"roles": ["pp", "bendahara"], "work_unit_id": str(work_unit.id)}
    )

    assert response.status_code == 302
    assert buyer.roles == {Role.PP, Role.BENDAHARA}


def test_role_errors_are_shown_next_to_the_fields(client, login_as, operator, buyer) -> None:
    login_as(operator)

    response = client.post_form(f"/admin/users/{buyer.id}/roles", {"roles": ["ppk", "coop_manager"]})

    page = text(response)
    assert response.status_code == 422
    assert "PP, PPK, dan bendahara harus berada di satu satker: pilih satkernya." in page
    assert "Pengurus koperasi harus memilih koperasi yang diurusnya." in page
    assert buyer.roles == {Role.PP}


def test_disable_and_enable_through_the_page(client, login_as, operator, buyer) -> None:
    login_as(operator)

    disabled = client.post_form(f"/admin/users/{buyer.id}/disable", {"reason": "Pensiun"})
    assert disabled.status_code == 302 and buyer.is_enabled is False
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.disable"))
    assert event.reason == "Pensiun"

    enabled = client.post_form(f"/admin/users/{buyer.id}/enable", {"reason": ""})
    assert enabled.status_code == 302 and buyer.is_enabled is True


def test_an_operator_cannot_disable_themselves_through_the_page(client, login_as, operator) -> None:
    login_as(operator)

    response = client.post_form(f"/admin/users/{operator.id}/disable", {"reason": "oops"}, follow_redirects=True)

    assert "Anda tidak dapat menonaktifkan akun Anda sendiri." in text(response)
    assert operator.is_enabled


def test_resend_invitation_through_the_page(client, login_as, operator, work_unit, buyer, mailbox) -> None:
    invited = UserFactory(email="baru@example.test", password_hash=None, roles=[Role.PP], work_unit=work_unit)
    login_as(operator)

    assert "Kirim ulang undangan" in text(client.get(f"/admin/users/{invited.id}"))  # "Send the invitation again"
    assert "Kirim ulang undangan" not in text(client.get(f"/admin/users/{buyer.id}"))
    response = client.post_form(f"/admin/users/{invited.id}/invitation", {})
    refused = client.post_form(f"/admin/users/{buyer.id}/invitation", {}, follow_redirects=True)

    assert response.status_code == 302
    assert len(mailbox.to("baru@example.test")) == 1
    assert "Orang ini sudah mengatur kata sandi." in text(refused)


# Audit log -------------------------------------------------------------------------------------------------------


def test_audit_log_shows_time_in_wib_actor_subject_reason_and_diff(client, login_as, operator, buyer) -> None:
    event = record_event(
        "user.roles_changed",
        subject_type="user",
        subject_id=buyer.id,
        actor_id=operator.id,
        before={"roles": ["pp"], "work_unit_id": 3},
        after={"roles": ["bendahara", "pp"], "work_unit_id": 3},
        reason="Tambahan tugas",
    )
    event.created_at = datetime(2026, 3, 1, 17, 5, 9, tzinfo=UTC)
    db.session.flush()
    login_as(operator)

    page = text(client.get("/admin/audit"))

    assert "2026-03-02 00:05:09 WIB" in page
    assert "Pak Operator" in page and "user.roles_changed" in page
    assert f'href="/admin/users/{buyer.id}">user #{buyer.id}</a>' in page
    assert "Tambahan tugas" in page
    assert "<del>pp</del> &rarr; <ins>bendahara, pp</ins>" in page


def test_audit_log_never_renders_stored_html(client, login_as, operator) -> None:
    record_event(
        "agency.update",
        subject_type="agency",
        subject_id=1,
        actor_id=operator.id,
        before={"name": "<b>lama</b>"},
        after={"name": "<script>alert(1)</script>"},
        reason="<img src=x onerror=alert(2)>",
    )
    login_as(operator)

    page = text(client.get("/admin/audit"))

    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page and "<b>lama</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def test_audit_log_filters(client, login_as, operator, buyer) -> None:
    record_event("user.disable", subject_type="user", subject_id=buyer.id, actor_id=operator.id)
    record_event("agency.create", subject_type="agency", subject_id=5, actor_id=buyer.id)
    login_as(operator)

    by_action = text(client.get("/admin/audit?action=user."))
    by_actor = text(client.get("/admin/audit?actor=andi.pp"))
    by_subject = text(client.get(f"/admin/audit?subject_type=user&subject_id={buyer.id}"))
    bad_date = client.get("/admin/audit?since=kemarin&action=agency")

    assert "user.disable" in by_action and "agency.create" not in by_action
    assert "agency.create" in by_actor and "user.disable" not in by_actor
    assert "user.disable" in by_subject and "agency.create" not in by_subject
    assert bad_date.status_code == 200
    assert "agency.create" in text(bad_date) and "user.disable" not in text(bad_date)


def test_sign_in_failures_appear_in_the_audit_log(client, login_as, buyer) -> None:
    client.post_form("/masuk", {"email": buyer.email, "password": PASSWORD + "-salah"})
    login_as("operator")

    page = text(client.get("/admin/audit?action=auth.login_failed"))

    assert "auth.login_failed" in page and buyer.email in page


def test_audit_log_is_paginated(client, login_as, operator) -> None:
    for n in range(25):
        record_event(f"test.event{n:02d}", subject_type="test", subject_id=n, actor_id=operator.id)
    login_as(operator)

    first = text(client.get("/admin/audit?action=test."))
    second = text(client.get("/admin/audit?action=test.&page=2"))

    assert "Halaman 1 dari 2" in first and "test.event24" in first and "test.event00" not in first
    assert "test.event00" in second
