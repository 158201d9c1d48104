"""Order emails: who gets which event, in their own language, with a link to the order page, after commit."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from marketplace.accounts.models import Role, User, UserRole
from marketplace.core.tasks import MODEL_KEY, from_task_arguments, to_task_arguments
from marketplace.extensions import db
from marketplace.payments.models import Payment, Refund
from marketplace.procurement.models import Offer, OrderDocument
from marketplace.procurement.services import deadlines, notify
from marketplace.procurement.states import DocumentKind, OrderStatus
from tests.factories import user_with_role
from tests.procurement.conftest import make_order


def addresses(order, event, **kwargs) -> set[str]:
    return {user.email for user in notify.recipients(order, event, **kwargs)}


def managers_of(cooperative) -> set[str]:
    """Every manager of the cooperative (the market's listings were approved by managers of their own)."""
    query = select(User.email).join(UserRole).where(UserRole.role == Role.COOP_MANAGER)
    return set(db.session.scalars(query.where(User.cooperative_id == cooperative.id)))


def test_a_pp_order_submitted_asks_the_ppk_to_review(market):
    order = make_order(market, OrderStatus.WAITING_PPK_REVIEW)
    deadlines.wait_for(order, deadlines.PPK)
    assert addresses(order, "submitted") == {market.ppk.email}


def test_a_ppk_order_submitted_asks_the_managers_to_answer(market):
    second_manager = user_with_role(Role.COOP_MANAGER, cooperative=market.coop)
    order = make_order(market, OrderStatus.WAITING_SELLER_CONFIRMATION, placed_by=market.ppk)
    deadlines.wait_for(order, deadlines.PROVIDER)
    assert {market.manager.email, second_manager.email} < addresses(order, "submitted") == managers_of(market.coop)


def test_recipients_of_each_event(market):
    order = make_order(market, OrderStatus.ON_PROCESS)
    managers = managers_of(market.coop)
    assert market.manager.email in managers
    assert addresses(order, "approved") == managers | {market.pp.email}
    assert addresses(order, "rejected") == {market.pp.email}
    assert addresses(order, "accepted") == managers | {market.ppk.email}
    assert addresses(order, "signed") == managers | {market.seller_a.email, market.seller_b.email}
    assert addresses(order, "countersign") == managers | {market.ppk.email}  # nobody signed yet: both sides
    assert addresses(order, "shipped") == {market.ppk.email}
    assert addresses(order, "received") == managers
    assert addresses(order, "invoiced") == {market.bendahara.email}
    assert addresses(order, "cancelled") == managers | {market.ppk.email, market.pp.email}
    assert addresses(order, "completed") == managers | {
        market.ppk.email,
        market.pp.email,
        market.bendahara.email,
        market.seller_a.email,
        market.seller_b.email,
    }


def test_the_one_who_moved_and_disabled_users_get_no_email(market):
    order = make_order(market, OrderStatus.CANCELLED)
    market.pp.is_enabled = False
    assert addresses(order, "cancelled", exclude=market.ppk) == managers_of(market.coop)


def test_the_other_coop_and_other_work_unit_are_never_told(market):
    order = make_order(market, OrderStatus.COMPLETED)
    everybody = addresses(order, "completed")
    assert market.other_manager.email not in everybody
    assert market.other_ppk.email not in everybody
    assert market.other_seller.email not in everybody


def test_an_unknown_event_is_a_programming_error(market):
    order = make_order(market)
    with pytest.raises(ValueError, match="unknown order event"):
        notify.order_event(order, "teleported")


def test_emails_leave_after_commit_in_each_recipients_language(market, mailbox):
    market.manager.locale = "en"
    order = make_order(market, OrderStatus.WAITING_SELLER_CONFIRMATION, placed_by=market.ppk)
    deadlines.wait_for(order, deadlines.PROVIDER)
    notify.order_event(order, "submitted")
    assert mailbox.messages == []  # nothing before the commit
    db.session.commit()

    (message,) = mailbox.to(market.manager.email)
    assert order.number in message["Subject"]
    assert message["Subject"].startswith("New order")
    body = mailbox.body(message)
    assert f"/pesanan/{order.id}" in body
    assert body.count("http") >= 1


def test_each_email_is_rendered_in_its_recipients_language(market, monkeypatch):
    market.pp.locale = "en"
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(notify, "queue_email", lambda to, template, *, locale, **context: sent.append((to, locale)))
    order = make_order(market, OrderStatus.CANCELLED_ON_REVIEW)
    notify.send_order_event(order.id, "rejected", context={"reason": "Anggaran belum tersedia"})
    notify.send_order_event(order.id, "approved")
    assert (market.pp.email, "en") in sent
    assert (market.manager.email, "id") in sent


def test_the_move_queues_one_task_and_the_worker_renders_the_emails(market, sent_tasks, mailbox):
    order = make_order(market, OrderStatus.CANCELLED_ON_REVIEW)
    notify.order_event(order, "rejected", actor=market.ppk, reason="Anggaran belum tersedia")
    db.session.commit()
    assert sent_tasks == [
        (
            notify.NOTIFY_ORDER_TASK,
            {
                "order_id": order.id,
                "event": "rejected",
                "actor_id": market.ppk.id,
                "context": {"reason": "Anggaran belum tersedia"},
                "waiting_for": order.waiting_for,
            },
        )
    ]
    (message,) = mailbox.to(market.pp.email)
    assert "Anggaran belum tersedia" in mailbox.body(message)


def test_the_party_due_is_the_one_at_the_move_even_if_the_order_moved_on(market, sent_tasks, mailbox):
    # The PPK proposes (the cooperative is due), then the cooperative counter-proposes before the worker runs.
    order = make_order(market, OrderStatus.ON_NEGOTIATION)
    db.session.add(Offer(order=order, party="buyer", proposed_by_id=market.ppk.id, message="Mohon harga", lines=[]))
    deadlines.wait_for(order, deadlines.PROVIDER)
    notify.order_event(order, "offer", actor=market.ppk)
    deadlines.wait_for(order, deadlines.BUYER)  # the counter-offer, done before the worker runs
    db.session.commit()
    assert [kwargs["waiting_for"] for _name, kwargs in sent_tasks] == [deadlines.PROVIDER]
    assert {message["To"] for message in mailbox.messages} == managers_of(market.coop)


def test_models_travel_to_the_worker_as_references(market):
    order = make_order(market, OrderStatus.ON_PROCESS)
    offer = Offer(order=order, party="buyer", proposed_by_id=market.ppk.id, message="Mohon harga", lines=[])
    db.session.add(offer)
    arguments = to_task_arguments({"offer": offer, "reason": "teks", "missing": None})
    assert arguments == {"offer": {MODEL_KEY: "Offer", "id": offer.id}, "reason": "teks", "missing": None}
    assert from_task_arguments(arguments) == {"offer": offer, "reason": "teks", "missing": None}
    with pytest.raises(TypeError, match="cannot travel to a task"):
        to_task_arguments({"when": object()})


def test_every_event_has_a_template_that_renders(market, mailbox):
    order = make_order(market, OrderStatus.ON_PROCESS)
    order.waiting_for = deadlines.SIGNATURES
    db.session.add(Offer(order=order, party="buyer", proposed_by_id=market.ppk.id, message="Mohon harga", lines=[]))
    payment = Payment(order=order, method="card", status="succeeded", amount=order.total, created_by_id=market.pp.id)
    refund = Refund(
        payment=payment, amount=1000, reason="Barang kurang satu", status="succeeded", created_by_id=market.pp.id
    )
    kuitansi = OrderDocument(
        order=order,
        cooperative_id=order.cooperative_id,
        kind=DocumentKind.KUITANSI,
        number="KW-2026-00001",
        html="<p>kuitansi</p>",
        sha256="0" * 64,
    )
    db.session.add_all([payment, refund, kuitansi])
    for event in notify.EVENT_RECIPIENTS:
        notify.order_event(
            order,
            event,
            reason="Alasan yang cukup panjang untuk pembatalan",
            payment=payment,
            refund=refund,
            kuitansi=kuitansi,
            payment_method="Kartu KKP",
        )
    db.session.commit()
    subjects = {message["Subject"] for message in mailbox.messages}
    assert len(subjects) == len(notify.EVENT_RECIPIENTS)
    assert all(order.number in subject for subject in subjects)


def test_a_card_decline_is_explained_in_the_recipients_language(market, mailbox):
    market.bendahara.locale = "en"
    order = make_order(market, OrderStatus.WAITING_PAYMENT)
    payment = Payment(
        order=order,
        method="card",
        status="failed",
        amount=order.total,
        created_by_id=market.bendahara.id,
        failure_code="insufficient_funds",
    )
    db.session.add(payment)
    with force_locale("id"):  # the webhook's request is in Indonesian; the bendahara reads English
        notify.order_event(order, "payment_failed", payment=payment)
    db.session.commit()
    (message,) = mailbox.to(market.bendahara.email)
    assert "The card's balance or limit is not enough for this payment." in mailbox.body(message)
