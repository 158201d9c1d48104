"""The feeds API: ask for a feed (202), follow it, download its file and report; who may do what; openapi.json."""

from __future__ import annotations

import io
import json

import pytest

from marketplace.accounts.models import Role
from marketplace.feeds.models import Feed
from tests.api.conftest import ApiClient, error_of
from tests.factories import CooperativeFactory, user_with_role
from tests.feeds.feed_rows import make_feed, succeeded_feed


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient(client)


@pytest.fixture
def cooperative(db):
    return CooperativeFactory(name="KKMP Gununggedangan")


@pytest.fixture
def manager(cooperative):
    return user_with_role(Role.COOP_MANAGER, cooperative=cooperative)


@pytest.fixture
def operator(db):
    return user_with_role(Role.OPERATOR)


def feed_of(db, feed_id: int) -> Feed:
    return db.session.get(Feed, feed_id)


def test_a_manager_asks_for_a_feed_of_their_cooperative(db, api, cooperative, manager, sent_tasks) -> None:
    response = api.post("/feeds", {"shape": "datafeed", "mode": "delta"}, user=manager)

    assert response.status_code == 202
    body = response.get_json()
    feed = feed_of(db, body["id"])
    assert (feed.cooperative_id, feed.shape, feed.mode, feed.trigger) == (cooperative.id, "datafeed", "delta", "api")
    assert feed.requested_by_id == manager.id
    assert body["status"] == "queued" and body["cooperative_id"] == cooperative.id
    assert body["progress"] == {"processed_rows": 0, "total_rows": 0, "percent": 0}
    assert body["status_url"] == f"http://localhost/api/v1/feeds/{feed.id}"
    assert body["download_url"] is None and body["report_url"] is None
    assert sent_tasks == [("feeds.build", {"feed_id": feed.id})]


def test_the_mode_defaults_to_full_and_the_cooperative_may_be_named(db, api, cooperative, manager) -> None:
    body = api.post("/feeds", {"cooperative_id": cooperative.id, "shape": "csv"}, user=manager).get_json()
    assert feed_of(db, body["id"]).mode == "full" and body["mode"] == "full"


def test_a_manager_cannot_ask_for_another_cooperative_or_all(db, api, manager, sent_tasks) -> None:
    other = CooperativeFactory()
    response = api.post("/feeds", {"cooperative_id": other.id, "shape": "csv", "mode": "full"}, user=manager)
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    response = api.post("/feeds", {"cooperative_id": None, "shape": "csv"}, user=manager)
    assert response.status_code == 202
    assert feed_of(db, response.get_json()["id"]).cooperative_id == manager.cooperative_id  # their own, never all
    assert len(sent_tasks) == 1


def test_an_operator_asks_for_all_cooperatives_or_one(db, api, cooperative, operator) -> None:
    everything = api.post("/feeds", {"shape": "xlsx", "mode": "full"}, user=operator)
    assert everything.status_code == 202 and everything.get_json()["cooperative_id"] is None
    one = api.post("/feeds", {"cooperative_id": cooperative.id, "shape": "xlsx"}, user=operator)
    assert one.get_json()["cooperative_id"] == cooperative.id
    missing = api.post("/feeds", {"cooperative_id": 999999, "shape": "xlsx"}, user=operator)
    assert missing.status_code == 404


def test_invalid_requests_name_the_field(api, manager, sent_tasks) -> None:
    response = api.post("/feeds", {"shape": "pdf", "mode": "sometimes"}, user=manager)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"shape", "mode"}
    response = api.post("/feeds", {"mode": "full", "extra": 1}, user=manager)
    assert set(error_of(response)["fields"]) == {"shape", "extra"}
    assert sent_tasks == []


def test_only_managers_and_operators_use_feeds(api, cooperative) -> None:
    seller = user_with_role(Role.SELLER, cooperative=cooperative)
    feed = succeeded_feed(cooperative.id)
    assert api.post("/feeds", {"shape": "csv"}, user=seller).status_code == 403
    assert api.post("/feeds", {"shape": "csv"}).status_code == 401
    for path in (f"/feeds/{feed.id}", f"/feeds/{feed.id}/download", f"/feeds/{feed.id}/report"):
        assert api.get(path, user=seller).status_code == 403
        assert api.get(path).status_code == 401


