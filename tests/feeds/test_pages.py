"""The feed pages: a cooperative's feeds (managers and operators), all cooperatives (operators), one feed with its
progress (page and JSON), downloads, the validation report, retry, the datafeed key, and the columns page."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.core.audit import AuditEvent
from marketplace.feeds import columns
from marketplace.feeds.models import Feed
from tests.factories import CooperativeFactory, user_with_role
from tests.feeds.feed_rows import make_feed, succeeded_feed


@pytest.fixture
def cooperative(db):
    return CooperativeFactory(name="KKMP Gununggedangan", code="kkmp-gununggedangan")


@pytest.fixture
def manager(cooperative):
    return user_with_role(Role.COOP_MANAGER, cooperative=cooperative, full_name="Pak Pengurus")


@pytest.fixture
def operator(db):
    return user_with_role(Role.OPERATOR, full_name="Bu Operator")


@pytest.fixture
def other_cooperative(db):
    return CooperativeFactory(name="KKMP Lain")


def english(client) -> None:
    client.get("/lang/en")


def text_of(response) -> str:
    return response.get_data(as_text=True)


def feed_rows(page: str) -> list[str]:
    return re.findall(r'<tr data-feed-id="(\d+)"', page)


# The cooperative's page ---------------------------------------------------------------------------------------------


def test_the_manager_sees_the_cooperatives_feeds_form_and_datafeed(
    app, client, cooperative, other_cooperative, manager, login_as
) -> None:
    done = succeeded_feed(cooperative.id, product_count=7, withdrawn_count=1, error_count=2, warning_count=3)
    running = make_feed(
        cooperative.id, shape="datafeed", mode="delta", status="running", total_rows=40, processed_rows=10
    )
    failed = make_feed(cooperative.id, shape="xlsx", status="failed", failure="disk full")
    foreign = succeeded_feed(other_cooperative.id)
    combined = make_feed(None)
    login_as(manager)
    english(client)

    page = text_of(client.get("/koperasi/feed"))

    assert feed_rows(page) == [str(failed.id), str(running.id), str(done.id)]  # newest first, only its own
    assert str(foreign.id) not in feed_rows(page) and str(combined.id) not in feed_rows(page)
    row = page.split(f'data-feed-id="{done.id}"')[1].split("</tr>")[0]
    assert '<td class="num" data-count="products">7' in row and "1 withdrawn" in row
    assert 'data-count="errors">2<' in row and 'data-count="warnings">3<' in row
    assert "1 min 15 s" in row and f'title="{"ab" * 32}"' in row
    assert f'href="/feed/{done.id}/unduh"' in row and f'href="/feed/{done.id}/laporan"' in row
    running_row = page.split(f'data-feed-id="{running.id}"')[1].split("</tr>")[0]
    assert f'data-status-url="/feed/{running.id}/status"' in running_row and 'value="10"' in running_row
    assert "feed-progress.js" in page
    assert 'name="shape"' in page and 'value="datafeed"' in page and 'name="mode"' in page
    assert 'action="/koperasi/feed"' in page
    expected_url = app.config["PUBLIC_BASE_URL"].rstrip("/") + "/lkpp/v1/all_produk"
    assert f'<code class="secret" data-datafeed-url>{expected_url}</code>' in page
    assert cooperative.datafeed_key[-4:] in page and 'action="/koperasi/feed/kunci-datafeed"' in page
    assert 'href="/koperasi/feed"' in text_of(client.get("/"))  # in the menu


def test_the_latest_datafeed_is_named_on_the_page(client, cooperative, manager, login_as) -> None:
    login_as(manager)
    english(client)
    assert "nothing yet: build a datafeed (JSON) feed first." in text_of(client.get("/koperasi/feed"))
    datafeed = succeeded_feed(cooperative.id, shape="datafeed", product_count=12)
    page = text_of(client.get("/koperasi/feed"))
    served = page.split("data-latest-datafeed>")[1].split("</dd>")[0]
    assert f'href="/feed/{datafeed.id}"' in served and "12 products" in served


def test_a_manager_requests_a_feed(db, client, cooperative, manager, login_as, sent_tasks) -> None:
    login_as(manager)
    response = client.post_form("/koperasi/feed", {"shape": "xlsx", "mode": "delta"})

    feed = db.session.scalars(select(Feed).where(Feed.cooperative_id == cooperative.id)).one()
    assert response.status_code == 302 and response.location == f"/feed/{feed.id}"
    assert (feed.shape, feed.mode, feed.status, feed.trigger) == ("xlsx", "delta", "queued", "manual")
    assert feed.requested_by_id == manager.id
    assert sent_tasks == [("feeds.build", {"feed_id": feed.id})]


def test_a_request_with_a_wrong_choice_is_refused_next_to_the_field(db, client, manager, login_as, sent_tasks) -> None:
    login_as(manager)
    english(client)
    response = client.post_form("/koperasi/feed", {"shape": "pdf", "mode": "full"})
    assert response.status_code == 422
    page = text_of(response)
    assert "Please correct the fields marked below." in page and "Not a valid choice." in page
    assert db.session.scalars(select(Feed)).all() == [] and sent_tasks == []


def test_the_manager_replaces_the_datafeed_key_from_the_feed_page(db, client, cooperative, manager, login_as) -> None:
    old_key = cooperative.datafeed_key
    login_as(manager)
    response = client.post_form("/koperasi/feed/kunci-datafeed")
    assert response.status_code == 302 and response.location == "/koperasi/feed#datafeed"
    db.session.refresh(cooperative)
    assert cooperative.datafeed_key != old_key and cooperative.datafeed_key_rotated_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "cooperative.datafeed_key_rotate")).one()
    assert event.actor_id == manager.id and old_key not in str(event.before) + str(event.after)


# Operators ------------------------------------------------------------------------------------------------------------


def test_the_operator_page_lists_combined_feeds_and_finds_cooperatives(
    client, cooperative, other_cooperative, operator, login_as
) -> None:
    combined = succeeded_feed(None, product_count=300)
    single = succeeded_feed(cooperative.id)
    login_as(operator)
    english(client)

    page = text_of(client.get("/operator/feed"))
    assert feed_rows(page) == [str(combined.id)] and str(single.id) not in feed_rows(page)
    assert 'action="/operator/feed"' in page and "Build a feed of all cooperatives" in page
    assert f'href="/operator/koperasi/{cooperative.id}/feed"' in page
    assert f'href="/operator/koperasi/{other_cooperative.id}/feed"' in page

    found = text_of(client.get("/operator/feed?q=gununggedangan"))
    assert f'href="/operator/koperasi/{cooperative.id}/feed"' in found
    assert f'href="/operator/koperasi/{other_cooperative.id}/feed"' not in found
    assert 'href="/operator/feed"' in text_of(client.get("/"))  # in the menu


def test_an_operator_requests_a_feed_of_all_cooperatives(db, client, operator, login_as, sent_tasks) -> None:
    login_as(operator)
    response = client.post_form("/operator/feed", {"shape": "csv", "mode": "full"})
    feed = db.session.scalars(select(Feed)).one()
    assert response.status_code == 302 and response.location == f"/feed/{feed.id}"
    assert feed.cooperative_id is None and feed.requested_by_id == operator.id
    assert sent_tasks == [("feeds.build", {"feed_id": feed.id})]


def test_an_operator_works_on_one_cooperative(db, client, cooperative, operator, login_as) -> None:
    mine = succeeded_feed(cooperative.id)
    login_as(operator)
    page = text_of(client.get(f"/operator/koperasi/{cooperative.id}/feed"))
    assert feed_rows(page) == [str(mine.id)]
    assert f'action="/operator/koperasi/{cooperative.id}/feed"' in page
    assert f'action="/operator/koperasi/{cooperative.id}/feed/kunci-datafeed"' in page

    response = client.post_form(f"/operator/koperasi/{cooperative.id}/feed", {"shape": "datafeed", "mode": "full"})
    feed = db.session.scalars(select(Feed).where(Feed.id != mine.id)).one()
    assert response.location == f"/feed/{feed.id}" and feed.cooperative_id == cooperative.id

    old_key = cooperative.datafeed_key
    response = client.post_form(f"/operator/koperasi/{cooperative.id}/feed/kunci-datafeed")
    assert response.location == f"/operator/koperasi/{cooperative.id}/feed#datafeed"
    db.session.refresh(cooperative)
    assert cooperative.datafeed_key != old_key
    assert client.get("/operator/koperasi/999999/feed").status_code == 404


# One feed -------------------------------------------------------------------------------------------------------------


def test_a_queued_feed_shows_a_progress_bar_and_its_json(client, cooperative, manager, login_as) -> None:
    feed = make_feed(cooperative.id, status="running", total_rows=200, processed_rows=50)
    login_as(manager)
    english(client)
    page = text_of(client.get(f"/feed/{feed.id}"))
    assert '<span data-when-status="running">Building the feed…</span>' in page
    assert '<span data-when-status="queued" hidden>Waiting for a worker…</span>' in page
    assert 'max="200" value="50"' in page and '50</span> of <span data-field="total">200</span> products' in page
    assert f'data-status-url="/feed/{feed.id}/status"' in page and "feed-progress.js" in page
    assert '<meta http-equiv="refresh"' in page  # inside <noscript>, for browsers without JavaScript

    status = client.get(f"/feed/{feed.id}/status")
    assert status.headers["Cache-Control"] == "no-store"
    body = status.get_json()
    assert (body["status"], body["processed"], body["total"], body["percent"]) == ("running", 50, 200, 25)


def test_a_succeeded_feed_shows_its_result(client, cooperative, manager, login_as) -> None:
    feed = succeeded_feed(cooperative.id, product_count=8, error_count=1, warning_count=4, byte_size=2_500_000)
    login_as(manager)
    english(client)
    page = text_of(client.get(f"/feed/{feed.id}"))
    assert 'data-count="products">8<' in page and 'data-count="errors">1<' in page
    assert 'data-count="warnings">4<' in page
    assert f'<code class="secret" data-sha256>{"ab" * 32}</code>' in page
    assert feed.filename in page and "feed-progress.js" not in page
    assert f'href="/feed/{feed.id}/unduh"' in page and f'href="/feed/{feed.id}/laporan.csv"' in page
    assert "2026-11-28 08:01:15 WIB" in page  # finished, in WIB
    assert 'href="/koperasi/feed"' in page


def test_a_failed_feed_says_why_and_can_be_tried_again(db, client, cooperative, manager, login_as, sent_tasks) -> None:
    feed = make_feed(cooperative.id, status="failed", failure="The storage is full.")
    login_as(manager)
    english(client)
    page = text_of(client.get(f"/feed/{feed.id}"))
    assert "The storage is full." in page and f'action="/feed/{feed.id}/ulangi"' in page

    response = client.post_form(f"/feed/{feed.id}/ulangi")
    assert response.location == f"/feed/{feed.id}"
    db.session.refresh(feed)
    assert feed.status == "queued" and feed.failure is None
    assert sent_tasks == [("feeds.build", {"feed_id": feed.id})]

    again = client.post_form(f"/feed/{feed.id}/ulangi", follow_redirects=True)
    assert "Only a failed feed can be tried again." in text_of(again)
    assert len(sent_tasks) == 1


def test_downloads_stream_the_stored_file_and_report(client, cooperative, manager, login_as) -> None:
    content = b"PK\x03\x04" + bytes(range(256)) * 2000
    feed = succeeded_feed(cooperative.id, content=content, report=[("SKU-1", "kesalahan", "kbki_id", "KBKI salah")])
    login_as(manager)

    response = client.get(f"/feed/{feed.id}/unduh")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == f"attachment; filename={feed.filename}"
    assert response.headers["Content-Length"] == str(len(content))
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.is_streamed and response.get_data() == content

    report = client.get(f"/feed/{feed.id}/laporan.csv")
    assert report.mimetype == "text/csv" and report.mimetype_params == {"charset": "utf-8"}
    assert report.headers["Content-Disposition"] == "attachment; filename=uji_csv_full_20261128T010000Z_laporan.csv"
    rows = list(csv.reader(io.StringIO(report.get_data().decode("utf-8-sig"))))
    assert rows == [
        ["no_produk_penyedia", "tingkat", "kolom", "pesan"],
        ["SKU-1", "kesalahan", "kbki_id", "KBKI salah"],
    ]


def test_nothing_to_download_before_the_feed_succeeded_or_after_its_file_is_gone(
    client, cooperative, manager, login_as
) -> None:
    running = make_feed(cooperative.id, status="running")
    login_as(manager)
    english(client)
    for url in (f"/feed/{running.id}/unduh", f"/feed/{running.id}/laporan.csv", f"/feed/{running.id}/laporan"):
        response = client.get(url)
        assert response.status_code == 409, url
        assert "can be downloaded once it has succeeded" in text_of(response)

    gone = succeeded_feed(cooperative.id)
    gone.storage_key = f"tests/{gone.id}/removed.zip"
    assert client.get(f"/feed/{gone.id}/unduh").status_code == 404


def test_the_report_page_shows_the_rows_a_page_at_a_time(client, cooperative, manager, login_as) -> None:
    problems = [(f"SKU-{n:03d}", "peringatan", "kuantitas_stok", f"Stok 0 ({n})") for n in range(1, 46)]
    problems.insert(3, ("SKU-X", "kesalahan", "berlaku_sampai", 'Harga "kedaluwarsa", <b>diperbarui</b>'))
    feed = succeeded_feed(cooperative.id, report=problems, error_count=1, warning_count=45)
    login_as(manager)
    english(client)

    first = text_of(client.get(f"/feed/{feed.id}/laporan"))
    assert len(re.findall(r'<tr data-sku="', first)) == 20
    assert 'data-sku="SKU-X" data-level="kesalahan"' in first and "<td>Error</td>" in first
    assert "Harga &#34;kedaluwarsa&#34;, &lt;b&gt;diperbarui&lt;/b&gt;" in first  # escaped
    assert "Page 1 of 3" in first
    assert re.search(r'href="/feed/\d+/laporan\?page=2" rel="next"', first)

    last = text_of(client.get(f"/feed/{feed.id}/laporan?page=3"))
    assert re.findall(r'<tr data-sku="([^"]+)"', last) == [f"SKU-{n:03d}" for n in range(40, 46)]

    errors = text_of(client.get(f"/feed/{feed.id}/laporan?tingkat=kesalahan"))
    assert re.findall(r'<tr data-sku="([^"]+)"', errors) == ["SKU-X"]
    assert re.search(r'data-level="kesalahan" aria-current="page">Error <span class="count">1</span>', errors)
    assert re.search(r'data-level="peringatan">Warning <span class="count">45</span>', errors)


def test_an_empty_report_says_so(client, cooperative, manager, login_as) -> None:
    feed = succeeded_feed(cooperative.id)
    login_as(manager)
    english(client)
    assert "No problem was found: every product went into the feed." in text_of(client.get(f"/feed/{feed.id}/laporan"))


def test_another_cooperatives_feed_is_not_found(
    client, cooperative, other_cooperative, manager, operator, login_as
) -> None:
    foreign = succeeded_feed(other_cooperative.id)
    combined = succeeded_feed(None)
    part = succeeded_feed(cooperative.id, parent_id=combined.id)
    login_as(manager)
    for feed in (foreign, combined, part):
        for suffix in ("", "/status", "/unduh", "/laporan", "/laporan.csv"):
            assert client.get(f"/feed/{feed.id}{suffix}").status_code == 404, (feed.id, suffix)
        assert client.post_form(f"/feed/{feed.id}/ulangi").status_code == 404
    assert client.get(f"/feed/{foreign.id}/status").get_json()["error"]["code"] == "not_found"

    login_as(operator)
    for feed in (foreign, combined):
        assert client.get(f"/feed/{feed.id}").status_code == 200
        assert client.get(f"/feed/{feed.id}/unduh").status_code == 200
    assert client.get(f"/feed/{part.id}").status_code == 404  # parts are not feeds of their own


# The whole journey, through the real task ----------------------------------------------------------------------------


def test_request_build_and_download_a_real_feed(db, client, feed_catalog, login_as, run_tasks) -> None:
    login_as(feed_catalog.manager)
    english(client)
    response = client.post_form("/koperasi/feed", {"shape": "csv", "mode": "full"})
    feed_id = int(response.location.rsplit("/", 1)[1])
    assert '<span data-when-status="queued">Waiting for a worker…</span>' in text_of(client.get(response.location))

    run_tasks()
    db.session.expire_all()  # the build ran in the task's own session: read the feed as it left it
    page = text_of(client.get(f"/feed/{feed_id}"))
    feed = db.session.get(Feed, feed_id)
    assert feed.status == "succeeded", feed.failure
    assert f'data-count="products">{len(feed_catalog.exported_keys)}<' in page
    assert 'data-count="errors">1<' in page  # the expired product

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/feed/{feed_id}/unduh").get_data()))
    produk = next(name for name in archive.namelist() if name.endswith("_produk.csv"))
    rows = list(csv.reader(io.StringIO(archive.read(produk).decode("utf-8-sig"))))
    assert rows[0] == list(columns.PRODUK.keys)
    assert [row[0] for row in rows[1:]] == [feed_catalog.sku(key) for key in feed_catalog.exported_keys]

    report = text_of(client.get(f"/feed/{feed_id}/laporan?tingkat=kesalahan"))
    assert f'data-sku="{feed_catalog.sku("expired")}"' in report


# The columns page ---------------------------------------------------------------------------------------------------


def test_the_columns_page_documents_every_column_from_the_one_definition(client) -> None:
    english(client)
    response = client.get("/feed/kolom")
    assert response.status_code == 200  # public: e-Katalog staff and providers read it without an account
    page = text_of(response)
    for sheet in columns.SHEETS:
        section = page.split(f'id="sheet-{sheet.file_suffix}"')[1].split("</table>")[0]
        assert re.findall(r'data-column="([^"]+)"', section) == list(sheet.keys)
        assert f"Sheet “{sheet.name}”" in section
    for datafeed_section in columns.DATAFEED_SECTIONS:
        section = page.split(f'id="datafeed-{datafeed_section.key}"')[1].split("<h3")[0].split("</section>")[0]
        keys = [column.key for column in (*datafeed_section.columns, *datafeed_section.item_columns)]
        assert re.findall(r'data-column="([^"]+)"', section) == keys
    report = page.split('id="report"')[1]
    assert re.findall(r'data-column="([^"]+)"', report) == [column.key for column in columns.REPORT_COLUMNS]
    assert str(columns.KBKI.description) in page and "At most 50 characters." in page
    assert "/lkpp/v1/updated_produk?secretkey=" in page
