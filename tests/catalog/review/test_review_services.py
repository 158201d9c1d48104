"""The review use cases: decisions with their emails and audit events, the quality gate, bulk approval, policy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.accounts.models import Role, UserRole
from marketplace.catalog.models import CatalogEntry, RegionalPrice
from marketplace.catalog.services import (
    approve_many,
    approve_revision,
    reject_revision,
    request_changes,
    update_listing,
    update_review_policy,
    waiting_count,
)
from marketplace.catalog.services.review import quality_counts, queue_choices, review_queue
from marketplace.catalog.states import REVISION_LABELS
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed
from marketplace.extensions import db
from tests.catalog.review.conftest import submitted
from tests.factories import listing, listing_data, seller, user_with_role


def events(action: str, subject_id: int | None = None) -> list[AuditEvent]:
    statement = select(AuditEvent).where(AuditEvent.action == action)
    if subject_id is not None:
        statement = statement.where(AuditEvent.subject_id == subject_id)
    return list(db.session.scalars(statement.order_by(AuditEvent.id)))


def make_past_due(revision) -> None:
    """Let the proposed price validity expire while the revision waits (the seller could not enter it)."""
    revision.valid_until = date.today() - timedelta(days=3)
    db.session.flush()


def test_approving_a_new_product_emails_the_seller_with_a_link(db, reference, manager, maker, mailbox) -> None:
    revision = submitted(maker, reference)
    approve_revision(actor=manager, revision_id=revision.id)

    assert revision.product.status == "active"
    [message] = mailbox.to("darmo@umkm.test")
    assert "Beras Premium Majapahit 5 kg" in message["Subject"]
    body = mailbox.body(message)
    assert "Pak Darmo" in body and "BRS-001" in body
    assert f"/produk-saya/{revision.product_id}" in body
    assert "0321-123456" in body  # the cooperative's contact in the footer
    [event] = events("revision.approve", revision.id)
    assert (event.actor_id, event.before, event.after["status"]) == (manager.id, {"status": "submitted"}, "approved")


def test_a_manager_who_also_sells_cannot_decide_on_their_own_listing(db, reference, manager, maker) -> None:
    own = submitted(maker, reference)
    db.session.add(UserRole(user_id=maker.id, role=Role.COOP_MANAGER))  # a pengurus who is also a member UMKM
    maker.cooperative_id = manager.cooperative_id
    db.session.flush()
    db.session.expire(maker, ["role_rows"])
    for decide in (
        lambda: approve_revision(actor=maker, revision_id=own.id),
        lambda: reject_revision(actor=maker, revision_id=own.id, reason="Foto produk kurang jelas sekali"),
        lambda: request_changes(actor=maker, revision_id=own.id, notes="Tambahkan foto kemasan produk"),
    ):
        with pytest.raises(Forbidden):
            decide()
    assert own.status == "submitted"
    approve_revision(actor=manager, revision_id=own.id)  # another manager of the cooperative
    assert own.product.status == "active"


def test_a_manager_does_not_approve_a_change_they_wrote_on_a_members_product(db, reference, manager, maker) -> None:
    product = listing(maker, reference, sku="BRS-LIVE")
    change = update_listing(
        actor=manager, product=product, data=listing_data(reference, sku="BRS-LIVE", name="Beras Baru"), submit=True
    )
    with pytest.raises(Forbidden):
        approve_revision(actor=manager, revision_id=change.id)
    colleague = user_with_role(Role.COOP_MANAGER, cooperative=product.cooperative)
    approve_revision(actor=colleague, revision_id=change.id)
    assert product.live_revision_id == change.id


def test_approving_a_change_says_so_in_the_sellers_language(db, reference, manager, maker, mailbox) -> None:
    maker.locale = "en"
    product = listing(maker, reference)
    mailbox.run_tasks()
    mailbox.clear()  # the emails sent so far
    revision = update_listing(actor=maker, product=product, data=listing_data(reference, price=80000), submit=True)
    approve_revision(actor=manager, revision_id=revision.id)
    [message] = mailbox.to(maker.email)
    assert message["Subject"] == "Your product “Beras Premium Majapahit 5 kg” was approved"
    assert "approved your changes to" in mailbox.body(message)


def test_rejecting_emails_the_reason_and_keeps_the_live_version(db, reference, manager, maker, mailbox) -> None:
    maker.locale = "en"
    product = listing(maker, reference)
    mailbox.run_tasks()
    mailbox.clear()  # the emails sent so far
    revision = update_listing(actor=maker, product=product, data=listing_data(reference, price=99000), submit=True)
    reject_revision(actor=manager, revision_id=revision.id, reason="Harga terlalu tinggi dibanding pasar.")

    assert (revision.status, revision.decision_note) == ("rejected", "Harga terlalu tinggi dibanding pasar.")
    assert db.session.get(CatalogEntry, product.id).price == 72500
    [message] = mailbox.to(maker.email)
    body = mailbox.body(message)
    assert "Harga terlalu tinggi dibanding pasar." in body and "stays on sale" in body
    assert events("revision.reject", revision.id)[0].reason == "Harga terlalu tinggi dibanding pasar."


def test_requesting_changes_emails_the_notes(db, reference, manager, maker, mailbox) -> None:
    revision = submitted(maker, reference)
    request_changes(actor=manager, revision_id=revision.id, notes="Mohon tambahkan foto kemasan depan.")
    assert revision.status == "changes_requested"
    [message] = mailbox.to(maker.email)
    assert "Mohon tambahkan foto kemasan depan." in mailbox.body(message)
    assert events("revision.request_changes", revision.id)[0].reason == "Mohon tambahkan foto kemasan depan."


def test_a_decision_without_a_written_reason_sends_nothing(db, reference, manager, maker, mailbox) -> None:
    revision = submitted(maker, reference)
    with pytest.raises(ValidationFailed) as error:
        request_changes(actor=manager, revision_id=revision.id, notes="  short  ")
    assert "notes" in error.value.fields
    db.session.rollback()
    assert mailbox.to(maker.email) == []


def test_approval_is_refused_while_the_revision_has_quality_errors(db, reference, manager, maker, mailbox) -> None:
    revision = submitted(maker, reference)
    make_past_due(revision)
    with pytest.raises(ValidationFailed) as error:
        approve_revision(actor=manager, revision_id=revision.id)
    assert "tidak dapat disetujui" in error.value.message  # "cannot be approved"
    assert list(error.value.fields) == ["valid_until"]
    db.session.rollback()
    assert (revision.status, revision.product.status) == ("submitted", "draft")
    assert events("revision.approve", revision.id) == []
    assert mailbox.to(maker.email) == []


def test_approval_is_refused_for_an_unknown_region_but_not_for_warnings(db, reference, manager, maker) -> None:
    revision = submitted(maker, reference, stock=0, short_description="")
    revision.regional_prices.append(RegionalPrice(region_code="99.98", price=70000))
    db.session.flush()
    with pytest.raises(ValidationFailed) as error:
        approve_revision(actor=manager, revision_id=revision.id)
    assert list(error.value.fields) == ["regional_prices.0.region_code"]
    db.session.rollback()
    revision = submitted(maker, reference, sku="BRS-002", stock=0, short_description="")  # warnings only
    approve_revision(actor=manager, revision_id=revision.id)
    assert revision.status == "approved"


def test_an_already_decided_revision_is_an_illegal_move_before_any_quality_check(db, reference, manager, maker) -> None:
    revision = submitted(maker, reference)
    approve_revision(actor=manager, revision_id=revision.id)
    make_past_due(revision)
    with pytest.raises(IllegalTransition):
        approve_revision(actor=manager, revision_id=revision.id)


def test_bulk_approval_reports_each_failure_and_approves_the_rest(db, reference, cooperative, manager, maker, mailbox):
    good_one = submitted(maker, reference, sku="A-1", name="Gula Pasir 1 kg")
    bad = submitted(maker, reference, sku="A-2", name="Minyak Goreng 2 L")
    make_past_due(bad)
    good_two = submitted(maker, reference, sku="A-3", name="Telur Ayam 1 kg")
    decided = submitted(maker, reference, sku="A-4", name="Tepung Terigu 1 kg")
    request_changes(actor=manager, revision_id=decided.id, notes="Lengkapi nomor SNI ya.")
    foreign = submitted(seller(), reference, sku="A-5", name="Kerupuk Rambak")
    mailbox.run_tasks()
    mailbox.clear()  # the emails sent so far

    ids = [good_one.id, bad.id, good_two.id, decided.id, foreign.id, good_one.id]
    outcomes = approve_many(actor=manager, revision_ids=ids)

    assert [(o.revision_id, o.approved) for o in outcomes] == [
        (good_one.id, True), (bad.id, False), (good_two.id, True), (decided.id, False), (foreign.id, False),
    ]  # fmt: skip
    failures = {o.revision_id: o for o in outcomes if not o.approved}
    assert failures[bad.id].name == "Minyak Goreng 2 L" and bad.valid_until.isoformat() in failures[bad.id].message
    assert str(REVISION_LABELS["changes_requested"]) in failures[decided.id].message
    assert failures[foreign.id].name is None and failures[foreign.id].message == _("This listing does not exist.")
    assert (good_one.status, good_two.status, bad.status, foreign.status) == (
        "approved", "approved", "submitted", "submitted",
    )  # fmt: skip
    assert len(mailbox.to(maker.email)) == 2
    assert waiting_count(cooperative_id=cooperative.id) == 1


def test_bulk_approval_needs_a_selection_of_reasonable_size(db, manager) -> None:
    with pytest.raises(ValidationFailed):
        approve_many(actor=manager, revision_ids=[])
    with pytest.raises(ValidationFailed):
        approve_many(actor=manager, revision_ids=list(range(1, 102)))


def test_the_queue_is_the_cooperatives_submitted_revisions_oldest_first(db, reference, cooperative, maker) -> None:
    other_member = seller(cooperative, full_name="Bu Sri")
    first = submitted(maker, reference, sku="Q-1")
    second = submitted(other_member, reference, sku="Q-2")
    listing(maker, reference, sku="Q-3")  # approved: not waiting
    listing(maker, reference, sku="Q-4", approved=False)  # a draft: not waiting
    submitted(seller(), reference, sku="Q-5")  # another cooperative
    first.submitted_at, second.submitted_at = second.submitted_at, first.submitted_at  # second is now older
    db.session.flush()

    queue = list(db.session.scalars(review_queue(cooperative_id=cooperative.id)))
    assert queue == [second, first]
    assert list(db.session.scalars(review_queue(cooperative_id=cooperative.id, seller_id=maker.id))) == [first]
    assert list(db.session.scalars(review_queue(cooperative_id=cooperative.id, category_id=999999))) == []
    members, categories = queue_choices(cooperative_id=cooperative.id)
    assert members == [(other_member.id, "Bu Sri"), (maker.id, "Pak Darmo")]
    assert categories == [(reference["category_id"], "Bahan Pokok › Beras dan Serealia › Beras")]


def test_another_cooperatives_manager_cannot_decide(db, reference, maker) -> None:
    revision = submitted(maker, reference)
    stranger = user_with_role(Role.COOP_MANAGER)
    for decide, kwargs in [
        (approve_revision, {}),
        (reject_revision, {"reason": "Tidak sesuai ketentuan."}),
        (request_changes, {"notes": "Tambahkan foto produk."}),
    ]:
        with pytest.raises(NotFound):
            decide(actor=stranger, revision_id=revision.id, **kwargs)


def test_the_review_policy_is_saved_and_audited(db, cooperative, manager) -> None:
    assert (cooperative.stock_needs_review, cooperative.validity_needs_review) == (False, True)
    update_review_policy(
        actor=manager, cooperative_id=cooperative.id, stock_needs_review=True, validity_needs_review=False
    )
    assert (cooperative.stock_needs_review, cooperative.validity_needs_review) == (True, False)
    [event] = events("cooperative.review_policy", cooperative.id)
    assert event.before == {"stock_needs_review": False, "validity_needs_review": True}
    assert event.after == {"stock_needs_review": True, "validity_needs_review": False}
    update_review_policy(
        actor=manager, cooperative_id=cooperative.id, stock_needs_review=True, validity_needs_review=False
    )
    assert len(events("cooperative.review_policy", cooperative.id)) == 1  # nothing changed, nothing recorded


def test_only_the_cooperatives_managers_set_its_policy(db, cooperative) -> None:
    for actor in (user_with_role(Role.COOP_MANAGER), seller(cooperative), user_with_role(Role.OPERATOR)):
        with pytest.raises(NotFound):
            update_review_policy(
                actor=actor, cooperative_id=cooperative.id, stock_needs_review=True, validity_needs_review=True
            )


def test_quality_counts_of_a_page_of_the_queue(db, reference, cooperative, maker) -> None:
    clean = submitted(maker, reference, sku="Q-1", tkdn_certificate="TKDN-1")
    expired = submitted(maker, reference, sku="Q-2", stock=0)
    make_past_due(expired)
    counts = quality_counts(cooperative_id=cooperative.id, revisions=[clean, expired])
    assert counts == {clean.id: (0, 1), expired.id: (1, 3)}  # no image; + stock 0, no TKDN certificate
