"""In a real browser: a cooperative's manager asks for a feed, watches its progress bar reach 100 % without reloading
the page, then downloads the file and reads the validation report. The worker's work (the real `build_feed`) is
done by the test, which waits at each progress report until the page has shown it."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.feeds import columns
from marketplace.feeds.models import Feed
from marketplace.feeds.services.build import build_feed
from tests.browser.conftest import browser_context, live_server, page, playwright  # noqa: F401
from tests.factories import PASSWORD
from tests.feeds.conftest import build_feed_catalog

pytestmark = pytest.mark.browser


def sign_in(tab: Page, live_server, email: str) -> None:  # noqa: F811
    tab.goto(live_server("/masuk"))
    tab.fill("input[name=email]", email)
    tab.fill("input[name=password]", PASSWORD)
    tab.locator("main form button[type=submit]").click()
    expect(tab.locator("form[action='/keluar']")).to_be_visible()


def test_request_watch_the_progress_and_download(app, live_server, page: Page, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setitem(app.config, "FEEDS_PROGRESS_EVERY", 2)  # several progress reports for a small catalog
    with app.app_context():
        catalog = build_feed_catalog()
        catalog.manager.locale = "en"
        db.session.commit()
        email, exported = catalog.manager.email, [catalog.sku(key) for key in catalog.exported_keys]
        expired = catalog.sku("expired")

    sign_in(page, live_server, email)
    page.locator("nav.mainnav a", has_text="e-Katalog feed").click()
    expect(page.locator("h1")).to_contain_text("e-Katalog feed")
    page.check("input[name=shape][value=csv]")
    page.check("input[name=mode][value=full]")
    page.locator("[data-feed-request] button[type=submit]").click()

    expect(page.locator("#progress h2 [data-when-status=queued]")).to_have_text("Waiting for a worker…")
    expect(page.locator("#progress h2 [data-when-status=running]")).to_be_hidden()
    feed_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    page.evaluate("window.stillTheSamePage = true")
    seen: list[tuple[int, int]] = []

    def shown_on_the_page(processed: int, total: int) -> None:
        """Called by the build after each committed progress report: wait until the page has polled it."""
        if processed == 0:
            return
        percent = processed * 100 // total
        page.wait_for_function(
            "([processed, percent]) => document.querySelector('[data-feed-progress] progress').value === processed"
            " && document.querySelector('[data-field=percent]').textContent === String(percent)",
            arg=[processed, percent],
        )
        assert page.evaluate("window.stillTheSamePage") is True  # moved without reloading
        expect(page.locator("#progress h2 [data-when-status=running]")).to_have_text("Building the feed…")
        expect(page.locator("#progress h2 [data-when-status=queued]")).to_be_hidden()
        seen.append((processed, percent))

    with app.app_context():
        feed = build_feed(feed_id, on_progress=shown_on_the_page)
        assert feed.status == "succeeded", feed.failure
        total = feed.total_rows
    assert len(seen) >= 3 and seen[-1] == (total, 100)

    # Finished: the page reloads once by itself and shows the result.
    expect(page.locator(".badge[data-status=succeeded]")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage === undefined")
    expect(page.locator("[data-count=products]")).to_have_text(str(len(exported)))
    expect(page.locator("[data-count=errors]")).to_have_text("1")

    with page.expect_download() as download_info:
        page.locator("a[data-download=file]").click()
    download = download_info.value
    with app.app_context():
        assert download.suggested_filename == db.session.get(Feed, feed_id).filename
    archive = zipfile.ZipFile(download.path())
    produk = next(name for name in archive.namelist() if name.endswith("_produk.csv"))
    rows = list(csv.reader(io.StringIO(archive.read(produk).decode("utf-8-sig"))))
    assert rows[0] == list(columns.PRODUK.keys)
    assert [row[0] for row in rows[1:]] == exported

    page.locator("a[data-download=report-page]").click()
    expect(page.locator("h1")).to_have_text("Validation report")
    expect(page.locator(f"tr[data-sku='{expired}'][data-level=kesalahan]")).to_be_visible()

    page.goto(live_server("/koperasi/feed"))
    expect(page.locator(f"tr[data-feed-id='{feed_id}'] .badge")).to_have_text("Succeeded")
