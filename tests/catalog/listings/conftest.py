"""The listing page tests use the catalog fixtures of tests/catalog/conftest.py.

Browser tests (marked `browser`) reuse the Chromium fixtures of tests/browser.
"""

from tests.browser.conftest import browser_context, live_server, page, playwright  # noqa: F401
