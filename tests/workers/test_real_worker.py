"""Journeys through a real Celery worker process: tasks leave only after commit and the worker runs them."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from marketplace.accounts.models import LoginAttempt, Role, User, UserRole
from marketplace.core.mail import SEND_EMAIL_TASK, queue_email
from marketplace.core.tasks import enqueue_after_commit
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.procurement.models import CartItem
from marketplace.procurement.services.checkout import checkout
from marketplace.procurement.services.notify import NOTIFY_ORDER_TASK
from tests.factories import (
    CooperativeFactory,
    UserFactory,
    WorkUnitFactory,
    catalog_reference,
    listing,
    order_form,
    seller,
    user_with_role,
)
from tests.support.worker import REPO_ROOT, broker_url, wait_for

pytestmark = pytest.mark.worker


def messages_to(folder: Path, address: str) -> list[EmailMessage]:
    """The .eml files the worker wrote for `address`."""
    found = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]
    return [m for m in found if m["To"] == address]


def queue_invitation(to: str, link: str) -> None:
    queue_email(
        to,
        "emails/invitation",
        locale="id",
        user=SimpleNamespace(full_name="Sri Wahyuni"),
        inviter=SimpleNamespace(full_name="Operator Kota"),
        link=link,
        days=7,
    )


def test_email_queued_in_a_transaction_is_sent_after_commit_and_delivered(
    committed_db, worker_app, celery_worker, sent_tasks
) -> None:
    with worker_app.app_context():
        queue_invitation("ppk.baru@demo.test", "http://127.0.0.1:5000/atur-sandi/token-123")
        assert sent_tasks == []  # nothing leaves before the commit
        db.session.commit()
    assert [name for name, _ in sent_tasks] == [SEND_EMAIL_TASK]

    (message,) = wait_for(
        lambda: messages_to(celery_worker.mail_dir, "ppk.baru@demo.test"),
        what="the worker to write the .eml",
        worker=celery_worker,
    )
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "http://127.0.0.1:5000/atur-sandi/token-123" in body
    assert "Sri Wahyuni" in body
    assert message["Subject"]
    assert message["From"] == worker_app.config["MAIL_DEFAULT_SENDER"]
    if broker_url().startswith("filesystem://"):  # the transport keeps every folder inside the instance folder
        assert (celery_worker.instance_path / "broker-control").is_dir()
        assert not (REPO_ROOT / "control").exists()


def test_task_enqueued_in_a_rolled_back_transaction_is_never_sent(
    committed_db, worker_app, celery_worker, sent_tasks
) -> None:
    with worker_app.app_context():
        queue_invitation("batal@demo.test", "http://127.0.0.1:5000/atur-sandi/batal")
        db.session.rollback()
        queue_invitation("jadi@demo.test", "http://127.0.0.1:5000/atur-sandi/jadi")
        db.session.commit()

    wait_for(
        lambda: messages_to(celery_worker.mail_dir, "jadi@demo.test"), what="the marker email", worker=celery_worker
    )
    time.sleep(2)  # a wrongly sent task, published first, would have been delivered by now
    assert messages_to(celery_worker.mail_dir, "batal@demo.test") == []
    assert [kwargs["to"] for _, kwargs in sent_tasks] == ["jadi@demo.test"]


def test_worker_runs_tasks_against_the_committed_test_data(committed_db, worker_app, celery_worker) -> None:
    with worker_app.app_context():
        db.session.add_all(
            [
                LoginAttempt(email="lama@demo.test", ip_address="10.0.0.1", succeeded=False),
                LoginAttempt(email="baru@demo.test", ip_address="10.0.0.1", succeeded=False),
            ]
        )
        db.session.flush()
        old = db.session.scalars(select(LoginAttempt).where(LoginAttempt.email == "lama@demo.test")).one()
        old.created_at = utcnow() - timedelta(days=45)
        enqueue_after_commit("accounts.purge_login_attempts")
        db.session.commit()

    def only_recent_attempts_left() -> bool:
        with worker_app.app_context():
            emails = db.session.scalars(select(LoginAttempt.email)).all()
            db.session.remove()
        return emails == ["baru@demo.test"]

    wait_for(only_recent_attempts_left, what="the worker to purge old sign-in attempts", worker=celery_worker)


def test_password_reset_requested_on_the_page_arrives_with_a_working_link(
    committed_db, worker_app, celery_worker
) -> None:
    with worker_app.app_context():
        UserFactory(email="penjual.reset@demo.test", full_name="Umi Kulsum")
        db.session.commit()
    client = worker_app.test_client()
    page = client.get("/lupa-sandi").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/lupa-sandi", data={"csrf_token": token, "email": "penjual.reset@demo.test"})
    assert response.status_code == 302

    (message,) = wait_for(
        lambda: messages_to(celery_worker.mail_dir, "penjual.reset@demo.test"),
        what="the password-reset email",
        worker=celery_worker,
    )
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/atur-ulang-sandi/\S+", body).group(0)
    assert client.get(urlsplit(link).path).status_code == 200  # the link opens the new-password form


def test_an_order_step_is_emailed_by_the_worker_in_the_recipients_language(
    committed_db, worker_app, celery_worker, sent_tasks
) -> None:
    with worker_app.app_context():
        cooperative = CooperativeFactory(is_pkp=True)
        product = listing(seller(cooperative), catalog_reference(), sku="RW-1", price=50000, ppn_percent=11, stock=10)
        manager = db.session.scalars(
            select(User).join(UserRole).where(User.cooperative_id == cooperative.id, UserRole.role == Role.COOP_MANAGER)
        ).first()
        manager.locale = "en"
        ppk = user_with_role(Role.PPK, work_unit=WorkUnitFactory(region_code="35.76"))
        db.session.add(CartItem(user_id=ppk.id, product_id=product.id, quantity=2))
        db.session.commit()
        published = len(sent_tasks)
        (order,) = checkout(actor=ppk, key="real-worker-checkout-1", work_unit_id=ppk.work_unit_id, **order_form())
        number, address = order.number, manager.email
    assert [name for name, _ in sent_tasks[published:]] == [NOTIFY_ORDER_TASK]  # the checkout rendered nothing

    (message,) = wait_for(
        lambda: messages_to(celery_worker.mail_dir, address), what="the new-order email", worker=celery_worker
    )
    assert message["Subject"].startswith("New order") and number in message["Subject"]
