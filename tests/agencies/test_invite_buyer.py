"""Inviting buyers: the account, its roles and work unit, the email, and setting the password from the link."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.agencies import services
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Forbidden, ValidationFailed
from marketplace.extensions import db
from tests.factories import UserFactory, user_with_role

NEW_PASSWORD = "sapu-lidi-kuat-2026"


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def invitation_link(mailbox, address: str) -> str:
    [message] = mailbox.to(address)
    match = re.search(r"https?://\S+/atur-sandi/\S+", mailbox.body(message))
    assert match, mailbox.body(message)
    return match.group(0)


def test_invite_buyer_creates_a_passwordless_account_in_the_unit(request_ctx, operator, work_unit, mailbox) -> None:
    user = services.invite_buyer(
        actor=operator,
        work_unit=work_unit,
        email=" Rina.Bendahara@Example.test ",
        full_name=" Rina  Wulandari ",
        roles=[Role.PP, Role.BENDAHARA, Role.PP],
    )

    assert user.email == "rina.bendahara@example.test"
    assert user.full_name == "Rina Wulandari"
    assert user.roles == {Role.PP, Role.BENDAHARA}
    assert user.work_unit_id == work_unit.id
    assert user.password_hash is None
    assert not user.is_active
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.invite"))
    assert (event.actor_id, event.subject_id) == (operator.id, user.id)
    assert event.after["roles"] == ["bendahara", "pp"]
    link = invitation_link(mailbox, "rina.bendahara@example.test")
    assert urlsplit(link).path.startswith("/atur-sandi/")


def test_invited_buyer_sets_a_password_through_the_link_and_signs_in(app, client, operator, work_unit, mailbox) -> None:
    with app.test_request_context("/", base_url="http://pasar.test"):
        services.invite_buyer(
            actor=operator, work_unit=work_unit, email="ppk.baru@example.test", full_name="Pak PPK", roles=["ppk"]
        )
    path = urlsplit(invitation_link(mailbox, "ppk.baru@example.test")).path

    assert client.get(path).status_code == 200
    response = client.post_form(path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "ppk.baru@example.test"))
    assert user.password_hash is not None and user.is_active
    page = client.get("/satker")
    assert page.status_code == 200
    assert "Dinas Sosial" in page.get_data(as_text=True)
    assert client.get(path).status_code == 400  # the link works once


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"roles": []}, "roles"),
        ({"roles": ["operator"]}, "roles"),
        ({"roles": [Role.PP, Role.SELLER]}, "roles"),
        ({"roles": ["coop_manager"]}, "roles"),
        ({"roles": ["kepala"]}, "roles"),
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "taken@example.test"}, "email"),
        ({"full_name": "  "}, "full_name"),
        ({"full_name": "x" * 121}, "full_name"),
    ],
)
def test_invite_buyer_rejects_bad_input_and_creates_nobody(
    request_ctx, operator, work_unit, mailbox, overrides: dict, field: str
) -> None:
    UserFactory(email="taken@example.test")
    before = user_count()
    data = {"email": "baru@example.test", "full_name": "Orang Baru", "roles": [Role.PP], **overrides}

    with pytest.raises(ValidationFailed) as caught:
        services.invite_buyer(actor=operator, work_unit=work_unit, **data)

    assert field in caught.value.fields
    assert user_count() == before
    assert mailbox.messages == []


@pytest.mark.parametrize("role", ["pp", "ppk", "bendahara", "coop_manager", "seller"])
def test_only_operators_invite_buyers(request_ctx, work_unit, role: str) -> None:
    actor = user_with_role(role, work_unit=work_unit) if role in ("pp", "ppk", "bendahara") else user_with_role(role)

    with pytest.raises(Forbidden):
        services.invite_buyer(actor=actor, work_unit=work_unit, email="x@example.test", full_name="X", roles=[Role.PP])
