"""Email delivery."""

from __future__ import annotations

import smtplib

from celery import shared_task

from marketplace.core.mail import build_message, deliver


@shared_task(
    name="notifications.send_email",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=8,
)
def send_email(to: str, subject: str, body: str) -> str:
    """Deliver one email through the configured backend."""
    return deliver(build_message(to, subject, body))
