"""The datafeed e-Katalog pulls: `/lkpp/v1/all_produk`, `updated_produk` and `produk` (ekatalog-spec "Datafeed").

e-Katalog authenticates with the cooperative's secret key (`secretkey`, compared in constant time); there is no
session and no CSRF. Every answer is read from the cooperative's latest successful datafeed snapshot
(`DatafeedItem`), so a pull sees one consistent catalog while managers keep approving changes. Pages are one
indexed read each, and the body is assembled from the documents as stored (already serialised JSON), never parsed
and serialised again.
"""

from __future__ import annotations

import hmac
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, Response, current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import Select, func, select, true

from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.services import datafeed_key_matches
from marketplace.core.http import json_error
from marketplace.core.timeutil import today_wib
from marketplace.extensions import csrf, db
from marketplace.feeds.models import DatafeedItem
from marketplace.feeds.services.queries import latest_datafeed

bp = Blueprint("lkpp", __name__, url_prefix="/lkpp/v1")
csrf.exempt(bp)

#: The spec's page size limit, also the default.
MAX_PER_PAGE = 500
#: Longest SKU (`no_produk_penyedia`) and longest datafeed key (the column's width).
MAX_SKU_LENGTH = 50
MAX_KEY_LENGTH = 64
ORDER_BY_CHOICES = ("updated_date",)
SORT_CHOICES = ("asc", "desc")
_WHOLE_NUMBER = re.compile(r"[0-9]{1,12}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Compared against when no cooperative has the key, so a miss costs the same comparison as a hit.
_NO_KEY = b"x" * 43


class BadParameter(Exception):
    """A query parameter e-Katalog sent is not usable: answered 400 naming the parameter."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem


class BadKey(Exception):
    """The secret key is missing or belongs to no cooperative: answered 401 without saying which."""


@dataclass(frozen=True, slots=True)
class Paging:
    """Which page the caller asked for, in which order."""

    page: int
    per_page: int
    descending: bool

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


# Answers --------------------------------------------------------------------------------------------------------


@bp.before_request
def stateless_language() -> None:
    """Answer in the best language of Accept-Language without looking at a session (there is none here)."""
    languages = current_app.config["LANGUAGES"]
    g.locale_override = request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.errorhandler(BadKey)
def refuse_key(error: BadKey) -> tuple[Response, int]:
    """401 with the same body for a missing key, a wrong key and a rotated one."""
    body, status = json_error(401, "unauthorized", _("Missing or invalid secret key."))
    return no_store(body), status


@bp.errorhandler(BadParameter)
def refuse_parameter(error: BadParameter) -> tuple[Response, int]:
    """400 naming the parameter and what is wrong with it."""
    message = _("Invalid parameter %(name)s: %(problem)s", name=error.name, problem=error.problem)
    body, status = json_error(400, "invalid_parameter", message, {error.name: error.problem})
    return no_store(body), status


def no_store(response: Response) -> Response:
    """Keep answers out of caches: the URL carries the secret key."""
    response.headers["Cache-Control"] = "no-store"
    return response


def envelope(*, total: int, page: int, per_page: int, documents: list[str]) -> Response:
    """The spec's envelope around product documents that are already JSON text."""
    total_page = math.ceil(total / per_page) if total else 0
    body = (
        f'{{"total":{total},"current_page":{page},"per_page":{per_page},"total_page":{total_page},'
        f'"produk":[{",".join(documents)}]}}'
    )
    return no_store(Response(body, mimetype="application/json"))


# Parameters -----------------------------------------------------------------------------------------------------


def _arg(args: Mapping[str, str], name: str) -> str | None:
    """The parameter's value; an empty one (`page=&per_page=`) counts as not given."""
    value = args.get(name)
    return value if value else None


def _whole_number(args: Mapping[str, str], name: str, *, default: int, maximum: int | None = None) -> int:
    value = _arg(args, name)
    if value is None:
        return default
    number = int(value) if _WHOLE_NUMBER.fullmatch(value) else 0
    if maximum is None and number < 1:
        raise BadParameter(name, _("Enter a number of at least %(n)s.", n=1))
    if maximum is not None and not 1 <= number <= maximum:
        raise BadParameter(name, _("Enter a number from %(min)s to %(max)s.", min=1, max=maximum))
    return number


def _choice(args: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = _arg(args, name)
    if value is None:
        return choices[0]
    if value not in choices:
        raise BadParameter(name, _("Use one of: %(choices)s.", choices=", ".join(choices)))
    return value


def parse_paging(args: Mapping[str, str]) -> Paging:
    """`page` (from 1), `per_page` (1–500, default 500), `order_by` (updated_date) and `sort` (asc or desc)."""
    _choice(args, "order_by", ORDER_BY_CHOICES)
    return Paging(
        page=_whole_number(args, "page", default=1),
        per_page=_whole_number(args, "per_page", default=MAX_PER_PAGE, maximum=MAX_PER_PAGE),
        descending=_choice(args, "sort", SORT_CHOICES) == "desc",
    )


def _date(args: Mapping[str, str], name: str) -> date | None:
    value = _arg(args, name)
    if value is None:
        return None
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadParameter(name, _("Enter a date as YYYY-MM-DD.")) from None


def parse_date_range(args: Mapping[str, str], *, today: date) -> tuple[date, date]:
    """`start_date` and `end_date` (inclusive, WIB dates): the end defaults to today, the start to the end."""
    end = _date(args, "end_date") or today
    start = _date(args, "start_date") or end
    if start > end:
        raise BadParameter("start_date", _("The start date is after the end date."))
    return start, end


def parse_sku(args: Mapping[str, str]) -> str:
    """`no_produk_penyedia`, required."""
    sku = _arg(args, "no_produk_penyedia")
    if sku is None:
        raise BadParameter("no_produk_penyedia", _("This field is required."))
    if len(sku) > MAX_SKU_LENGTH or "\x00" in sku:
        raise BadParameter("no_produk_penyedia", _("At most %(n)d characters.", n=MAX_SKU_LENGTH))
    return sku


# Reading the snapshot -------------------------------------------------------------------------------------------


def cooperative_for_key(key: str | None) -> Cooperative | None:
    """The cooperative whose current datafeed key is `key` (found by the unique index, then compared in constant
    time); None for a missing, malformed or unknown key."""
    if not key or len(key) > MAX_KEY_LENGTH or "\x00" in key:
        return None
    cooperative = db.session.scalar(select(Cooperative).where(Cooperative.datafeed_key == key))
    if cooperative is None:
        hmac.compare_digest(_NO_KEY, key.encode())
        return None
    return cooperative if datafeed_key_matches(cooperative, key) else None


def latest_snapshot_id(cooperative_id: int) -> int | None:
    """The id of the feed whose snapshot the datafeed serves, if the cooperative has one."""
    feed = latest_datafeed(cooperative_id)
    return feed.id if feed is not None else None


def count_items(feed_id: int, *conditions) -> int:
    """How many snapshot items of the feed match `conditions`."""
    statement = select(func.count()).select_from(DatafeedItem).where(DatafeedItem.feed_id == feed_id, *conditions)
    return db.session.scalar(statement) or 0


def page_documents(statement: Select, order: tuple, paging: Paging, total: int) -> list[str]:
    """The stored documents of one page of `statement` (a select of `DatafeedItem.document`), in `order` or its
    reverse; none, without a query, for a page past the end."""
    if paging.offset >= total:
        return []
    columns = [column.desc() for column in order] if paging.descending else list(order)
    return list(db.session.scalars(statement.order_by(*columns).offset(paging.offset).limit(paging.per_page)))


def active_page(feed_id: int, paging: Paging) -> tuple[int, list[str]]:
    """(total, documents) of the snapshot's products on sale, in `tanggal_update` order."""
    conditions = (DatafeedItem.is_active == true(),)
    total = count_items(feed_id, *conditions)
    statement = select(DatafeedItem.document).where(DatafeedItem.feed_id == feed_id, *conditions)
    return total, page_documents(statement, (DatafeedItem.position,), paging, total)


def updated_page(feed_id: int, start: date, end: date, paging: Paging) -> tuple[int, list[str]]:
    """(total, documents) of the snapshot's products changed from `start` to `end` (WIB dates), withdrawn ones
    included, in `tanggal_update` order."""
    conditions = (DatafeedItem.updated_on >= start, DatafeedItem.updated_on <= end)
    total = count_items(feed_id, *conditions)
    statement = select(DatafeedItem.document).where(DatafeedItem.feed_id == feed_id, *conditions)
    return total, page_documents(statement, (DatafeedItem.updated_on, DatafeedItem.position), paging, total)


def product_document(feed_id: int, sku: str) -> str | None:
    """The snapshot's document of one SKU, active or withdrawn (a snapshot holds each product once)."""
    return db.session.scalar(
        select(DatafeedItem.document).where(DatafeedItem.feed_id == feed_id, DatafeedItem.sku == sku).limit(1)
    )


# Endpoints ------------------------------------------------------------------------------------------------------


def authenticated_snapshot() -> int | None:
    """The snapshot feed id of the cooperative named by `secretkey` (None before its first datafeed); BadKey for
    a missing or wrong key. The key is checked before any other parameter, so a stranger learns nothing."""
    cooperative = cooperative_for_key(request.args.get("secretkey"))
    if cooperative is None:
        raise BadKey
    return latest_snapshot_id(cooperative.id)


@bp.get("/all_produk")
def all_produk() -> Response:
    """Every product on sale in the latest snapshot, paged."""
    feed_id = authenticated_snapshot()
    paging = parse_paging(request.args)
    total, documents = active_page(feed_id, paging) if feed_id is not None else (0, [])
    return envelope(total=total, page=paging.page, per_page=paging.per_page, documents=documents)


@bp.get("/updated_produk")
def updated_produk() -> Response:
    """Products of the latest snapshot changed in a WIB date range (withdrawn ones with `produk_aktif` 0), paged."""
    feed_id = authenticated_snapshot()
    paging = parse_paging(request.args)
    start, end = parse_date_range(request.args, today=today_wib())
    total, documents = updated_page(feed_id, start, end, paging) if feed_id is not None else (0, [])
    return envelope(total=total, page=paging.page, per_page=paging.per_page, documents=documents)


@bp.get("/produk")
def produk() -> Response:
    """One product of the latest snapshot by its SKU, in the same envelope (an empty list when unknown)."""
    feed_id = authenticated_snapshot()
    sku = parse_sku(request.args)
    document = product_document(feed_id, sku) if feed_id is not None else None
    documents = [document] if document is not None else []
    return envelope(total=len(documents), page=1, per_page=1, documents=documents)
