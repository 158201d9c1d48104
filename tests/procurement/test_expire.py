"""The scheduled task cancels orders whose party due did not act within the deadline, with the reason recorded,
the stock released and the parties told; orders on time or past signing are left alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.procurement.services import deadlines, documents, moves, stock
from marketplace.procurement.states import OrderStatus
from tests.procurement.conftest import make_order

S = OrderStatus


def overdue(market, status, who, *, hours: int = 1):
    """An order with its stock taken, waiting for `who` since a deadline `hours` ago."""
    order = make_order(market, status)
    stock.reserve(order.lines)
    deadlines.wait_for(order, who)
    order.action_due_at = utcnow() - timedelta(hours=hours)
    db.session.flush()
    return order


def test_the_task_cancels_overdue_orders_and_releases_their_stock(app, market, mailbox):
    late = overdue(market, S.WAITING_SELLER_CONFIRMATION, deadlines.PROVIDER)
    on_time = make_order(market, S.WAITING_PPK_REVIEW)
    deadlines.wait_for(on_time, deadlines.PPK)
    signed = overdue(market, S.ON_PROCESS, deadlines.PROVIDER)
    db.session.commit()
    assert market.rice.stock == 20  # two orders took 10 each

    result = app.extensions["celery"].tasks["procurement.expire_overdue"].apply()
    assert result.get() == 1

    db.session.refresh(late)
    db.session.refresh(market.rice)
    assert late.status == S.CANCELLED
    assert late.waiting_for is None and late.action_due_at is None
    assert late.cancelled_by_id is None
    assert market.coop.name in late.cancel_reason
    assert market.rice.stock == 30  # the expired order's 10 came back, the signed order keeps its 10
    db.session.refresh(on_time)
    db.session.refresh(signed)
    assert on_time.status == S.WAITING_PPK_REVIEW
    assert signed.status == S.ON_PROCESS

    (event,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == late.id, AuditEvent.action == "order.expire")
    ).all()
    assert event.actor_id is None
    assert event.reason == late.cancel_reason
    assert "WIB" in event.reason
    assert mailbox.to(market.ppk.email) and mailbox.to(market.manager.email)


def test_the_reason_names_who_did_not_act(market):
    order = overdue(market, S.WAITING_PPK_REVIEW, deadlines.PPK)
    assert moves.expire_overdue() == 1
    assert market.ppk.full_name in order.cancel_reason


def test_an_order_waiting_for_a_missing_signature_names_that_side(market):
    order = make_order(market, S.WAITING_SELLER_CONFIRMATION)
    moves.accept(actor=market.manager, order=order)
    documents.sign(actor=market.manager, order=order)
    order.action_due_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert moves.expire_overdue() == 1
    assert order.status == S.CANCELLED
    assert market.ppk.full_name in order.cancel_reason


def test_a_deadline_not_yet_passed_or_an_order_that_moved_on_is_left_alone(market):
    soon = overdue(market, S.WAITING_PPK_REVIEW, deadlines.PPK, hours=-1)
    moved_on = overdue(market, S.WAITING_PPK_REVIEW, deadlines.PPK)
    moves.approve(actor=market.ppk, order=moved_on)  # a new deadline for the cooperative
    assert moves.expire_overdue() == 0
    assert soon.status == S.WAITING_PPK_REVIEW
    assert moved_on.status == S.WAITING_SELLER_CONFIRMATION


def test_now_can_be_given(market):
    order = make_order(market, S.WAITING_PPK_REVIEW)
    deadlines.wait_for(order, deadlines.PPK)
    db.session.flush()
    assert moves.expire_overdue(now=utcnow()) == 0
    assert moves.expire_overdue(now=order.action_due_at + timedelta(seconds=1)) == 1
    assert order.status == S.CANCELLED


def test_the_beat_runs_the_task_on_the_configured_schedule():
    from workers.celery_app import celery_app, flask_app

    entry = celery_app.conf.beat_schedule["procurement-expire-overdue"]
    assert entry["task"] == "procurement.expire_overdue"
    assert entry["task"] in celery_app.tasks
    minute = flask_app.config["ORDER_EXPIRE_CRON"].split()[0]
    assert entry["schedule"]._orig_minute == minute
