"""How `records.iter_records` reads the catalog: one streamed query, batches turned into `FeedRecord`s.

The live revision of each product comes with everything a record needs in the same row: its maker (joined), and
its images, regional prices and attachments as JSON arrays aggregated by correlated subqueries (the database
formats them, Python parses each with one C call). JSON columns are read as text for the same reason. Categories,
units and cooperatives are small and read once. So a batch costs one `FETCH` on the server-side cursor
(`yield_per`), and there is no query per product or per batch.

PostgreSQL also formats `tanggal_update` (WIB). The statements differ per database only in the aggregate and date
functions (`json_agg` / `json_group_array`, `to_char` / `strftime`).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from queue import Empty, Full, Queue
from typing import Any

from sqlalchemy import Text, and_, cast, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from marketplace.accounts.models import DEFAULT_SKALA_USAHA, SellerProfile, User
from marketplace.catalog.models import (
    Category,
    Product,
    ProductImage,
    ProductRevision,
    RegionalPrice,
    RevisionAttachment,
    RevisionImage,
    Unit,
)
from marketplace.catalog.quality import image_is_large
from marketplace.catalog.states import ProductStatus
from marketplace.cooperatives.models import Cooperative
from marketplace.core.money import with_ppn
from marketplace.feeds.records import (
    AttachmentItem,
    CooperativeInfo,
    FeedRecord,
    RegionalPriceItem,
    Specification,
    UrlMaker,
    plain_text,
    region_name,
)

_P = Product.__table__.c
_R = ProductRevision.__table__.c
_USER = User.__table__.c
_PROFILE = SellerProfile.__table__.c
_IMAGE_LINK = RevisionImage.__table__.c
_IMAGE = ProductImage.__table__.c
_PRICE = RegionalPrice.__table__.c
_ATTACHMENT = RevisionAttachment.__table__.c


def _conditions(
    cooperative_ids: Sequence[int] | None,
    changed_since: datetime | None,
    until: datetime,
    include_withdrawn: bool,
) -> list:
    """Full: products on sale (and withdrawn ones with `include_withdrawn`); delta: the published ones whose last
    feed change is in (changed_since, until], withdrawn ones when asked."""
    statuses = [ProductStatus.ACTIVE, ProductStatus.WITHDRAWN] if include_withdrawn else [ProductStatus.ACTIVE]
    conditions = [_P.live_revision_id.is_not(None), _P.status.in_(statuses)]
    if cooperative_ids is not None:
        conditions.append(_P.cooperative_id.in_(list(cooperative_ids)))
    if changed_since is not None:
        conditions += [_P.feed_changed_at > changed_since, _P.feed_changed_at <= until]
    return conditions


def count_products(
    *,
    cooperative_ids: Sequence[int] | None,
    changed_since: datetime | None,
    until: datetime,
    include_withdrawn: bool,
    connection: Connection,
) -> int:
    statement = (
        select(func.count())
        .select_from(Product.__table__)
        .where(*_conditions(cooperative_ids, changed_since, until, include_withdrawn))
    )
    return connection.execute(statement).scalar_one()


# The statement -----------------------------------------------------------------------------------------------------


def _json_list(dialect: str, items: list[ColumnElement], from_: Any, where: Any, order_by: list) -> ColumnElement:
    """A correlated subquery: the matching rows as a JSON array of arrays (text), in order; NULL when none."""
    if dialect == "postgresql":
        aggregate = func.json_agg(aggregate_order_by(func.json_build_array(*items), *order_by))
        return select(cast(aggregate, Text)).select_from(from_).where(where).scalar_subquery()
    ordered = (
        select(func.json_array(*items).label("item"))
        .select_from(from_)
        .where(where)
        .order_by(*order_by)
        .correlate(ProductRevision.__table__)
    )
    inner = ordered.subquery()
    return select(func.json_group_array(func.json(inner.c.item))).select_from(inner).scalar_subquery()


def _wib_text(dialect: str, column: ColumnElement) -> ColumnElement:
    if dialect == "postgresql":
        return func.to_char(func.timezone("Asia/Jakarta", column), "YYYY-MM-DD HH24:MI:SS")
    return func.strftime("%Y-%m-%d %H:%M:%S", column, "+7 hours")


def _specifications_list(dialect: str) -> ColumnElement:
    """The revision's specifications as a JSON array of [label, value] strings (objects only, in order)."""
    if dialect == "postgresql":
        element = func.json_array_elements(_R.specifications).table_valued("value").alias("spec")
        value = element.c.value
        pair = func.json_build_array(func.coalesce(value.op("->>")("label"), ""), func.coalesce(
            value.op("->>")("value"), ""))  # fmt: skip
        return (
            select(cast(func.json_agg(pair), Text))
            .select_from(element)
            .where(func.json_typeof(value) == "object")
            .scalar_subquery()
        )
    element = func.json_each(_R.specifications).table_valued("value", "type").alias("spec")
    pair = func.json_array(
        func.coalesce(func.json_extract(element.c.value, "$.label"), ""),
        func.coalesce(func.json_extract(element.c.value, "$.value"), ""),
    )
    return select(func.json_group_array(pair)).select_from(element).where(element.c.type == "object").scalar_subquery()


