"""Operator user management: search, enable/disable, roles, invitations; the rules and their audit events."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts.api_tokens import issue_api_token, user_for_token
from marketplace.accounts.models import Role, User
from marketplace.admin import services
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from tests.factories import UserFactory, WorkUnitFactory, seller, user_with_role


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def emails(**filters) -> list[str]:
    return [user.email for user in db.session.scalars(services.users_query(**filters))]


# users_query -----------------------------------------------------------------------------------------------------


def test_users_query_searches_filters_and_sorts_by_name(operator, buyer) -> None:
    UserFactory(full_name="Zaki Nonaktif", email="zaki@example.test", is_enabled=False, roles=[Role.PPK])
    seller(full_name="Bu Sri", email="sri@warung.test")

    assert emails() == ["andi.pp@example.test", "sri@warung.test", "operator@example.test", "zaki@example.test"]
    assert emails(search="WARUNG") == ["sri@warung.test"]
    assert emails(search="andi") == ["andi.pp@example.test"]
    assert emails(role=Role.PP) == ["andi.pp@example.test"]
    assert emails(role="ppk") == ["zaki@example.test"]
    assert emails(enabled=False) == ["zaki@example.test"]
    assert emails(enabled=True, role="seller") == ["sri@warung.test"]
    assert emails(search="100%") == []


def test_users_query_refuses_an_unknown_role(db) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.users_query(role="kepala")

    assert "role" in caught.value.fields


# set_user_enabled ------------------------------------------------------------------------------------------------


def test_disable_audits_with_reason_and_revokes_api_tokens(operator, buyer) -> None:
    token, raw = issue_api_token(buyer, "script")
    assert user_for_token(raw) == buyer

    services.set_user_enabled(actor=operator, user_id=buyer.id, enabled=False, reason="  Pindah tugas  ")

    assert buyer.is_enabled is False and not buyer.is_active
    assert user_for_token(raw) is None
    assert token.revoked_at is not None
    [event] = events("user.disable")
    assert (event.actor_id, event.subject_type, event.subject_id) == (operator.id, "user", buyer.id)
    assert event.before == {"is_enabled": True}
    assert event.after == {"is_enabled": False, "revoked_api_tokens": 1, "withdrawn_products": 0}
    assert event.reason == "Pindah tugas"


def test_enable_audits_and_tokens_stay_revoked(operator, buyer) -> None:
    _, raw = issue_api_token(buyer, "script")
    services.set_user_enabled(actor=operator, user_id=buyer.id, enabled=False)

    services.set_user_enabled(actor=operator, user_id=buyer.id, enabled=True, reason="Kembali")

    assert buyer.is_enabled is True
    [event] = events("user.enable")
    assert (event.before, event.after, event.reason) == ({"is_enabled": False}, {"is_enabled": True}, "Kembali")
    assert user_for_token(raw) is None  # a revoked token does not come back with the account


def test_setting_the_same_state_records_nothing(operator, buyer) -> None:
    services.set_user_enabled(actor=operator, user_id=buyer.id, enabled=True)

    assert events("user.enable") == []


def test_nobody_disables_their_own_account(operator) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.set_user_enabled(actor=operator, user_id=operator.id, enabled=False)

    assert "enabled" in caught.value.fields
    assert operator.is_enabled
    assert events("user.disable") == []


def test_an_operator_may_disable_another_operator(operator) -> None:
    other = user_with_role("operator")

    services.set_user_enabled(actor=operator, user_id=other.id, enabled=False)

    assert other.is_enabled is False


def test_the_last_enabled_operator_is_never_disabled_or_demoted(operator) -> None:
    # Two operators removing each other at once: the second request locks the operators after the first committed,
    # when its own account is no longer enabled. The rule it then applies:
    other = user_with_role("operator")
    services._require_another_operator(operator, "enabled")  # the other one remains
    other.is_enabled = False
    db.session.flush()
    for field in ("enabled", "roles"):
        with pytest.raises(ValidationFailed) as caught:
            services._require_another_operator(operator, field)
        assert set(caught.value.fields) == {field}


def test_overlong_reason_is_refused(operator, buyer) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.set_user_enabled(actor=operator, user_id=buyer.id, enabled=False, reason="x" * 501)

    assert "reason" in caught.value.fields
    assert buyer.is_enabled


def test_enable_disable_unknown_user_is_not_found(operator) -> None:
    with pytest.raises(NotFound):
        services.set_user_enabled(actor=operator, user_id=999_999, enabled=False)


@pytest.mark.parametrize("role", ["seller", "coop_manager", "pp", "ppk", "bendahara"])
def test_only_operators_manage_users(buyer, role: str) -> None:
    actor = user_with_role(role)

    with pytest.raises(Forbidden):
        services.set_user_enabled(actor=actor, user_id=buyer.id, enabled=False)
    with pytest.raises(Forbidden):
        services.change_roles(actor=actor, user_id=buyer.id, roles=[Role.OPERATOR])
    with pytest.raises(Forbidden):
        services.resend_invitation(actor=actor, user_id=buyer.id)
    assert buyer.is_enabled and buyer.roles == {Role.PP}


def test_a_disabled_user_is_signed_out_at_the_next_request(client, login_as, operator, buyer) -> None:
    login_as(buyer)
    assert client.get("/satker").status_code == 200

    services.set_user_enabled(actor=operator, user_id=buyer.id, enabled=False)
    response = client.get("/satker")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


# change_roles ----------------------------------------------------------------------------------------------------


def test_add_a_second_buyer_role_in_the_same_unit(operator, buyer, work_unit) -> None:
    services.change_roles(actor=operator, user_id=buyer.id, roles=[Role.PP, Role.BENDAHARA], work_unit_id=work_unit.id)

    assert buyer.roles == {Role.PP, Role.BENDAHARA}
    [event] = events("user.roles_changed")
    assert event.actor_id == operator.id and event.subject_id == buyer.id
    assert event.before == {"roles": ["pp"], "work_unit_id": work_unit.id, "cooperative_id": None}
    assert event.after == {"roles": ["bendahara", "pp"], "work_unit_id": work_unit.id, "cooperative_id": None}


def test_move_a_buyer_to_another_unit(operator, buyer) -> None:
    other = WorkUnitFactory()

    services.change_roles(actor=operator, user_id=buyer.id, roles=["ppk"], work_unit_id=other.id)

    assert (buyer.roles, buyer.work_unit_id) == ({Role.PPK}, other.id)


def test_buyer_becomes_coop_manager_and_leaves_the_unit(operator, buyer, cooperative) -> None:
    services.change_roles(actor=operator, user_id=buyer.id, roles=["coop_manager"], cooperative_id=cooperative.id)

    assert buyer.roles == {Role.COOP_MANAGER}
    assert (buyer.work_unit_id, buyer.cooperative_id) == (None, cooperative.id)
    [event] = events("user.roles_changed")
    assert event.after == {"roles": ["coop_manager"], "work_unit_id": None, "cooperative_id": cooperative.id}


def test_a_member_keeps_the_seller_role_and_may_also_manage(operator, cooperative) -> None:
    member = seller(cooperative)

    services.change_roles(
        actor=operator, user_id=member.id, roles=["seller", "coop_manager"], cooperative_id=cooperative.id
    )

    assert member.roles == {Role.SELLER, Role.COOP_MANAGER}


def test_unchanged_roles_record_nothing(operator, buyer, work_unit) -> None:
    services.change_roles(actor=operator, user_id=buyer.id, roles=["pp"], work_unit_id=work_unit.id)

    assert events("user.roles_changed") == []


def test_an_operator_may_remove_another_operators_role(operator) -> None:
    other = user_with_role("operator")
    other_unit = WorkUnitFactory()

    services.change_roles(actor=operator, user_id=other.id, roles=["ppk"], work_unit_id=other_unit.id)

    assert other.roles == {Role.PPK}


@pytest.mark.parametrize(
    ("roles", "extra", "field"),
    [
        ([], {}, "roles"),
        (["kepala"], {}, "roles"),
        (["seller"], {}, "roles"),  # no membership: the seller role cannot be granted here
        (["pp"], {}, "work_unit_id"),
        (["bendahara"], {"work_unit_id": 999_999}, "work_unit_id"),
        (["coop_manager"], {}, "cooperative_id"),
        (["coop_manager"], {"cooperative_id": 999_999}, "cooperative_id"),
        (["ppk", "coop_manager"], {"work_unit_id": None, "cooperative_id": None}, "work_unit_id"),
    ],
)
def test_change_roles_rejects_inconsistent_roles_and_changes_nothing(
    operator, roles: list[str], extra: dict, field: str
) -> None:
    user = UserFactory(full_name="Orang Biasa", roles=[Role.OPERATOR])

    with pytest.raises(ValidationFailed) as caught:
        services.change_roles(actor=operator, user_id=user.id, roles=roles, **extra)

    assert field in caught.value.fields
    db.session.refresh(user)
    assert user.roles == {Role.OPERATOR}
    assert events("user.roles_changed") == []


def test_both_missing_organisations_are_reported_at_once(operator, buyer) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.change_roles(actor=operator, user_id=buyer.id, roles=["ppk", "coop_manager"])

    assert {"work_unit_id", "cooperative_id"} <= set(caught.value.fields)


def test_an_operator_cannot_remove_their_own_operator_role(operator, work_unit) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.change_roles(actor=operator, user_id=operator.id, roles=["pp"], work_unit_id=work_unit.id)

    assert "roles" in caught.value.fields
    assert operator.roles == {Role.OPERATOR}


def test_an_operator_may_add_roles_to_themselves(operator, work_unit) -> None:
    services.change_roles(actor=operator, user_id=operator.id, roles=["operator", "pp"], work_unit_id=work_unit.id)

    assert operator.roles == {Role.OPERATOR, Role.PP}


def test_change_roles_of_unknown_user_is_not_found(operator) -> None:
    with pytest.raises(NotFound):
        services.change_roles(actor=operator, user_id=999_999, roles=["operator"])


# resend_invitation -----------------------------------------------------------------------------------------------


def test_resend_invitation_emails_a_new_link_and_audits(request_ctx, operator, work_unit, mailbox) -> None:
    invited = UserFactory(email="baru@example.test", password_hash=None, roles=[Role.PP], work_unit=work_unit)

    services.resend_invitation(actor=operator, user_id=invited.id)

    [message] = mailbox.to("baru@example.test")
    assert "/atur-sandi/" in mailbox.body(message)
    [event] = events("user.invitation_resent")
    assert (event.actor_id, event.subject_id) == (operator.id, invited.id)


def test_resend_invitation_refuses_users_with_a_password_or_disabled(request_ctx, operator, buyer, mailbox) -> None:
    disabled = UserFactory(password_hash=None, is_enabled=False)

    with pytest.raises(Conflict):
        services.resend_invitation(actor=operator, user_id=buyer.id)
    with pytest.raises(Conflict):
        services.resend_invitation(actor=operator, user_id=disabled.id)
    with pytest.raises(NotFound):
        services.resend_invitation(actor=operator, user_id=999_999)
    assert mailbox.messages == []
    assert events("user.invitation_resent") == []


def test_roles_of_a_stored_user_come_back_from_the_database(operator, buyer, work_unit) -> None:
    services.change_roles(actor=operator, user_id=buyer.id, roles=["pp", "ppk"], work_unit_id=work_unit.id)
    db.session.expire_all()

    assert db.session.get(User, buyer.id).roles == {Role.PP, Role.PPK}
