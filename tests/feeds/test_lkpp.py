"""The datafeed e-Katalog pulls at /lkpp/v1: key check, paging, date ranges, one product, which snapshot is served."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.cooperatives.services import rotate_datafeed_key
from marketplace.core.timeutil import to_jakarta, utcnow
from marketplace.extensions import db
from marketplace.feeds.models import DatafeedItem, Feed
from tests.factories import CooperativeFactory, user_with_role
from tests.support.statements import recorded_statements

PREFIX = "/lkpp/v1"
TODAY = to_jakarta(utcnow()).date()


def document(sku: str, *, active: bool = True, name: str | None = None) -> str:
    """A product document as stored: JSON text in a layout of its own (spaces, ASCII escapes), so a test can tell
    whether the answer passed it through or parsed and re-serialised it."""
    informasi = {"no_produk_penyedia": sku, "nama_produk": name or f"Produk {sku}", "produk_aktif": int(active)}
    return json.dumps({"informasi": informasi, "harga": {"harga_pemerintah": 72500}}, ensure_ascii=True, indent=1)


def snapshot(
    cooperative,
    items: list[tuple[str, bool, date]],
    *,
    status: str = "succeeded",
    shape: str = "datafeed",
    snapshot_at: datetime | None = None,
    parent: Feed | None = None,
) -> Feed:
    """A feed of the cooperative with snapshot items (sku, active, updated_on) at positions 1, 2, 3…"""
    feed = Feed(
        cooperative_id=cooperative.id,
        shape=shape,
        mode="full",
        status=status,
        snapshot_at=snapshot_at or utcnow(),
        parent_id=parent.id if parent else None,
    )
    db.session.add(feed)
    db.session.flush()
    db.session.add_all(
        DatafeedItem(
            feed_id=feed.id,
            position=position,
            sku=sku,
            is_active=active,
            updated_on=updated_on,
            document=document(sku, active=active),
        )
        for position, (sku, active, updated_on) in enumerate(items, start=1)
    )
    db.session.flush()
    return feed


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


@pytest.fixture
def cooperative(db):
    return CooperativeFactory()


@pytest.fixture
def served(cooperative) -> Feed:
    """Five products: two changed 3 days ago (one withdrawn since), two yesterday, one today."""
    return snapshot(
        cooperative,
        [("A-1", True, day(-3)), ("A-2", False, day(-3)), ("B-1", True, day(-1)), ("B-2", True, day(-1)),
         ("C-1", True, day(0))],
    )  # fmt: skip


def pull(client, endpoint: str, key: str | None, **params):
    if key is not None:
        params["secretkey"] = key
    return client.get(f"{PREFIX}/{endpoint}", query_string=params)


def skus(response) -> list[str]:
    return [item["informasi"]["no_produk_penyedia"] for item in response.get_json()["produk"]]


def envelope_of(response) -> dict:
    body = response.get_json()
    return {key: body[key] for key in ("total", "current_page", "per_page", "total_page")}


# The key --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["all_produk", "updated_produk", "produk"])
@pytest.mark.parametrize("key", [None, "", "key-wrong", "x" * 65, "bad\x00key"], ids=repr)
def test_missing_or_wrong_key_is_401_and_reveals_nothing(client, cooperative, served, endpoint, key) -> None:
    response = pull(client, endpoint, key, no_produk_penyedia="A-1", page="zero")

    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized" and error["fields"] == {}
    assert cooperative.name not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_every_bad_key_gets_the_same_answer(client, cooperative, served) -> None:
    answers = {pull(client, "all_produk", key).get_data() for key in (None, "nope", cooperative.datafeed_key[:-1])}

    assert len(answers) == 1


def test_a_key_differing_only_in_case_is_refused(client, cooperative, served) -> None:
    assert pull(client, "all_produk", cooperative.datafeed_key.upper()).status_code == 401


def test_rotating_the_key_stops_the_old_one_at_once(client, cooperative, served) -> None:
    old_key = cooperative.datafeed_key
    manager = user_with_role(Role.COOP_MANAGER, cooperative=cooperative)

    new_key = rotate_datafeed_key(actor=manager, cooperative=cooperative)

    assert pull(client, "all_produk", old_key).status_code == 401
    assert skus(pull(client, "all_produk", new_key)) == ["A-1", "B-1", "B-2", "C-1"]


def test_each_key_sees_only_its_own_cooperatives_snapshot(client, cooperative, served) -> None:
    other = CooperativeFactory()
    snapshot(other, [("OTHER-1", True, day(0))])

    assert skus(pull(client, "all_produk", other.datafeed_key)) == ["OTHER-1"]
    assert skus(pull(client, "all_produk", cooperative.datafeed_key)) == ["A-1", "B-1", "B-2", "C-1"]
    assert skus(pull(client, "produk", other.datafeed_key, no_produk_penyedia="A-1")) == []


def test_no_session_cookie_is_set(client, cooperative, served) -> None:
    response = pull(client, "all_produk", cooperative.datafeed_key)

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_a_signed_in_manager_still_needs_the_key(client, login_as, cooperative, served) -> None:
    login_as(user_with_role(Role.COOP_MANAGER, cooperative=cooperative))

    assert pull(client, "all_produk", None).status_code == 401


def test_other_methods_are_refused_with_json(client, cooperative, served) -> None:
    response = client.post(f"{PREFIX}/all_produk", query_string={"secretkey": cooperative.datafeed_key})

    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


# all_produk -----------------------------------------------------------------------------------------------------


def test_all_produk_serves_products_on_sale_in_update_order(client, cooperative, served) -> None:
    response = pull(client, "all_produk", cooperative.datafeed_key)

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert envelope_of(response) == {"total": 4, "current_page": 1, "per_page": 500, "total_page": 1}
    assert skus(response) == ["A-1", "B-1", "B-2", "C-1"]


def test_the_body_carries_the_stored_documents_as_they_are(client, cooperative) -> None:
    name = 'Kopi "Majapahit", 250 g\nbubuk halus ☕ =SUM(A1)'
    feed = snapshot(cooperative, [])
    stored = json.dumps({"informasi": {"no_produk_penyedia": "K-1", "nama_produk": name}}, indent=2)
    item = DatafeedItem(feed_id=feed.id, position=1, sku="K-1", is_active=True, updated_on=TODAY, document=stored)
    db.session.add(item)
    db.session.flush()

    response = pull(client, "all_produk", cooperative.datafeed_key)

    assert stored in response.get_data(as_text=True)
    assert response.get_json()["produk"][0]["informasi"]["nama_produk"] == name


def test_pages_split_the_products_and_a_page_past_the_end_is_empty(client, cooperative, served) -> None:
    key = cooperative.datafeed_key
    pages = [pull(client, "all_produk", key, page=page, per_page=3) for page in (1, 2, 3, 999_999_999)]

    assert [skus(page) for page in pages] == [["A-1", "B-1", "B-2"], ["C-1"], [], []]
    assert envelope_of(pages[1]) == {"total": 4, "current_page": 2, "per_page": 3, "total_page": 2}
    assert envelope_of(pages[3]) == {"total": 4, "current_page": 999_999_999, "per_page": 3, "total_page": 2}


def test_sort_desc_reverses_the_order_across_pages(client, cooperative, served) -> None:
    key = cooperative.datafeed_key
    first = pull(client, "all_produk", key, order_by="updated_date", sort="desc", per_page=3)
    second = pull(client, "all_produk", key, order_by="updated_date", sort="desc", per_page=3, page=2)

    assert skus(first) + skus(second) == ["C-1", "B-2", "B-1", "A-1"]


def test_empty_parameters_take_their_defaults(client, cooperative, served) -> None:
    response = pull(client, "all_produk", cooperative.datafeed_key, page="", per_page="", sort="", order_by="")

    assert envelope_of(response) == {"total": 4, "current_page": 1, "per_page": 500, "total_page": 1}


def test_a_large_catalog_is_served_in_pages_of_at_most_500(client, cooperative) -> None:
    items = [(f"SKU-{n:04d}", n % 7 != 0, day(-1)) for n in range(1, 1201)]
    snapshot(cooperative, items)
    expected = [sku for sku, active, _ in items if active]
    key = cooperative.datafeed_key

    pages = [pull(client, "all_produk", key, page=page) for page in (1, 2, 3)]

    assert [len(skus(page)) for page in pages] == [500, 500, len(expected) - 1000]
    assert [sku for page in pages for sku in skus(page)] == expected
    assert envelope_of(pages[0])["total_page"] == 3


def test_without_a_snapshot_the_envelope_is_empty(client, cooperative) -> None:
    snapshot(cooperative, [("Q-1", True, TODAY)], status="running")

    for endpoint in ("all_produk", "updated_produk", "produk"):
        response = pull(client, endpoint, cooperative.datafeed_key, no_produk_penyedia="Q-1")
        assert response.status_code == 200
        assert response.get_json()["produk"] == []
        assert response.get_json()["total"] == 0 and response.get_json()["total_page"] == 0


def test_the_latest_successful_datafeed_of_the_cooperative_is_served(client, cooperative) -> None:
    earlier = utcnow() - timedelta(hours=2)
    snapshot(cooperative, [("OLD", True, TODAY)], snapshot_at=earlier - timedelta(days=1))
    snapshot(cooperative, [("LATEST", True, TODAY)], snapshot_at=earlier)
    snapshot(cooperative, [("FAILED", True, TODAY)], status="failed", snapshot_at=earlier + timedelta(hours=1))
    snapshot(cooperative, [("RUNNING", True, TODAY)], status="running", snapshot_at=earlier + timedelta(hours=1))
    snapshot(cooperative, [("CSV", True, TODAY)], shape="csv", snapshot_at=earlier + timedelta(hours=1))
    whole = Feed(cooperative_id=None, shape="datafeed", mode="full", status="succeeded", snapshot_at=utcnow())
    db.session.add(whole)
    db.session.flush()
    snapshot(cooperative, [("PART", True, TODAY)], parent=whole, snapshot_at=earlier + timedelta(hours=1))

    assert skus(pull(client, "all_produk", cooperative.datafeed_key)) == ["LATEST"]


def test_a_page_is_a_fixed_number_of_reads(client, app, cooperative) -> None:
    """Cooperative, snapshot, count and the page itself, whatever the page size; past the end, no page read."""
    snapshot(cooperative, [(f"SKU-{n}", True, TODAY) for n in range(60)])

    def reads_of(**params) -> tuple[list[str], list[str]]:
        with recorded_statements() as statements:
            response = pull(client, "all_produk", cooperative.datafeed_key, **params)
        return skus(response), [s for s in statements if s.lstrip().upper().startswith("SELECT")]

    small_page, small_reads = reads_of(per_page=5)
    large_page, large_reads = reads_of(per_page=50)
    past_end, past_end_reads = reads_of(page=5, per_page=50)

    assert (len(small_page), len(large_page), past_end) == (5, 50, [])
    assert (len(small_reads), len(large_reads), len(past_end_reads)) == (4, 4, 3)


# updated_produk -------------------------------------------------------------------------------------------------


def test_updated_produk_serves_an_inclusive_date_range_with_withdrawn_products(client, cooperative, served) -> None:
    response = pull(
        client, "updated_produk", cooperative.datafeed_key, start_date=day(-3).isoformat(), end_date=day(-1).isoformat()
    )

    assert skus(response) == ["A-1", "A-2", "B-1", "B-2"]
    assert [item["informasi"]["produk_aktif"] for item in response.get_json()["produk"]] == [1, 0, 1, 1]
    assert envelope_of(response) == {"total": 4, "current_page": 1, "per_page": 500, "total_page": 1}


def test_updated_produk_defaults_to_today_in_jakarta(client, cooperative, served) -> None:
    assert skus(pull(client, "updated_produk", cooperative.datafeed_key)) == ["C-1"]
    only_end = pull(client, "updated_produk", cooperative.datafeed_key, end_date=day(-1).isoformat())
    assert skus(only_end) == ["B-1", "B-2"]
    only_start = pull(client, "updated_produk", cooperative.datafeed_key, start_date=day(-1).isoformat())
    assert skus(only_start) == ["B-1", "B-2", "C-1"]


def test_updated_produk_pages_and_sorts(client, cooperative, served) -> None:
    key = cooperative.datafeed_key
    range_ = {"start_date": day(-30).isoformat(), "end_date": day(0).isoformat()}

    second = pull(client, "updated_produk", key, page=2, per_page=2, **range_)
    backwards = pull(client, "updated_produk", key, sort="desc", per_page=2, **range_)

    assert skus(second) == ["B-1", "B-2"]
    assert envelope_of(second) == {"total": 5, "current_page": 2, "per_page": 2, "total_page": 3}
    assert skus(backwards) == ["C-1", "B-2"]


# produk ---------------------------------------------------------------------------------------------------------


def test_produk_serves_one_product_active_or_withdrawn(client, cooperative, served) -> None:
    active = pull(client, "produk", cooperative.datafeed_key, no_produk_penyedia="B-2")
    withdrawn = pull(client, "produk", cooperative.datafeed_key, no_produk_penyedia="A-2")
    unknown = pull(client, "produk", cooperative.datafeed_key, no_produk_penyedia="NOPE")

    assert skus(active) == ["B-2"] and envelope_of(active)["total"] == 1
    assert active.get_json()["produk"][0] == json.loads(document("B-2"))
    assert skus(withdrawn) == ["A-2"]
    assert skus(unknown) == [] and envelope_of(unknown)["total"] == 0


# Bad parameters -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "params", "name"),
    [
        ("all_produk", {"page": "0"}, "page"),
        ("all_produk", {"page": "-1"}, "page"),
        ("all_produk", {"page": "1.5"}, "page"),
        ("all_produk", {"page": "satu"}, "page"),
        ("all_produk", {"page": "9" * 13}, "page"),
        ("all_produk", {"per_page": "501"}, "per_page"),
        ("all_produk", {"per_page": "0"}, "per_page"),
        ("all_produk", {"per_page": " 5"}, "per_page"),
        ("all_produk", {"sort": "up"}, "sort"),
        ("all_produk", {"order_by": "name"}, "order_by"),
        ("updated_produk", {"start_date": "2026-02-30"}, "start_date"),
        ("updated_produk", {"end_date": "28-11-2026"}, "end_date"),
        ("updated_produk", {"end_date": "20261128"}, "end_date"),
        ("updated_produk", {"start_date": "2026-11-29", "end_date": "2026-11-28"}, "start_date"),
        ("updated_produk", {"per_page": "1000"}, "per_page"),
        ("produk", {}, "no_produk_penyedia"),
        ("produk", {"no_produk_penyedia": "S" * 51}, "no_produk_penyedia"),
        ("produk", {"no_produk_penyedia": "A\x00"}, "no_produk_penyedia"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, cooperative, served, endpoint, params, name) -> None:
    response = pull(client, endpoint, cooperative.datafeed_key, **params)

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_parameter"
    assert list(error["fields"]) == [name]
    assert name in error["message"]


def test_errors_follow_accept_language_without_a_session(client, cooperative, served) -> None:
    key = cooperative.datafeed_key
    indonesian = pull(client, "all_produk", key, per_page="501").get_json()["error"]["fields"]["per_page"]
    english = client.get(
        f"{PREFIX}/all_produk",
        query_string={"secretkey": key, "per_page": "501"},
        headers={"Accept-Language": "en"},
    ).get_json()["error"]["fields"]["per_page"]

    assert indonesian == "Isi angka dari 1 sampai 500."
    assert english == "Enter a number from 1 to 500."
