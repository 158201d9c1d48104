"""The feed spec's checks of a record before it enters a feed: the same rules and messages as the cooperative's
review (`catalog.quality.check_facts`), run on `FeedRecord`s, which carry the same facts.

Withdrawn records are not checked: they only tell e-Katalog to remove the product.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date

from flask_babel import force_locale, get_domain

from marketplace.catalog.quality import ERROR, WARNING, Issue, check_facts
from marketplace.feeds.records import FeedRecord

__all__ = ["ERROR", "WARNING", "Issue", "catalog_translator", "check_record", "is_duplicate"]


def is_duplicate(record: FeedRecord, duplicate_skus: Collection[str]) -> bool:
    """Whether another published product of the record's cooperative uses its SKU (`duplicate_skus` holds the
    lower-cased, trimmed SKUs used more than once, from `catalog.quality.duplicate_skus`)."""
    return bool(duplicate_skus) and record.sku.strip().lower() in duplicate_skus


def check_record(
    record: FeedRecord,
    *,
    today: date,
    duplicate_skus: Collection[str],
    translate: Callable[[str], str] | None = None,
) -> list[Issue]:
    """Every error and warning of the feed spec for the record, errors first; none for a withdrawn record.

    Messages are in the current locale, or looked up with `translate` (see `catalog_translator`).
    """
    if not record.is_active:
        return []
    return check_facts(record, today=today, is_duplicate=is_duplicate(record, duplicate_skus), translate=translate)


def catalog_translator(locale: str) -> Callable[[str], str]:
    """The message lookup of one locale's catalog, taken once: cheaper per message than `gettext`, which finds the
    locale and catalog again on each call."""
    with force_locale(locale):
        return get_domain().get_translations().ugettext
