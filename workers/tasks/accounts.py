"""Account housekeeping."""

from __future__ import annotations

from celery import shared_task

from marketplace.accounts.throttle import purge_old_attempts


@shared_task(name="accounts.purge_login_attempts")
def purge_login_attempts() -> int:
    """Delete sign-in attempts older than the retention period."""
    return purge_old_attempts()
