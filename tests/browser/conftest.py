"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live server on committed data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.support.live_server import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Remember each phase's outcome on the item, so the page fixture can keep a screenshot of a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


#: The one Playwright driver of the run. Test modules elsewhere import these fixtures, which gives them their own
#: session-scoped copies; a second sync driver in the same thread fails, so every copy shares this one.
_DRIVER: list = []


@pytest.fixture(scope="session")
def playwright() -> Iterator:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    if not _DRIVER:
        _DRIVER.append(sync_playwright().start())
    yield _DRIVER[0]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the shared Playwright driver once every test has run."""
    if _DRIVER:
        _DRIVER.pop().stop()


@pytest.fixture
def live_server(app: Flask, committed_db) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def browser_context(playwright, tmp_path: Path) -> Iterator:
    """A fresh Chromium profile (temporary user-data-dir) per test."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
    )
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser_context, request: pytest.FixtureRequest) -> Iterator:
    """The browser tab; on failure its screenshot goes to test-artifacts/."""
    tab = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
