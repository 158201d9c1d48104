"""Payments in the background: the daily reconciliation of card payments Stripe left processing."""

from __future__ import annotations

import logging

from celery import shared_task

from marketplace.payments.services.reconcile import reconcile as reconcile_payments

logger = logging.getLogger(__name__)


@shared_task(name="payments.reconcile")
def reconcile() -> int:
    """Apply Stripe's real status to card payments processing for over an hour (beat: PAYMENTS_RECONCILE_CRON);
    return how many changed."""
    changed = reconcile_payments()
    for payment, old, new in changed:
        logger.info("payment %s reconciled: %s → %s", payment.id, old, new)
    return len(changed)
