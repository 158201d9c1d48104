"""Email: a message is rendered where it is queued, in the recipient's language (in the web process, or in the
worker for order steps), and sent by a Celery task after the commit.

Backends: `file` writes each message as an .eml file into MAIL_FILE_DIR (development and tests), `smtp` sends
through MAIL_SMTP_HOST.
"""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from marketplace.core.tasks import enqueue_after_commit

SEND_EMAIL_TASK = "notifications.send_email"


def queue_email(to: str, template: str, *, locale: str = "id", **context: object) -> None:
    """Render `templates/<template>.txt` (first line is the subject) and send it after the current commit."""
    with force_locale(locale):
        rendered = render_template(f"{template}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    enqueue_after_commit(SEND_EMAIL_TASK, to=to, subject=subject.strip(), body=body.strip() + "\n")


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="pasar-umkm.local")
    message.set_content(body)
    return message


def deliver(message: EmailMessage) -> str:
    """Send or store the message with the configured backend; return where it went."""
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "file":
        return _write_eml(message)
    if backend == "smtp":
        return _send_smtp(message)
    raise ValueError(f"Unknown MAIL_BACKEND {backend!r}")


def _write_eml(message: EmailMessage) -> str:
    folder = Path(current_app.config["MAIL_FILE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{formatdate(usegmt=True)[5:25].replace(' ', '-').replace(':', '')}-{uuid.uuid4().hex[:12]}.eml"
    partial = final.with_suffix(".tmp")
    partial.write_bytes(message.as_bytes())
    partial.rename(final)  # readers never see a half-written message
    return str(final)


def _send_smtp(message: EmailMessage) -> str:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SMTP_HOST"], config["MAIL_SMTP_PORT"], timeout=30) as smtp:
        if config["MAIL_SMTP_STARTTLS"]:
            smtp.starttls()
        if config["MAIL_SMTP_USER"]:
            smtp.login(config["MAIL_SMTP_USER"], config["MAIL_SMTP_PASSWORD"] or "")
        smtp.send_message(message)
    return f"smtp://{config['MAIL_SMTP_HOST']}"