def _statement(dialect: str, conditions: list) -> Any:
    image_sizes = _IMAGE.sizes if dialect == "postgresql" else func.json(_IMAGE.sizes)
    images = _json_list(
        dialect,
        [_IMAGE_LINK.image_id, _IMAGE.width, _IMAGE.height, image_sizes],
        RevisionImage.__table__.join(ProductImage.__table__, _IMAGE.id == _IMAGE_LINK.image_id),
        _IMAGE_LINK.revision_id == _R.id,
        [_IMAGE_LINK.is_main.desc(), _IMAGE_LINK.position, _IMAGE_LINK.image_id],
    )
    prices = _json_list(
        dialect,
        [_PRICE.region_code, _PRICE.price, _PRICE.shipping_cost],
        RegionalPrice.__table__,
        _PRICE.revision_id == _R.id,
        [_PRICE.region_code],
    )
    attachments = _json_list(
        dialect,
        [_ATTACHMENT.attachment_id, _ATTACHMENT.description],
        RevisionAttachment.__table__,
        _ATTACHMENT.revision_id == _R.id,
        [_ATTACHMENT.attachment_id],
    )
    joined = (
        Product.__table__.join(ProductRevision.__table__, _R.id == _P.live_revision_id)
        .join(User.__table__, _USER.id == _P.seller_id)
        .outerjoin(SellerProfile.__table__, and_(_PROFILE.user_id == _P.seller_id))
    )
    columns = (
        _P.id, _R.id, _P.cooperative_id, _P.sku, _P.status, _wib_text(dialect, _P.feed_changed_at), _P.stock,
        _P.valid_until, _R.valid_until, _R.name, _R.brand, _R.category_id, _R.lkpp_category_id, _R.unspsc,
        _R.kbki_code, _R.unit_id, _R.is_domestic, _R.tkdn_x100, _R.tkdn_certificate, _R.bmp_x100, _R.sni_number,
        _R.price, _R.retail_price, _R.ppn_percent, _R.shipping_cost, _R.national_price, _R.min_order,
        _R.short_description, _R.description, _R.weight_grams, _specifications_list(dialect),
        func.coalesce(_PROFILE.business_name, _USER.full_name), _PROFILE.skala_usaha, images, prices, attachments,
    )  # fmt: skip
    return (
        select(*columns)
        .select_from(joined)
        .where(*conditions)
        .order_by(_P.cooperative_id, _P.feed_changed_at.nulls_first(), _P.sku, _P.id)
    )


def read_records(
    *,
    cooperative_ids: Sequence[int] | None,
    changed_since: datetime | None,
    until: datetime,
    include_withdrawn: bool,
    batch_size: int,
    connection: Connection,
) -> Iterator[FeedRecord]:
    dialect = connection.dialect.name
    conditions = _conditions(cooperative_ids, changed_since, until, include_withdrawn)
    builder = _Builder(connection, cooperative_ids)
    result = connection.execute(_statement(dialect, conditions), execution_options={"yield_per": batch_size})
    try:
        batches = result.partitions()
        if dialect == "postgresql":  # the server computes the next batch while this process writes the current one
            batches = _prefetched(batches)
        for rows in batches:
            yield from map(builder.record, rows)
    finally:
        result.close()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


