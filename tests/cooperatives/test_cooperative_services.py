"""Cooperative data, datafeed key, creation, managers and closing through the service functions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.accounts.tokens import read_token
from marketplace.cooperatives import services
from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from tests.factories import CooperativeFactory, user_with_role
from tests.support.identifiers import make_npwp

VALID_NPWP = make_npwp(4242)


def audit(action: str, subject_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.subject_id == subject_id))
    )


class TestVisibleCooperative:
    def test_operator_sees_any(self, operator, cooperative, other_cooperative) -> None:
        assert services.visible_cooperative(actor=operator, cooperative_id=other_cooperative.id) is other_cooperative

    def test_manager_sees_only_their_own(self, manager, cooperative, other_cooperative) -> None:
        assert services.visible_cooperative(actor=manager, cooperative_id=cooperative.id) is cooperative
        with pytest.raises(NotFound):
            services.visible_cooperative(actor=manager, cooperative_id=other_cooperative.id)

    @pytest.mark.parametrize("role", ["seller", "pp", "ppk", "bendahara"])
    def test_everyone_else_gets_not_found(self, role, cooperative) -> None:
        actor = user_with_role(role, cooperative=cooperative) if role == "seller" else user_with_role(role)
        with pytest.raises(NotFound):
            services.visible_cooperative(actor=actor, cooperative_id=cooperative.id)

    def test_unknown_id(self, operator) -> None:
        with pytest.raises(NotFound):
            services.visible_cooperative(actor=operator, cooperative_id=987_654)


class TestUpdateCooperative:
    def test_saves_cleaned_values_and_audits_changed_fields_only(self, manager, cooperative) -> None:
        cooperative.phone = "+6281234567890"
        data = {
            "nib": "9120-0000-00999",
            "npwp": VALID_NPWP,
            "is_pkp": True,
            "address": "  Jl. Empunala 12 ",
            "region_code": "35.76.02.1004",
            "phone": "+6281234567890",
            "email": "Koperasi@Example.TEST",
            "bank_name": "Bank Jatim",
            "bank_account_number": "0011 2233 44",
            "bank_account_name": "KKMP Gununggedangan",
        }

        services.update_cooperative(actor=manager, cooperative=cooperative, data=data)

        assert cooperative.nib == "9120000000999"
        assert cooperative.is_pkp is True
        assert cooperative.address == "Jl. Empunala 12"
        assert cooperative.email == "koperasi@example.test"
        assert cooperative.bank_account_number == "0011223344"
        [event] = audit("cooperative.update", cooperative.id)
        assert event.actor_id == manager.id
        assert "phone" not in event.after  # unchanged
        assert event.before["is_pkp"] is False and event.after["is_pkp"] is True
        assert event.after["region_code"] == "35.76.02.1004"
        assert event.before["region_code"] == "35.76.02.1001"

    def test_nothing_changed_means_no_audit_event(self, manager, cooperative) -> None:
        services.update_cooperative(actor=manager, cooperative=cooperative, data={"address": cooperative.address})
        assert audit("cooperative.update", cooperative.id) == []

    @pytest.mark.parametrize(
        ("data", "bad_fields"),
        [
            ({"nib": "12345"}, {"nib"}),
            ({"npwp": "0123456789012345"}, {"npwp"}),
            ({"region_code": "99.99"}, {"region_code"}),
            ({"region_code": "35.76"}, {"region_code"}),  # a city, not a kelurahan
            ({"region_code": ""}, {"region_code"}),
            ({"nib": "abc", "npwp": "1", "region_code": "x"}, {"nib", "npwp", "region_code"}),
            ({"phone": "12"}, {"phone"}),
            ({"bank_account_number": "12"}, {"bank_account_number"}),
            ({"datafeed_key": "mine"}, {"datafeed_key"}),
        ],
    )
    def test_rechecks_identifiers_and_saves_nothing(self, data, bad_fields, manager, cooperative) -> None:
        before = (cooperative.nib, cooperative.npwp, cooperative.region_code, cooperative.datafeed_key)
        with pytest.raises(ValidationFailed) as raised:
            services.update_cooperative(actor=manager, cooperative=cooperative, data={"address": "Jl. Baru 1", **data})
        assert set(raised.value.fields) == bad_fields
        assert (cooperative.nib, cooperative.npwp, cooperative.region_code, cooperative.datafeed_key) == before
        assert cooperative.address == "Jl. Gajah Mada No. 1"
        assert audit("cooperative.update", cooperative.id) == []

    def test_optional_identifiers_can_be_cleared(self, operator, cooperative) -> None:
        services.update_cooperative(actor=operator, cooperative=cooperative, data={"nib": "", "npwp": None})
        assert (cooperative.nib, cooperative.npwp) == (None, None)

    def test_only_an_operator_renames(self, manager, operator, cooperative) -> None:
        with pytest.raises(Forbidden):
            services.update_cooperative(actor=manager, cooperative=cooperative, data={"name": "Koperasi Lain"})
        services.update_cooperative(actor=manager, cooperative=cooperative, data={"name": cooperative.name})
        services.update_cooperative(actor=operator, cooperative=cooperative, data={"name": "KKMP Gedongan"})
        assert cooperative.name == "KKMP Gedongan"
        assert cooperative.code == "kkmp-gununggedangan"  # the code stays

    def test_manager_of_another_cooperative_gets_not_found(self, manager, other_cooperative) -> None:
        with pytest.raises(NotFound):
            services.update_cooperative(actor=manager, cooperative=other_cooperative, data={"address": "x"})


class TestDatafeedKey:
    def test_rotation_replaces_the_key_and_audits_without_it(self, manager, cooperative) -> None:
        old = cooperative.datafeed_key

        new = services.rotate_datafeed_key(actor=manager, cooperative=cooperative)

        assert new != old and len(new) >= 40
        assert cooperative.datafeed_key == new
        assert cooperative.datafeed_key_rotated_at is not None
        assert services.datafeed_key_matches(cooperative, new)
        assert not services.datafeed_key_matches(cooperative, old)
        [event] = audit("cooperative.datafeed_key_rotate", cooperative.id)
        assert event.actor_id == manager.id
        stored = repr((event.before, event.after, event.reason))
        assert new not in stored and old not in stored

    def test_keys_are_random(self, manager, cooperative) -> None:
        keys = {services.rotate_datafeed_key(actor=manager, cooperative=cooperative) for _ in range(3)}
        assert len(keys) == 3

    def test_other_cooperative_not_found(self, manager, other_cooperative) -> None:
        old = other_cooperative.datafeed_key
        with pytest.raises(NotFound):
            services.rotate_datafeed_key(actor=manager, cooperative=other_cooperative)
        assert other_cooperative.datafeed_key == old

    def test_matching_rejects_empty_keys(self, cooperative) -> None:
        assert not services.datafeed_key_matches(cooperative, "")
        assert not services.datafeed_key_matches(cooperative, None)

    def test_masked_key_shows_only_the_end(self) -> None:
        assert services.masked_key("abcdefghijklmnop") == "•" * 12 + "mnop"
        assert services.masked_key("") == ""


class TestCreateCooperative:
    def test_creates_with_code_and_key_and_invites_the_manager(self, operator, mailbox, request_ctx) -> None:
        cooperative = services.create_cooperative(
            actor=operator,
            data={"name": "KKMP Gununggedangan", "region_code": "35.76.02.1001", "nib": "9120000001234"},
            manager_email="Ketua@Koperasi.TEST",
            manager_name="Ibu Ketua",
        )

        assert cooperative.id is not None
        assert cooperative.code == "kkmp-gununggedangan"
        assert cooperative.is_active is True
        assert len(cooperative.datafeed_key) >= 40
        manager = db.session.scalar(select(User).where(User.email == "ketua@koperasi.test"))
        assert manager.cooperative_id == cooperative.id
        assert manager.roles == {Role.COOP_MANAGER}
        assert manager.password_hash is None
        [created] = audit("cooperative.create", cooperative.id)
        assert created.actor_id == operator.id and created.after["code"] == "kkmp-gununggedangan"
        assert audit("cooperative.manager_invite", cooperative.id)[0].after["user_id"] == manager.id
        [message] = mailbox.to("ketua@koperasi.test")
        link = re.search(r"https?://\S+", mailbox.body(message)).group(0)
        assert "/atur-sandi/" in link
        assert read_token(link.rsplit("/", 1)[1], "invite") == manager

    @pytest.mark.parametrize(
        ("name", "code"),
        [
            ("Koperasi Kelurahan Merah Putih Kranggan", "kkmp-kranggan"),
            ("Koperasi Desa Merah Putih Sooko", "kkmp-sooko"),
            ("Koperasi Serba Usaha “Maju Jaya”", "koperasi-serba-usaha-maju-jaya"),
            ("Kopérasi Éka", "koperasi-eka"),
            ("!!!", "koperasi"),
        ],
    )
    def test_code_is_a_slug_of_the_name(self, name, code, db) -> None:
        assert services.cooperative_code(name) == code

    def test_code_is_unique(self, db) -> None:
        CooperativeFactory(code="kkmp-magersari")
        CooperativeFactory(code="kkmp-magersari-2")
        assert services.cooperative_code("KKMP Magersari") == "kkmp-magersari-3"

    def test_validation_errors_create_nothing(self, operator, manager, mailbox, request_ctx) -> None:
        count = db.session.scalar(select(db.func.count()).select_from(Cooperative))
        with pytest.raises(ValidationFailed) as raised:
            services.create_cooperative(
                actor=operator,
                data={"name": " ", "region_code": "35.76", "npwp": "123"},
                manager_email=manager.email,
                manager_name="",
            )
        assert set(raised.value.fields) == {"name", "region_code", "npwp", "manager_email", "manager_name"}
        assert db.session.scalar(select(db.func.count()).select_from(Cooperative)) == count
        assert mailbox.messages == []

    @pytest.mark.parametrize("role", ["coop_manager", "seller", "ppk"])
    def test_only_operators_create(self, role, cooperative, request_ctx) -> None:
        actor = user_with_role(role, cooperative=cooperative) if role != "ppk" else user_with_role(role)
        with pytest.raises(Forbidden):
            services.create_cooperative(
                actor=actor,
                data={"name": "KKMP Baru", "region_code": "35.76.02.1001"},
                manager_email="baru@example.test",
                manager_name="Baru",
            )


class TestInviteManager:
    def test_manager_invites_a_colleague(self, manager, cooperative, mailbox, request_ctx) -> None:
        user = services.invite_manager(
            actor=manager, cooperative=cooperative, email="wakil@example.test", full_name="Pak Wakil"
        )

        assert user.cooperative_id == cooperative.id and user.has_role(Role.COOP_MANAGER)
        managers = services.cooperative_managers(cooperative_id=cooperative.id)
        assert {m.email for m in managers} == {manager.email, "wakil@example.test"}
        assert "/atur-sandi/" in mailbox.body(mailbox.to("wakil@example.test")[0])
        assert audit("cooperative.manager_invite", cooperative.id)[0].actor_id == manager.id

    def test_operator_invites_for_any_cooperative(self, operator, other_cooperative, request_ctx) -> None:
        user = services.invite_manager(
            actor=operator, cooperative=other_cooperative, email="x@example.test", full_name="X"
        )
        assert user.cooperative_id == other_cooperative.id

    def test_manager_cannot_invite_for_another_cooperative(self, manager, other_cooperative, request_ctx) -> None:
        with pytest.raises(NotFound):
            services.invite_manager(actor=manager, cooperative=other_cooperative, email="y@example.test", full_name="Y")

    def test_taken_email_is_a_field_error(self, manager, cooperative, request_ctx) -> None:
        with pytest.raises(ValidationFailed) as raised:
            services.invite_manager(actor=manager, cooperative=cooperative, email=manager.email, full_name="Z")
        assert set(raised.value.fields) == {"email"}


class TestCloseAndReopen:
    def test_closed_cooperative_is_hidden_from_the_public_list(self, operator, cooperative) -> None:
        services.set_cooperative_active(actor=operator, cooperative=cooperative, active=False, reason="Dibubarkan RAT")

        listed = db.session.scalars(services.cooperatives_query()).all()
        everything = db.session.scalars(services.cooperatives_query(include_inactive=True)).all()
        assert cooperative not in listed
        assert cooperative in everything
        [event] = audit("cooperative.deactivate", cooperative.id)
        assert (event.before, event.after, event.reason) == (
            {"is_active": True},
            {"is_active": False, "withdrawn_products": 0},
            "Dibubarkan RAT",
        )

        services.set_cooperative_active(actor=operator, cooperative=cooperative, active=True, reason=None)
        assert cooperative.is_active and len(audit("cooperative.activate", cooperative.id)) == 1

    def test_no_change_no_event(self, operator, cooperative) -> None:
        services.set_cooperative_active(actor=operator, cooperative=cooperative, active=True, reason=None)
        assert audit("cooperative.activate", cooperative.id) == []

    def test_managers_cannot_close(self, manager, cooperative) -> None:
        with pytest.raises(Forbidden):
            services.set_cooperative_active(actor=manager, cooperative=cooperative, active=False, reason=None)
        assert cooperative.is_active


class TestCooperativesQuery:
    def test_search_by_name_or_code_sorted_by_name(self, db) -> None:
        b = CooperativeFactory(name="KKMP Balongsari", code="kkmp-balongsari")
        a = CooperativeFactory(name="kkmp Awang", code="kkmp-awang")
        CooperativeFactory(name="Koperasi Lain", code="lain")

        found = db.session.scalars(services.cooperatives_query(search="KKMP")).all()
        by_code = db.session.scalars(services.cooperatives_query(search="balong")).all()

        assert [c.id for c in found if c.id in (a.id, b.id)] == [a.id, b.id]
        assert all("kkmp" in c.name.lower() or "kkmp" in c.code for c in found)
        assert by_code == [b]

    def test_member_counts(self, cooperative, other_cooperative, make_member) -> None:
        make_member("active")
        make_member("pending")
        make_member("pending")

        counts = services.member_counts(cooperative_ids=[cooperative.id, other_cooperative.id])

        assert counts == {cooperative.id: {"active": 1, "pending": 2}, other_cooperative.id: {}}
        assert services.member_counts(cooperative_ids=[]) == {}
