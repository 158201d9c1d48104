"""Agency pages: a buyer's own work unit, and the operator's agencies, work units and invitations."""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.agencies.models import Agency, WorkUnit
from marketplace.extensions import db
from tests.factories import AgencyFactory, user_with_role
from tests.support.identifiers import make_npwp


def text(response) -> str:
    return response.get_data(as_text=True)


# A buyer's work unit ---------------------------------------------------------------------------------------------


def test_buyer_sees_unit_agency_region_and_colleagues_with_roles(client, login_as, work_unit, pp) -> None:
    colleague = user_with_role("ppk", work_unit=work_unit, full_name="Budi PPK", email="budi@example.test")
    colleague.role_rows.append(type(colleague.role_rows[0])(role="bendahara"))
    user_with_role("pp", work_unit=work_unit, full_name="Mantan Pegawai", is_enabled=False)
    user_with_role("pp", full_name="Orang Satker Lain")
    db.session.flush()
    login_as(pp)

    response = client.get("/satker")

    page = text(response)
    assert response.status_code == 200
    assert "Dinas Sosial" in page
    assert "Pemerintah Kota Mojokerto" in page
    assert "Kota Mojokerto, Jawa Timur" in page
    assert "Budi PPK" in page and "budi@example.test" in page
    assert '<span class="badge">PPK (Pejabat Pembuat Komitmen)</span>' in page
    assert '<span class="badge">Bendahara</span>' in page  # "Bendahara (treasurer)"
    assert "Andi PP" in page
    assert "Mantan Pegawai" not in page
    assert "Orang Satker Lain" not in page


def test_buyer_opens_own_unit_by_id_but_another_unit_is_404(client, login_as, work_unit, other_work_unit, pp) -> None:
    login_as(pp)

    assert client.get(f"/satker/{work_unit.id}").status_code == 200
    assert client.get(f"/satker/{other_work_unit.id}").status_code == 404
    assert client.get("/satker/999999").status_code == 404


def test_buyer_without_work_unit_sees_a_helpful_page(client, login_as) -> None:
    login_as(user_with_role("pp", work_unit=None)).work_unit_id = None
    db.session.flush()

    response = client.get("/satker")

    assert response.status_code == 200
    assert "Akun Anda belum terhubung ke satker." in text(response)  # "not attached to a work unit"


def test_my_work_unit_is_for_buyers_only(client, login_as) -> None:
    login_as("operator")

    assert client.get("/satker").status_code == 403


# Operator: agencies ----------------------------------------------------------------------------------------------


def test_operator_index_lists_and_searches_agencies(client, login_as, agency, other_agency, work_unit) -> None:
    login_as("operator")

    all_page = text(client.get("/operator/instansi"))
    found = text(client.get("/operator/instansi?q=kabupaten"))
    nothing = text(client.get("/operator/instansi?q=zzz"))

    assert "Pemerintah Kota Mojokerto" in all_page and "Pemerintah Kabupaten Mojokerto" in all_page
    assert "Pemerintah Kabupaten Mojokerto" in found and "Pemerintah Kota Mojokerto" not in found
    assert "Tidak ada instansi yang cocok dengan “zzz”." in nothing  # "No agency matches"


def test_operator_index_is_paginated(client, login_as) -> None:
    for n in range(25):
        AgencyFactory(name=f"Pemkot {n:02d}")
    login_as("operator")

    first = text(client.get("/operator/instansi"))
    second = text(client.get("/operator/instansi?page=2"))

    assert "Pemkot 00" in first and "Pemkot 24" not in first
    assert "Pemkot 24" in second and "Halaman 2 dari 2" in second