def _prefetched(batches: Iterator[Sequence[Any]], depth: int = 2) -> Iterator[Sequence[Any]]:
    """Fetch the next batches in a thread (at most `depth` ahead) while the caller works on the current one.

    The driver waits for the server without the GIL, so the database and this process work at the same time.
    Only the thread touches the cursor until it ends; closing the generator stops it after its current fetch.
    """
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def fetch() -> None:
        try:
            for rows in batches:
                while not stop.is_set():
                    try:
                        queue.put(rows, timeout=0.1)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(_END)
        except BaseException as error:  # handed to the consumer, which raises it
            queue.put(_Failed(error))

    thread = threading.Thread(target=fetch, name="feed-records-prefetch", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(Empty):
                queue.get(timeout=0.05)  # let a thread blocked on a full queue see `stop`


# Rows into records -------------------------------------------------------------------------------------------------

_NO_CATEGORY = (None, None, None, None)
_NO_UNIT = (None, None)
_loads = json.loads


class _Builder:
    """Turns rows into records, with the small tables cached."""

    def __init__(self, connection: Connection, cooperative_ids: Sequence[int] | None) -> None:
        self.urls = UrlMaker()
        self.categories = _category_paths(connection)
        self.units = {row.id: (row.name, row.lkpp_id) for row in connection.execute(select(Unit.__table__))}
        self.cooperatives = _cooperatives(connection, cooperative_ids)

    def record(self, row: Any) -> FeedRecord:
        (product_id, revision_id, cooperative_id, sku, status, updated_wib, stock, live_valid_until, valid_until,
         name, brand, category_id, lkpp_category_id, unspsc, kbki_code, unit_id, is_domestic, tkdn_x100,
         tkdn_certificate, bmp_x100, sni_number, price, retail_price, ppn_percent, shipping_cost, national_price,
         min_order, short_description, description, weight_grams, specifications, maker_name, skala_usaha, images,
         prices, attachments) = row  # fmt: skip
        category = self.categories.get(category_id, _NO_CATEGORY)
        unit = self.units.get(unit_id, _NO_UNIT)
        price_with_ppn = with_ppn(price, ppn_percent) if ppn_percent else price
        image_urls, has_large = self._images(images) if images else ((), False)
        return FeedRecord(
            product_id, revision_id, self.cooperatives[cooperative_id], sku, status == ProductStatus.ACTIVE,
            updated_wib, name, brand, category[0], category[1], category[2], lkpp_category_id or category[3],
            unspsc, kbki_code, unit_id, unit[0], unit[1], bool(is_domestic), tkdn_x100, tkdn_certificate, bmp_x100,
            sni_number, price, price_with_ppn, retail_price or price_with_ppn, ppn_percent, shipping_cost,
            bool(national_price), stock, min_order, live_valid_until or valid_until, plain_text(short_description),
            plain_text(description), weight_grams, self.urls.product(product_id), image_urls, has_large,
            _specifications(specifications), _prices(prices) if prices else (),
            self._attachments(attachments) if attachments else (), maker_name, skala_usaha or DEFAULT_SKALA_USAHA,
        )  # fmt: skip

    def _images(self, text: str) -> tuple[tuple[str, ...], bool]:
        found = _loads(text)
        image = self.urls.image
        urls = tuple(image(item[0]) for item in found)
        return urls, any(image_is_large(sizes, width, height) for _, width, height, sizes in found)

    def _attachments(self, text: str) -> tuple[AttachmentItem, ...]:
        attachment = self.urls.attachment
        return tuple(AttachmentItem(attachment(item[0]), item[1]) for item in _loads(text))


def _prices(text: str) -> tuple[RegionalPriceItem, ...]:
    return tuple(RegionalPriceItem(code, region_name(code), price, shipping) for code, price, shipping in _loads(text))


_specification = Specification._make


def _specifications(text: str | None) -> tuple[Specification, ...]:
    if not text or text == "[]":
        return ()
    return tuple(map(_specification, _loads(text)))


def _category_paths(connection: Connection) -> dict[int, tuple[str | None, str | None, str | None, str | None]]:
    """Category id → (level 1, level 2, level 3 names, LKPP id of the nearest mapped node), from one query."""
    table = Category.__table__.c
    nodes = {
        row.id: (row.parent_id, row.name, row.lkpp_id)
        for row in connection.execute(select(table.id, table.parent_id, table.name, table.lkpp_id))
    }
    paths = {}
    for category_id in nodes:
        names: list[str | None] = []
        lkpp_id = None
        current: int | None = category_id
        while current is not None and current in nodes and len(names) < 3:
            parent_id, name, mapped = nodes[current]
            names.insert(0, name)
            lkpp_id = lkpp_id or mapped
            current = parent_id
        names += [None] * (3 - len(names))
        paths[category_id] = (names[0], names[1], names[2], lkpp_id)
    return paths


def _cooperatives(connection: Connection, cooperative_ids: Sequence[int] | None) -> dict[int, CooperativeInfo]:
    table = Cooperative.__table__.c
    statement = select(table.id, table.code, table.name, table.nib, table.npwp, table.region_code)
    if cooperative_ids is not None:
        statement = statement.where(table.id.in_(list(cooperative_ids)))
    return {row[0]: CooperativeInfo(*row) for row in connection.execute(statement)}
