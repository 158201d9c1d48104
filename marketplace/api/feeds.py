"""e-Katalog feeds: ask for a feed, follow it, download its file and its validation report."""

from __future__ import annotations

from flask import Response

from marketplace.accounts.models import Role, User
from marketplace.api.auth import api_user
from marketplace.api.framework import api_route
from marketplace.api.schemas.feeds import FeedOut, FeedRequestIn
from marketplace.cooperatives.services import visible_cooperative
from marketplace.extensions import db
from marketplace.feeds import files
from marketplace.feeds.services import queries
from marketplace.feeds.services import requests as feed_requests
from marketplace.feeds.states import FeedTrigger

TAGS = ["feeds"]
#: Who may use feeds: the cooperative's managers (their own cooperative; others are 404) and operators (any).
VIEWERS = (Role.COOP_MANAGER, Role.OPERATOR)
FEED = "/feeds/<int:feed_id>"


def requested_cooperative_id(user: User, cooperative_id: int | None) -> int | None:
    """The cooperative a feed is asked for: the one given (if the user may see it), else a manager's own;
    None (all cooperatives) only for operators."""
    if cooperative_id is None:
        if user.has_role(Role.OPERATOR):
            return None
        cooperative_id = user.cooperative_id
    return visible_cooperative(actor=user, cooperative_id=cooperative_id).id


@api_route(
    "/feeds",
    methods=["POST"],
    body=FeedRequestIn,
    response=FeedOut,
    status=202,
    roles=VIEWERS,
    description="Queues the feed and answers at once with its id and status; a worker builds it. Poll `status_url` "
    "until the status is `succeeded` (then fetch `download_url` and `report_url`) or `failed`. A manager asks for "
    "their own cooperative (another cooperative is 404); an operator for any, or for all cooperatives at once "
    "(`cooperative_id` null or left out).",
    tags=TAGS,
    errors=(404, 409),
)
def create_feed(body: FeedRequestIn) -> FeedOut:
    """Ask for a feed."""
    user = api_user()
    feed = feed_requests.request_feed(
        cooperative_id=requested_cooperative_id(user, body.cooperative_id),
        shape=str(body.shape),
        mode=str(body.mode),
        requested_by_id=user.id,
        trigger=FeedTrigger.API,
    )
    db.session.commit()
    return FeedOut.of(feed, queries.progress(feed))


@api_route(
    FEED,
    response=FeedOut,
    roles=VIEWERS,
    description="The status, the progress (products handled of those to go through), the counts of products, "
    "withdrawn products, products with errors (left out, or withdrawn in a delta) and warnings, and, once it "
    "succeeded, the file's name, size and SHA-256. Only the cooperative's managers and operators see a feed.",
    tags=TAGS,
)
def get_feed(feed_id: int) -> FeedOut:
    """Show a feed."""
    feed = queries.get_feed_for(api_user(), feed_id)
    return FeedOut.of(feed, queries.progress(feed))


@api_route(
    f"{FEED}/download",
    roles=VIEWERS,
    description='The feed\'s file, streamed: `datafeed` a JSON document `{"total": N, "produk": [...]}`, `csv` a '
    "ZIP of the three sheets as CSV files, `xlsx` a workbook of the three sheets, `ocds` an OCDS 1.1 release package "
    "of the orders (JSON). 409 until the feed succeeded.",
    tags=TAGS,
    errors=(409,),
    files=tuple(dict.fromkeys(files.MIMETYPES.values())),
)
def download_feed(feed_id: int) -> Response:
    """Download a feed's file."""
    return files.feed_file_response(queries.get_feed_for(api_user(), feed_id))


@api_route(
    f"{FEED}/report",
    roles=VIEWERS,
    description="The validation report as CSV (UTF-8 with BOM): `no_produk_penyedia, tingkat, kolom, pesan`, one row "
    "per problem; `tingkat` is `kesalahan` (the product was left out) or `peringatan`, messages in Indonesian. 409 "
    "until the feed succeeded.",
    tags=TAGS,
    errors=(409,),
    files=(files.REPORT_TYPE,),
)
def download_feed_report(feed_id: int) -> Response:
    """Download a feed's validation report."""
    return files.report_response(queries.get_feed_for(api_user(), feed_id))
