"""What pages and the API read about feeds: who sees which feed, the lists, the served snapshot and the progress."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.accounts.models import Role
from marketplace.core.errors import NotFound
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.feeds.services.queries import get_feed_for, latest_datafeed, progress, recent_feeds
from tests.factories import CooperativeFactory, user_with_role
from tests.feeds.helpers import new_feed


@pytest.fixture
def cooperative(db):
    return CooperativeFactory()


@pytest.fixture
def feeds(cooperative) -> dict:
    """A feed of the cooperative, one of another, one of every cooperative and its part."""
    other = CooperativeFactory()
    found = {
        "own": new_feed(cooperative.id, enqueue=False),
        "other": new_feed(other.id, enqueue=False),
        "all": new_feed(None, enqueue=False),
    }
    found["part"] = new_feed(cooperative.id, enqueue=False)
    found["part"].parent_id = found["all"].id
    db.session.commit()
    return found


def test_operators_see_every_feed_but_parts(cooperative, feeds) -> None:
    operator = user_with_role(Role.OPERATOR)
    for key in ("own", "other", "all"):
        assert get_feed_for(operator, feeds[key].id) is feeds[key]
    with pytest.raises(NotFound):
        get_feed_for(operator, feeds["part"].id)
    with pytest.raises(NotFound):
        get_feed_for(operator, 987654)


@pytest.mark.parametrize("role", [Role.COOP_MANAGER, Role.SELLER, Role.PPK])
def test_others_see_only_their_cooperatives_feeds(cooperative, feeds, role) -> None:
    user = user_with_role(role, cooperative=cooperative) if role != Role.PPK else user_with_role(role)
    visible = {key for key in feeds if _sees(user, feeds[key].id)}
    assert visible == ({"own"} if role == Role.COOP_MANAGER else set())


def _sees(user, feed_id: int) -> bool:
    try:
        get_feed_for(user, feed_id)
    except NotFound:
        return False
    return True


def test_recent_feeds_are_the_cooperatives_or_the_combined_ones_newest_first(cooperative, feeds) -> None:
    newer = new_feed(cooperative.id, "xlsx", enqueue=False)
    assert recent_feeds(cooperative.id) == [newer, feeds["own"]]  # the part is left out
    assert recent_feeds(cooperative.id, limit=1) == [newer]
    assert recent_feeds(None) == [feeds["all"]]


def test_the_served_snapshot_is_the_latest_successful_datafeed_of_its_own(cooperative, feeds) -> None:
    assert latest_datafeed(cooperative.id) is None
    moment = utcnow()
    values = [
        ("datafeed", "succeeded", None, moment - timedelta(hours=2)),  # older
        ("datafeed", "succeeded", None, moment - timedelta(hours=1)),  # served
        ("datafeed", "failed", None, moment),
        ("csv", "succeeded", None, moment),
        ("datafeed", "succeeded", feeds["all"].id, moment),  # a part
    ]
    made = []
    for shape, status, parent_id, snapshot_at in values:
        feed = new_feed(cooperative.id, shape, enqueue=False)
        feed.status, feed.parent_id, feed.snapshot_at = status, parent_id, snapshot_at
        made.append(feed)
    db.session.commit()
    assert latest_datafeed(cooperative.id) is made[1]


def test_progress_of_a_combined_feed_adds_its_parts_up(cooperative, feeds) -> None:
    combined, part = feeds["all"], feeds["part"]
    assert progress(combined)["percent"] == 0
    combined.status, combined.total_rows = "running", 200
    part.status, part.processed_rows = "running", 50
    db.session.commit()
    state = progress(combined)
    assert (state["processed"], state["total"], state["percent"]) == (50, 200, 25)
    combined.status, combined.failure = "failed", "disk full"
    assert progress(combined)["failure"] == "disk full"
