"""Catalog work in the background: resized versions of product images, and products whose price validity ended
marked for the feeds."""

from __future__ import annotations

from celery import shared_task
from sqlalchemy.exc import OperationalError

from marketplace.catalog.services.media import make_image_sizes as make_sizes
from marketplace.catalog.services.validity import mark_expired_validity as mark_expired


@shared_task(
    name="catalog.make_image_sizes",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def make_image_sizes(image_id: int) -> list[int]:
    """Write the 50/100/300/800 px versions of one uploaded image (idempotent)."""
    return make_sizes(image_id=image_id)


@shared_task(name="catalog.mark_expired_validity", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def mark_expired_validity() -> int:
    """Mark the products whose price validity ended for the next delta feeds (beat: daily); return how many."""
    return mark_expired()
