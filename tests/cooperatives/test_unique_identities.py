"""No two cooperatives share a NIB or an NPWP: creating one with another's number is a field error (also when two
requests race), through the service, the operator's page and the API; unknown numbers (NULL) never collide."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from marketplace.cooperatives import services
from marketplace.cooperatives.models import Cooperative
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db
from tests.api.conftest import ApiClient, error_of
from tests.factories import CooperativeFactory
from tests.support.identifiers import make_npwp

TAKEN = "This {} is already registered for another cooperative. Check the number or contact the operator."
TAKEN_ID = "{} ini sudah terdaftar untuk koperasi lain. Periksa kembali nomornya atau hubungi operator."
NEW_NIB = "9120000004444"
NEW_NPWP = make_npwp(4444)


def cooperative_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Cooperative))


def create(operator, **data):
    """Create "KKMP Baru" with `data` and a fresh manager."""
    return services.create_cooperative(
        actor=operator,
        data={"name": "KKMP Baru", "region_code": "35.76.02.1001", **data},
        manager_email="ketua.baru@example.test",
        manager_name="Ibu Ketua",
    )


@pytest.mark.parametrize("field", ["nib", "npwp"])
def test_another_cooperatives_identifier_is_a_field_error(operator, other_cooperative, request_ctx, field) -> None:
    before = cooperative_count()
    with force_locale("en"), pytest.raises(ValidationFailed) as caught:
        create(operator, **{"nib": NEW_NIB, "npwp": NEW_NPWP, field: getattr(other_cooperative, field)})
    assert caught.value.fields == {field: TAKEN.format(field.upper())}
    assert other_cooperative.name not in caught.value.fields[field]
    assert cooperative_count() == before


def test_unknown_identifiers_never_collide(operator, request_ctx) -> None:
    CooperativeFactory(nib=None, npwp=None)
    cooperative = create(operator, nib="", npwp=None)
    assert (cooperative.nib, cooperative.npwp) == (None, None)


@pytest.mark.parametrize("field", ["nib", "npwp"])
def test_an_identifier_taken_concurrently_is_the_same_field_error(
    operator, other_cooperative, request_ctx, monkeypatch: pytest.MonkeyPatch, field
) -> None:
    db.session.commit()
    before = cooperative_count()
    # The look-up passed, then another request saved the same number before our INSERT.
    monkeypatch.setattr("marketplace.cooperatives.services.admin.taken_identifiers", lambda *a, **k: {})
    with force_locale("en"), pytest.raises(ValidationFailed) as caught:
        create(operator, **{"nib": NEW_NIB, "npwp": NEW_NPWP, field: getattr(other_cooperative, field)})
    assert caught.value.fields == {field: TAKEN.format(field.upper())}
    assert cooperative_count() == before


def test_the_operator_page_shows_the_error_next_to_the_field(client, login_as, other_cooperative) -> None:
    login_as("operator")
    form = {
        "name": "KKMP Baru",
        "region_code": "35.76.02.1001",
        "nib": other_cooperative.nib,
        "manager_email": "ketua.baru@example.test",
        "manager_name": "Ibu Ketua",
    }
    page = client.post_form("/operator/koperasi/baru", form)
    assert page.status_code == 422
    assert f'<p class="error" id="nib-error">{TAKEN_ID.format("NIB")}</p>' in page.text  # the page is in Indonesian


def test_the_api_answers_422_on_the_field(client, login_as, other_cooperative) -> None:
    body = {
        "name": "KKMP Baru",
        "region_code": "35.76.02.1001",
        "npwp": other_cooperative.npwp,
        "manager": {"email": "ketua.baru@example.test", "full_name": "Ibu Ketua"},
    }
    response = ApiClient(client).post("/cooperatives", body, user=login_as("operator"))
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["npwp"]


def test_editing_to_another_cooperatives_nib_is_a_field_error(operator, cooperative, other_cooperative) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.update_cooperative(actor=operator, cooperative=cooperative, data={"nib": other_cooperative.nib})
    assert set(caught.value.fields) == {"nib"}
