"""Profile services: account data, the UMKM business profile, API tokens, and the permission checks."""

from __future__ import annotations

import pytest

from marketplace.accounts.api_tokens import user_for_token
from marketplace.accounts.models import Role
from marketplace.accounts.permissions import can_edit_business_profile, can_manage_api_tokens
from marketplace.accounts.services import (
    api_tokens_page,
    create_api_token,
    revoke_api_token,
    update_account,
    update_business_profile,
)
from marketplace.core.errors import NotFound, ValidationFailed
from tests.accounts.helpers import events, profile_data
from tests.factories import UserFactory, seller, user_with_role


def test_update_account_audits_only_the_changed_fields(db) -> None:
    user = seller(full_name="Sri", phone="+6281234567890")

    update_account(user=user, full_name="Sri Wahyuni", phone="0812 3456 7890", locale="en")

    assert (user.full_name, user.phone, user.locale) == ("Sri Wahyuni", "+6281234567890", "en")
    [event] = events("user.update", user.id)
    assert event.before == {"full_name": "Sri", "locale": "id"}
    assert event.after == {"full_name": "Sri Wahyuni", "locale": "en"}

    update_account(user=user, full_name="Sri Wahyuni", phone="+6281234567890", locale="en")
    assert len(events("user.update", user.id)) == 1  # nothing changed, nothing recorded


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"full_name": "x" * 121}, "full_name"),
        ({"phone": "12"}, "phone"),
        ({"phone": ""}, "phone"),  # a seller keeps a phone number
        ({"locale": "fr"}, "locale"),
    ],
)
def test_update_account_refuses_bad_input(db, values, field) -> None:
    user = seller(full_name="Sri", phone="+6281234567890")
    arguments = {"full_name": "Sri W", "phone": "+6281234567890", "locale": "id", **values}
    with pytest.raises(ValidationFailed) as caught:
        update_account(user=user, **arguments)
    assert set(caught.value.fields) == {field}
    assert (user.full_name, user.phone) == ("Sri", "+6281234567890")
    assert events("user.update") == []


def test_phone_is_optional_for_other_roles(db) -> None:
    buyer = user_with_role(Role.PP, phone="+6281234567890")
    update_account(user=buyer, full_name=buyer.full_name, phone="", locale="id")
    assert buyer.phone is None


def test_update_business_profile_audits_before_and_after_of_changed_fields(db) -> None:
    user = seller()
    profile = user.seller_profile
    old_name, old_kbli = profile.business_name, profile.kbli_codes

    update_business_profile(
        user=user,
        profile=profile_data(
            business_name="UD Tempe Bu Sri",
            nib=profile.nib,
            npwp=profile.npwp,
            nik=profile.nik,
            kbli_codes=["10793", "10794"],
            address=profile.address,
            bank_name="",
            bank_account_number="",
            bank_account_name="",
        ),
    )

    assert profile.business_name == "UD Tempe Bu Sri"
    assert profile.kbli_codes == ["10793", "10794"]
    [event] = events("seller_profile.update", profile.id)
    assert event.actor_id == user.id
    assert event.before == {"business_name": old_name, "kbli_codes": old_kbli}
    assert event.after == {"business_name": "UD Tempe Bu Sri", "kbli_codes": ["10793", "10794"]}


def test_update_business_profile_saves_nothing_when_a_field_is_bad(db) -> None:
    user = seller()
    profile = user.seller_profile
    old = (profile.business_name, profile.nib, profile.region_code)
    with pytest.raises(ValidationFailed) as caught:
        update_business_profile(
            user=user, profile=profile_data(business_name="Nama Baru", nib="123", region_code="35.76")
        )
    assert set(caught.value.fields) == {"nib", "region_code"}
    assert (profile.business_name, profile.nib, profile.region_code) == old
    assert events("seller_profile.update") == []


def test_tokens_are_created_listed_and_revoked(db) -> None:
    user = UserFactory()
    first, raw = create_api_token(user=user, name="  Sinkron stok  ")
    second, _ = create_api_token(user=user, name="Laporan")

    assert raw.startswith("pu_") and first.prefix == raw[:10]
    assert first.name == "Sinkron stok"
    assert raw not in first.token_hash
    assert user_for_token(raw) is user

    revoke_api_token(user=user, token_id=first.id)
    assert user_for_token(raw) is None
    assert [e.subject_id for e in events("api_token.revoke")] == [first.id]

    page = api_tokens_page(user, 1, 1)
    assert (page.total, page.pages, [t.id for t in page.items]) == (2, 2, [second.id])  # live ones first
    assert [t.id for t in api_tokens_page(user, 2, 1).items] == [first.id]


def test_another_persons_token_is_not_found(db) -> None:
    owner, other = UserFactory(), UserFactory()
    token, raw = create_api_token(user=owner, name="Milik orang lain")
    with pytest.raises(NotFound):
        revoke_api_token(user=other, token_id=token.id)
    with pytest.raises(NotFound):
        revoke_api_token(user=other, token_id=999_999)
    assert user_for_token(raw) is owner
    assert api_tokens_page(other, 1, 20).total == 0


@pytest.mark.parametrize("name", ["", "   ", "n" * 81])
def test_token_needs_a_short_name(db, name) -> None:
    user = UserFactory()
    with pytest.raises(ValidationFailed) as caught:
        create_api_token(user=user, name=name)
    assert set(caught.value.fields) == {"name"}
    assert api_tokens_page(user, 1, 20).total == 0


def test_permission_checks(db) -> None:
    assert can_edit_business_profile(seller())
    for role in (Role.COOP_MANAGER, Role.PP, Role.OPERATOR):
        assert not can_edit_business_profile(user_with_role(role))
        assert can_manage_api_tokens(user_with_role(role))
    assert not can_manage_api_tokens(UserFactory(is_enabled=False))
