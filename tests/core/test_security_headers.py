"""No response of the app may be framed by another site: `frame-ancestors 'none'` and `X-Frame-Options: DENY` on
pages, errors, redirects, static files and the API; a route's own Content-Security-Policy is kept."""

from __future__ import annotations

import pytest

from marketplace.catalog.views.media import PRIVATE_CACHE, _send
from marketplace.core.security import with_frame_ancestors
from marketplace.core.storage import storage


def assert_not_framable(response) -> None:
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "url",
    ["/", "/masuk", "/halaman-yang-tidak-ada", "/static/app.css", "/wilayah", "/api/v1/me", "/lang/en?next=/masuk"],
    ids=["home", "sign-in", "not-found", "static", "json", "api-error", "redirect"],
)
def test_every_kind_of_response_forbids_framing(client, url) -> None:
    response = client.get(url, buffered=True)
    assert response.status_code in (200, 302, 401, 404)
    assert_not_framable(response)
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_a_file_download_keeps_its_own_policy_and_forbids_framing(app, db) -> None:
    storage().save("security-test/proof.pdf", b"%PDF-1.7\n")
    try:
        with app.test_request_context("/media/lampiran/1"):
            response = app.process_response(_send("security-test/proof.pdf", "application/pdf", PRIVATE_CACHE))
            response.close()
    finally:
        storage().delete("security-test/proof.pdf")
    assert_not_framable(response)
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox; frame-ancestors 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("policy", "merged"),
    [
        (None, "frame-ancestors 'none'"),
        ("", "frame-ancestors 'none'"),
        ("default-src 'none'; sandbox", "default-src 'none'; sandbox; frame-ancestors 'none'"),
        ("default-src 'self';", "default-src 'self'; frame-ancestors 'none'"),
        ("default-src 'self'; frame-ancestors 'self'", "default-src 'self'; frame-ancestors 'self'"),
        ("Frame-Ancestors 'none'", "Frame-Ancestors 'none'"),
    ],
)
def test_frame_ancestors_is_merged_into_a_policy_once(policy, merged) -> None:
    assert with_frame_ancestors(policy) == merged