def test_a_feed_with_its_progress_and_counts(api, cooperative, manager) -> None:
    running = make_feed(cooperative.id, status="running", total_rows=400, processed_rows=100)
    body = api.get(f"/feeds/{running.id}", user=manager).get_json()
    assert body["status"] == "running"
    assert body["progress"] == {"processed_rows": 100, "total_rows": 400, "percent": 25}
    assert body["download_url"] is None

    done = succeeded_feed(cooperative.id, product_count=9, withdrawn_count=2, error_count=1, warning_count=3)
    body = api.get(f"/feeds/{done.id}", user=manager).get_json()
    assert {key: body[key] for key in ("product_count", "withdrawn_count", "error_count", "warning_count")} == {
        "product_count": 9, "withdrawn_count": 2, "error_count": 1, "warning_count": 3,
    }  # fmt: skip
    assert body["sha256"] == "ab" * 32 and body["filename"] == done.filename and body["duration_ms"] == 75_000
    assert body["download_url"] == f"http://localhost/api/v1/feeds/{done.id}/download"
    assert body["report_url"] == f"http://localhost/api/v1/feeds/{done.id}/report"
    assert body["snapshot_at"].startswith("2026-11-28T01:00:00")

    failed = make_feed(cooperative.id, status="failed", failure="Disk full")
    assert api.get(f"/feeds/{failed.id}", user=manager).get_json()["failure"] == "Disk full"


def test_downloads_stream_the_file_and_the_report(api, cooperative, manager) -> None:
    content = json.dumps({"total": 1, "produk": [{"informasi": {"nama_produk": "Beras 🍚"}}]}).encode()
    feed = succeeded_feed(cooperative.id, shape="datafeed", content=content, report=[("A-1", "peringatan", "x", "y")])

    response = api.get(f"/feeds/{feed.id}/download", user=manager)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_data() == content and response.headers["Content-Length"] == str(len(content))
    assert response.headers["Content-Disposition"] == f"attachment; filename={feed.filename}"

    report = api.get(f"/feeds/{feed.id}/report", user=manager)
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert report.get_data().startswith("\ufeffno_produk_penyedia,tingkat,kolom,pesan\r\n".encode())
    assert b"A-1,peringatan,x,y" in report.get_data()


def test_downloads_wait_for_success(api, cooperative, manager) -> None:
    queued = make_feed(cooperative.id)
    for suffix in ("download", "report"):
        response = api.get(f"/feeds/{queued.id}/{suffix}", user=manager)
        assert response.status_code == 409 and error_of(response)["code"] == "conflict"


def test_another_cooperatives_feed_and_parts_are_not_found(api, cooperative, manager, operator) -> None:
    foreign = succeeded_feed(CooperativeFactory().id)
    combined = succeeded_feed(None)
    part = succeeded_feed(cooperative.id, parent_id=combined.id)
    for feed in (foreign, combined, part):
        for suffix in ("", "/download", "/report"):
            assert api.get(f"/feeds/{feed.id}{suffix}", user=manager).status_code == 404
    assert api.get(f"/feeds/{combined.id}", user=operator).status_code == 200
    assert api.get(f"/feeds/{part.id}", user=operator).status_code == 404


def test_a_real_feed_through_the_api(db, api, feed_catalog, run_tasks) -> None:
    created = api.post("/feeds", {"shape": "datafeed", "mode": "full"}, user=feed_catalog.manager).get_json()
    run_tasks()
    body = api.get(f"/feeds/{created['id']}", user=feed_catalog.manager).get_json()
    assert body["status"] == "succeeded", body["failure"]
    assert body["progress"]["percent"] == 100
    document = json.load(io.BytesIO(api.get(f"/feeds/{created['id']}/download", user=feed_catalog.manager).get_data()))
    skus = [product["informasi"]["no_produk_penyedia"] for product in document["produk"]]
    assert feed_catalog.sku("beras") in skus and feed_catalog.sku("expired") not in skus
    assert document["total"] == len(document["produk"]) == body["product_count"]


def test_the_feed_routes_are_in_openapi(api) -> None:
    document = api.get("/openapi.json").get_json()
    paths = document["paths"]
    create = paths["/api/v1/feeds"]["post"]
    assert set(create["responses"]) >= {"202", "401", "403", "409", "422"}
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FeedRequestIn"
    }
    schema = document["components"]["schemas"]["FeedRequestIn"]
    assert schema["required"] == ["shape"]
    assert set(paths["/api/v1/feeds/{feed_id}"]["get"]["responses"]) >= {"200", "404"}
    download = paths["/api/v1/feeds/{feed_id}/download"]["get"]["responses"]["200"]["content"]
    assert set(download) == {"application/json", "application/zip", files_xlsx()}
    assert download["application/zip"]["schema"] == {"type": "string", "format": "binary"}
    report = paths["/api/v1/feeds/{feed_id}/report"]["get"]["responses"]
    assert set(report["200"]["content"]) == {"text/csv; charset=utf-8"} and "409" in report


def files_xlsx() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
