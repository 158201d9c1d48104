"""Worker entry point: `celery -A workers.celery_app worker` and `celery -A workers.celery_app beat`."""

from __future__ import annotations

from celery.schedules import crontab

from marketplace import create_app
from marketplace.feeds.services.schedule import beat_schedule as feed_beat_schedule
from marketplace.feeds.services.schedule import crontab_from

flask_app = create_app()
celery_app = flask_app.extensions["celery"]

import workers.tasks  # noqa: E402,F401  registers every task on celery_app

celery_app.conf.beat_schedule = {
    "purge-login-attempts": {
        "task": "accounts.purge_login_attempts",
        "schedule": crontab(hour=2, minute=30),
    },
    "procurement-expire-overdue": {
        "task": "procurement.expire_overdue",
        "schedule": crontab_from(flask_app.config["ORDER_EXPIRE_CRON"]),
    },
    "payments-reconcile": {
        "task": "payments.reconcile",
        "schedule": crontab_from(flask_app.config["PAYMENTS_RECONCILE_CRON"]),
    },
    "catalog-mark-expired-validity": {  # after midnight WIB, before the nightly delta feeds (FEEDS_DELTA_CRON)
        "task": "catalog.mark_expired_validity",
        "schedule": crontab(hour=0, minute=5),
    },
    **feed_beat_schedule(flask_app.config),
}