def test_operator_creates_an_agency(client, login_as) -> None:
    login_as("operator")
    assert client.get("/operator/instansi/baru").status_code == 200

    response = client.post_form(
        "/operator/instansi/baru", {"name": "Pemerintah Kota Blitar", "kind": "pemda_kota", "region_code": "35.72"}
    )

    agency = db.session.scalar(select(Agency).where(Agency.name == "Pemerintah Kota Blitar"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/operator/instansi/{agency.id}")
    assert "Pemerintah Kota Blitar" in text(client.get(response.headers["Location"]))


def test_agency_form_shows_service_errors_next_to_fields_and_saves_nothing(client, login_as, agency) -> None:
    login_as("operator")

    response = client.post_form(
        "/operator/instansi/baru", {"name": "pemerintah kota mojokerto", "kind": "pemda_kota", "region_code": "35.16"}
    )

    page = text(response)
    assert response.status_code == 422
    assert "Instansi dengan nama ini sudah ada." in page
    assert "Pemda kota harus memilih wilayah kota." in page
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 1


def test_agency_form_requires_fields(client, login_as) -> None:
    login_as("operator")

    response = client.post_form("/operator/instansi/baru", {"name": "", "kind": "", "region_code": ""})

    assert response.status_code == 422
    assert text(response).count('class="error"') >= 3


def test_operator_edits_an_agency_and_sees_its_history(client, login_as, agency, work_unit) -> None:
    login_as("operator")
    page = text(client.get(f"/operator/instansi/{agency.id}"))
    assert "Dinas Sosial" in page and 'value="Pemerintah Kota Mojokerto"' in page

    response = client.post_form(
        f"/operator/instansi/{agency.id}", {"name": "Pemkot Mojokerto", "kind": "pemda_kota", "region_code": "35.76"}
    )

    assert response.status_code == 302
    assert agency.name == "Pemkot Mojokerto"
    history = text(client.get(f"/operator/instansi/{agency.id}"))
    assert "agency.update" in history and "Pemerintah Kota Mojokerto" in history


def test_unknown_agency_is_404(client, login_as) -> None:
    login_as("operator")

    assert client.get("/operator/instansi/999999").status_code == 404
    assert client.get("/operator/instansi/999999/satker/baru").status_code == 404


# Operator: work units --------------------------------------------------------------------------------------------


def test_work_unit_form_offers_the_pemda_region_and_below(client, login_as, agency) -> None:
    login_as("operator")

    page = text(client.get(f"/operator/instansi/{agency.id}/satker/baru"))

    assert 'value="35.76"' in page and 'value="35.76.02"' in page
    assert 'value="35.16"' not in page


def test_operator_creates_a_work_unit(client, login_as, agency) -> None:
    login_as("operator")

    response = client.post_form(
        f"/operator/instansi/{agency.id}/satker/baru",
        {
            "name": "Dinas Kesehatan",
            "short_code": "DinKes",
            "kode_satker": "351010",
            "npwp": make_npwp(7),
            "address": "Jl. Gajah Mada 1",
            "region_code": "35.76",
        },
    )

    unit = db.session.scalar(select(WorkUnit).where(WorkUnit.kode_satker == "351010"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/operator/satker/{unit.id}")
    assert (unit.agency_id, unit.short_code, unit.npwp) == (agency.id, "dinkes", make_npwp(7))


def test_work_unit_form_errors_are_shown_next_to_fields(client, login_as, agency, work_unit) -> None:
    login_as("operator")

    response = client.post_form(
        f"/operator/instansi/{agency.id}/satker/baru",
        {"name": "Dinas Lain", "short_code": "dinsos", "kode_satker": "351001", "npwp": "123", "region_code": "35.76"},
    )

    page = text(response)
    assert response.status_code == 422
    assert "NPWP harus 16 digit" in page
    assert db.session.scalar(select(func.count()).select_from(WorkUnit)) == 1

    response = client.post_form(
        f"/operator/instansi/{agency.id}/satker/baru",
        {"name": "Dinas Lain", "short_code": "dinsos", "kode_satker": "351001", "region_code": "35.76"},
    )
    page = text(response)
    assert response.status_code == 422
    assert "Kode ini sudah digunakan oleh satker lain di instansi ini." in page
    assert "Kode satker ini sudah digunakan oleh satker lain." in page


def test_operator_edits_a_work_unit(client, login_as, work_unit) -> None:
    login_as("operator")

    response = client.post_form(
        f"/operator/satker/{work_unit.id}",
        {"name": "Dinas Sosial P3A", "short_code": "dinsos", "kode_satker": "351001", "region_code": "35.76.02"},
    )

    assert response.status_code == 302
    assert (work_unit.name, work_unit.region_code) == ("Dinas Sosial P3A", "35.76.02")


def test_work_unit_detail_lists_members_with_roles_and_state(client, login_as, work_unit, pp) -> None:
    user_with_role("bendahara", work_unit=work_unit, full_name="Sari Bendahara", password_hash=None)
    user_with_role("ppk", work_unit=work_unit, full_name="Didi Nonaktif", is_enabled=False)
    login_as("operator")

    page = text(client.get(f"/operator/satker/{work_unit.id}"))

    assert "Andi PP" in page and "PP (Pejabat Pengadaan)" in page
    assert "Sari Bendahara" in page and '<span class="badge badge-pending">diundang</span>' in page  # "invited"
    assert "Didi Nonaktif" in page and '<span class="badge badge-disabled">nonaktif</span>' in page  # "disabled"
    assert '<input id="roles-2" name="roles" type="checkbox" value="bendahara">' in page  # not each `required`


def test_operator_invites_a_buyer_with_several_roles(client, login_as, work_unit, mailbox) -> None:
    login_as("operator")

    response = client.post_form(
        f"/operator/satker/{work_unit.id}/undang",
        {"email": "sari@example.test", "full_name": "Sari", "roles": ["pp", "bendahara"]},
    )

    user = db.session.scalar(select(User).where(User.email == "sari@example.test"))
    assert response.status_code == 302
    assert user.work_unit_id == work_unit.id
    assert {str(role) for role in user.roles} == {"pp", "bendahara"}
    [message] = mailbox.to("sari@example.test")
    assert "/atur-sandi/" in mailbox.body(message)


def test_invite_form_errors_are_shown_next_to_fields(client, login_as, work_unit, pp, mailbox) -> None:
    login_as("operator")

    no_role = client.post_form(
        f"/operator/satker/{work_unit.id}/undang", {"email": "baru@example.test", "full_name": "Baru"}
    )
    taken = client.post_form(
        f"/operator/satker/{work_unit.id}/undang",
        {"email": "andi.pp@example.test", "full_name": "Andi Lagi", "roles": ["pp"]},
    )
    bad_email = client.post_form(
        f"/operator/satker/{work_unit.id}/undang", {"email": "baru@", "full_name": "Baru", "roles": ["pp"]}
    )

    assert no_role.status_code == 422 and "Pilih minimal satu peran." in text(no_role)
    assert taken.status_code == 422 and "Alamat email ini sudah terdaftar." in text(taken)
    assert bad_email.status_code == 422
    assert "Masukkan alamat email yang valid, misalnya nama@contoh.co.id." in text(bad_email)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "baru@example.test")) == 0
    assert mailbox.messages == []


def test_names_are_escaped(client, login_as, agency) -> None:
    agency.name = "<script>alert(1)</script>"
    db.session.flush()
    login_as("operator")

    page = text(client.get("/operator/instansi"))

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
