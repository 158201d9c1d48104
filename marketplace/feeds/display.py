"""How feeds are shown: labels, durations and sizes for people, and the addresses of the feed pages."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.accounts.models import Role, User
from marketplace.feeds.models import Feed
from marketplace.feeds.states import MODE_LABELS, SHAPE_LABELS, STATUS_LABELS, FeedStatus, FeedTrigger

#: Path of the product datafeed that e-Katalog pulls, under PUBLIC_BASE_URL.
DATAFEED_PATH = "/lkpp/v1/all_produk"

TRIGGER_LABELS = {
    FeedTrigger.MANUAL: _l("By hand"),
    FeedTrigger.API: _l("API"),
    FeedTrigger.CLI: _l("Command line"),
    FeedTrigger.SCHEDULE: _l("Schedule"),
}

#: The report's `tingkat` values (Indonesian in the CSV) as the interface names them.
REPORT_LEVEL_LABELS = {"kesalahan": _l("Error"), "peringatan": _l("Warning")}

#: CSS class of each status's badge.
STATUS_BADGES = {
    FeedStatus.QUEUED: "badge-pending",
    FeedStatus.RUNNING: "badge-pending",
    FeedStatus.SUCCEEDED: "badge-active",
    FeedStatus.FAILED: "badge-rejected",
}

_KB = 1024


def datafeed_url() -> str:
    """The absolute address e-Katalog pulls the datafeed from (PUBLIC_BASE_URL, so also right outside a request)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + DATAFEED_PATH


def feed_download_url(feed: Feed) -> str:
    """The absolute address of a feed's file (PUBLIC_BASE_URL, so also right outside a request)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/feed/{feed.id}/unduh"


def format_duration(milliseconds: int | None) -> str:
    """`850` → `0.9 s`, `75_000` → `1 min 15 s`, `3_725_000` → `1 h 2 min`; empty for None."""
    if milliseconds is None:
        return ""
    seconds = milliseconds / 1000
    if seconds < 60:
        return _("%(seconds)s s", seconds=format_decimal(round(seconds, 1), format="#,##0.0"))
    whole = round(seconds)
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return _("%(minutes)d min %(seconds)d s", minutes=minutes, seconds=rest)
    hours, minutes = divmod(minutes, 60)
    return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)


def format_bytes(size: int | None) -> str:
    """`2_500_000` → `2.4 MB` (binary multiples, as file managers show them); empty for None."""
    if size is None:
        return ""
    if size < _KB:
        return _("%(n)d bytes", n=size)
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= _KB
        if value < _KB or unit == "TB":
            break
    return f"{format_decimal(round(value, 1), format='#,##0.0')} {unit}"


def cooperative_label(feed: Feed) -> str:
    """The cooperative's name, or "All cooperatives" for a combined feed."""
    if feed.cooperative_id is None:
        return _("All cooperatives")
    return feed.cooperative.name if feed.cooperative is not None else ""


def feed_url(feed: Feed, user: User) -> str:
    """The feeds page that lists `feed`, as `user` reaches it."""
    if feed.cooperative_id is None:
        return url_for("feeds.operator_index")
    if user.has_role(Role.COOP_MANAGER) and user.cooperative_id == feed.cooperative_id:
        return url_for("feeds.index")
    return url_for("feeds.operator_cooperative", cooperative_id=feed.cooperative_id)


TEMPLATE_HELPERS = {
    "feed_status_labels": STATUS_LABELS,
    "feed_shape_labels": SHAPE_LABELS,
    "feed_mode_labels": MODE_LABELS,
    "feed_trigger_labels": TRIGGER_LABELS,
    "feed_status_badges": STATUS_BADGES,
    "format_duration": format_duration,
    "format_bytes": format_bytes,
    "feed_cooperative_label": cooperative_label,
    "report_level_labels": REPORT_LEVEL_LABELS,
}
