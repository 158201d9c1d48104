"""Membership decisions through the service functions: lifecycle, reasons, emails, audit, scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from marketplace.accounts.models import Role, UserRole
from marketplace.cooperatives import services
from marketplace.cooperatives.models import Membership
from marketplace.cooperatives.states import MEMBERSHIP
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from tests.factories import user_with_role

REASON = "Data NIB tidak sesuai dengan dokumen OSS."

#: (action, from status, to status) for every allowed move.
ALLOWED = [
    ("approve", "pending", "active"),
    ("reject", "pending", "rejected"),
    ("suspend", "active", "suspended"),
    ("reactivate", "suspended", "active"),
]
STATUSES = ("pending", "active", "suspended", "rejected")
ILLEGAL = [
    (action, status)
    for action in ("approve", "reject", "suspend", "reactivate")
    for status in STATUSES
    if (action, status) not in {(a, s) for a, s, _ in ALLOWED}
]


def decide(action: str, actor, membership_id: int, reason: str | None = REASON):
    """Call the service for `action` with a reason when it takes one."""
    function = getattr(services, f"{action}_member")
    kwargs = {"reason": reason} if action in ("reject", "suspend") else {}
    return function(actor=actor, membership_id=membership_id, **kwargs)


def events(action: str, subject_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.subject_id == subject_id))
    )


def test_lifecycle_map_matches_the_design() -> None:
    assert MEMBERSHIP.subject_type == "membership"
    assert {action: (set(move.sources), move.target) for action, move in MEMBERSHIP.moves.items()} == {
        "approve": ({"pending"}, "active"),
        "reject": ({"pending"}, "rejected"),
        "suspend": ({"active"}, "suspended"),
        "reactivate": ({"suspended"}, "active"),
    }


@pytest.mark.parametrize(("action", "source", "target"), ALLOWED)
def test_allowed_move_records_decision_audits_and_emails(action, source, target, manager, make_member, mailbox) -> None:
    membership = make_member(source, full_name="Budi Santoso", email="budi@example.test")
    before = utcnow()

    result = decide(action, manager, membership.id)

    assert result.status == target
    assert result.decided_by_id == manager.id
    assert result.decided_at is not None and result.decided_at >= before - timedelta(seconds=1)
    expected_reason = REASON if action in ("reject", "suspend") else None
    assert result.status_reason == expected_reason
    [event] = events(f"membership.{action}", membership.id)
    assert event.actor_id == manager.id
    assert event.subject_type == "membership"
    assert event.before == {"status": source}
    assert event.after == {"status": target}
    assert event.reason == expected_reason
    [message] = mailbox.to("budi@example.test")
    body = mailbox.body(message)
    assert "KKMP Gununggedangan" in message["Subject"]
    assert "Budi Santoso" in body
    if expected_reason:
        assert REASON in body
    else:
        assert REASON not in body


@pytest.mark.parametrize(("action", "status"), ILLEGAL)
def test_illegal_move_is_refused_and_changes_nothing(action, status, manager, make_member, mailbox) -> None:
    membership = make_member(status, email="tetap@example.test")

    with pytest.raises(IllegalTransition) as raised:
        decide(action, manager, membership.id)

    assert raised.value.status == 409
    assert membership.status == status
    assert membership.decided_at is None
    assert events(f"membership.{action}", membership.id) == []
    assert mailbox.to("tetap@example.test") == []


@pytest.mark.parametrize("action", ["reject", "suspend"])
@pytest.mark.parametrize("reason", [None, "", "   ", "terlalu", "  pendek   "])
def test_reject_and_suspend_need_a_reason_of_ten_characters(action, reason, manager, make_member) -> None:
    membership = make_member("pending" if action == "reject" else "active")
    status = membership.status

    with pytest.raises(ValidationFailed) as raised:
        decide(action, manager, membership.id, reason=reason)

    assert set(raised.value.fields) == {"reason"}
    assert membership.status == status
    assert events(f"membership.{action}", membership.id) == []


def test_decision_reads_the_current_status_not_a_stale_copy(manager, applicant, mailbox) -> None:
    # Another manager approved meanwhile (in another transaction): our loaded copy still says pending.
    db.session.execute(
        update(Membership).where(Membership.id == applicant.id).values(status="active"),
        execution_options={"synchronize_session": False},
    )
    assert applicant.status == "pending"

    with pytest.raises(IllegalTransition):
        services.approve_member(actor=manager, membership_id=applicant.id)
    assert applicant.status == "active"
    assert mailbox.to("siti@example.test") == []


def test_reason_is_trimmed_and_limited(manager, make_member) -> None:
    membership = make_member("pending")
    with pytest.raises(ValidationFailed):
        services.reject_member(actor=manager, membership_id=membership.id, reason="x" * 2001)

    services.reject_member(actor=manager, membership_id=membership.id, reason="  Alamat usaha di luar wilayah.  ")

    assert membership.status_reason == "Alamat usaha di luar wilayah."


def test_email_is_rendered_in_the_sellers_language(manager, make_member, monkeypatch) -> None:
    queued: list[tuple[str, str, str]] = []
    monkeypatch.setattr(
        "marketplace.cooperatives.services.members.queue_email",
        lambda to, template, *, locale, **context: queued.append((to, template, locale)),
    )
    english = make_member("pending", email="english@example.test", locale="en")
    indonesian = make_member("active", email="indonesia@example.test", locale="id")

    services.approve_member(actor=manager, membership_id=english.id)
    services.suspend_member(actor=manager, membership_id=indonesian.id, reason=REASON)

    assert queued == [
        ("english@example.test", "emails/membership_approve", "en"),
        ("indonesia@example.test", "emails/membership_suspend", "id"),
    ]


def test_reapproving_after_reactivation_keeps_the_latest_decision(manager, make_member) -> None:
    membership = make_member("active")
    services.suspend_member(actor=manager, membership_id=membership.id, reason=REASON)
    services.reactivate_member(actor=manager, membership_id=membership.id)

    assert membership.status == "active"
    assert membership.status_reason is None
    actions = [e.action for e in services.membership_history(membership=membership)]
    assert actions == ["membership.suspend", "membership.reactivate"]


def test_operator_may_decide_any_membership(operator, make_member, other_cooperative) -> None:
    membership = make_member("pending", coop=other_cooperative)

    services.approve_member(actor=operator, membership_id=membership.id)

    assert membership.status == "active"
    assert membership.decided_by_id == operator.id


def test_manager_of_another_cooperative_gets_not_found(manager, make_member, other_cooperative) -> None:
    membership = make_member("pending", coop=other_cooperative)

    with pytest.raises(NotFound):
        services.get_membership(actor=manager, membership_id=membership.id)
    for action in ("approve", "reject"):
        with pytest.raises(NotFound):
            decide(action, manager, membership.id)
    assert membership.status == "pending"


@pytest.mark.parametrize("role", ["seller", "pp", "ppk", "bendahara"])
def test_other_roles_get_not_found(role, cooperative, applicant) -> None:
    actor = user_with_role(role, cooperative=cooperative) if role == "seller" else user_with_role(role)

    with pytest.raises(NotFound):
        services.get_membership(actor=actor, membership_id=applicant.id)
    with pytest.raises(NotFound):
        services.approve_member(actor=actor, membership_id=applicant.id)


def test_a_manager_never_decides_on_their_own_membership(cooperative, applicant) -> None:
    applicant.user.role_rows.append(UserRole(role=Role.COOP_MANAGER))  # a pengurus applying as a member UMKM
    applicant.user.cooperative_id = cooperative.id
    db.session.flush()
    with pytest.raises(Forbidden):
        services.approve_member(actor=applicant.user, membership_id=applicant.id)
    assert applicant.status == "pending"


def test_unknown_membership_is_not_found(manager) -> None:
    with pytest.raises(NotFound):
        services.get_membership(actor=manager, membership_id=999_999)


def test_closed_cooperative_takes_no_new_members(manager, cooperative, applicant, make_member) -> None:
    cooperative.is_active = False
    suspended = make_member("suspended")

    with pytest.raises(Conflict) as raised:
        services.approve_member(actor=manager, membership_id=applicant.id)
    assert not isinstance(raised.value, IllegalTransition)
    assert applicant.status == "pending"
    # Rejecting and lifting a suspension still work.
    services.reactivate_member(actor=manager, membership_id=suspended.id)
    services.reject_member(actor=manager, membership_id=applicant.id, reason=REASON)
    assert (suspended.status, applicant.status) == ("active", "rejected")


class TestMembersQuery:
    def test_filters_by_cooperative_and_status(self, cooperative, other_cooperative, make_member) -> None:
        pending = make_member("pending")
        active = make_member("active")
        make_member("pending", coop=other_cooperative)

        listed = db.session.scalars(services.members_query(cooperative_id=cooperative.id)).all()
        pending_only = db.session.scalars(services.members_query(cooperative_id=cooperative.id, status="pending")).all()

        assert {m.id for m in listed} == {pending.id, active.id}
        assert [m.id for m in pending_only] == [pending.id]

    def test_pending_oldest_first(self, cooperative, make_member) -> None:
        newer = make_member("pending")
        older = make_member("pending")
        older.created_at = utcnow() - timedelta(days=3)
        newer.created_at = utcnow() - timedelta(days=1)
        db.session.flush()

        rows = db.session.scalars(services.members_query(cooperative_id=cooperative.id, status="pending")).all()

        assert [m.id for m in rows] == [older.id, newer.id]

    @pytest.mark.parametrize("text", ["aminah", "SITI@EXAMPLE", "Batik Tulis", "8129"])
    def test_search_by_name_email_business_or_nib(self, text, cooperative, make_member) -> None:
        wanted = make_member("pending", full_name="Siti Aminah", email="siti@example.test")
        wanted.user.seller_profile.business_name = "Batik Tulis Majapahit"
        wanted.user.seller_profile.nib = "8129000000001"
        other = make_member("pending", full_name="Joko", email="joko@example.test")
        other.user.seller_profile.nib = "1111111111111"
        db.session.flush()

        rows = db.session.scalars(services.members_query(cooperative_id=cooperative.id, search=text)).all()

        assert [m.id for m in rows] == [wanted.id]

    def test_search_treats_wildcards_literally(self, cooperative, make_member) -> None:
        make_member("pending", full_name="Siti Aminah")

        rows = db.session.scalars(services.members_query(cooperative_id=cooperative.id, search="%")).all()

        assert rows == []

    def test_unknown_status_is_a_validation_error(self, cooperative) -> None:
        with pytest.raises(ValidationFailed) as raised:
            services.members_query(cooperative_id=cooperative.id, status="deleted")
        assert "status" in raised.value.fields

    def test_counts_per_status(self, cooperative, make_member) -> None:
        make_member("pending")
        make_member("pending")
        make_member("active")

        assert services.membership_counts(cooperative_id=cooperative.id) == {
            "pending": 2,
            "active": 1,
            "suspended": 0,
            "rejected": 0,
        }
