"""Export orders as the OCDS feed: the release package (`writers.ocds`) and its report.

The report is the feeds' CSV (`no_produk_penyedia, tingkat, kolom, pesan`) with the order number in the first
column: warnings about what an order's OCDS data lacks (`procurement.ocds.problems_of`); the orders are always
written. The releases themselves follow the OCDS 1.1 schema by construction (the tests validate packages against
it), so the report lists no schema error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale

from marketplace.feeds.display import feed_download_url
from marketplace.feeds.export import REPORT_LOCALE, ExportResult
from marketplace.feeds.models import Feed
from marketplace.feeds.validation import WARNING
from marketplace.feeds.writers import open_report
from marketplace.feeds.writers.ocds import ReleasePackageWriter, package_head
from marketplace.procurement.ocds import PUBLISHER_NAME, OrderFacts, iso, problems_of, releases_for

#: Progress is reported after this many orders (and at the end).
PROGRESS_EVERY = 200


def feed_package_head(feed: Feed) -> dict[str, Any]:
    """The package metadata of an OCDS feed: its download address, its snapshot moment, the marketplace."""
    return package_head(
        uri=feed_download_url(feed),
        published_date=iso(feed.snapshot_at),
        publisher={"name": PUBLISHER_NAME, "uri": current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/"},
    )


def export_orders(
    orders: Iterable[OrderFacts],
    *,
    file_path: Path,
    report_path: Path,
    head: Mapping[str, Any],
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> ExportResult:
    """Write the releases of `orders` as a release package at `file_path` (metadata `head`, see
    `writers.ocds.package_head`) and their report at `report_path`; `product_count` counts the orders written."""
    result = ExportResult()
    prefix = current_app.config["OCDS_OCID_PREFIX"]
    with ReleasePackageWriter(file_path, head=head) as writer, open_report(report_path) as report:
        for facts in orders:
            for release in releases_for(facts, prefix=prefix):
                writer.write(release)
            problems = problems_of(facts.order)
            if problems:
                with force_locale(REPORT_LOCALE):
                    for problem in problems:
                        report.write_row(facts.order.number, WARNING, problem.field, str(problem.message))
                result.warning_count += len(problems)
            result.product_count += 1
            result.processed += 1
            if on_progress is not None and result.processed % progress_every == 0:
                on_progress(result.processed)
    if on_progress is not None and result.processed % progress_every:
        on_progress(result.processed)
    return result
