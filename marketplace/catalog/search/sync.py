"""Keep what catalog entries copy from other tables in step: the cooperative's name, the unit's name and the maker's
business name, scale and region; and mark the products whose feed rows show such a value as changed for the feeds.

Result pages read `catalog_entries` alone, so when one of these changes (an operator renames a cooperative or a
unit, a maker edits their business profile) the entries that show it are updated in the same flush, whichever
service or API made the change. The feeds carry more of them (the cooperative's NIB, NPWP and region, category
names): the products showing a changed value get `feed_changed_at`, so the next delta feed sends them again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, event, inspect, or_, select, update
from sqlalchemy.engine import Connection

from marketplace.accounts.models import SellerProfile, User
from marketplace.catalog.models import CatalogEntry, Category, Product, ProductRevision, Unit
from marketplace.cooperatives.models import Cooperative
from marketplace.core.timeutil import utcnow

ENTRIES = CatalogEntry.__table__
PRODUCTS = Product.__table__


def _changed(target: Any, *names: str) -> bool:
    """True when any of the attributes changed in this flush."""
    state = inspect(target)
    return any(state.attrs[name].history.has_changes() for name in names)


def _mark_for_feeds(connection: Connection, product_ids: Select) -> None:
    """Mark the products `product_ids` (read from the search entries: products on sale) changed for the feeds,
    their rows locked first in id order, as checkout locks products, so that the two never deadlock."""
    chosen = PRODUCTS.c.id.in_(product_ids)
    connection.execute(select(PRODUCTS.c.id).where(chosen).order_by(PRODUCTS.c.id).with_for_update())
    connection.execute(update(PRODUCTS).where(chosen).values(feed_changed_at=utcnow()))


@event.listens_for(Cooperative, "after_update")
def _cooperative_renamed(mapper: Any, connection: Connection, cooperative: Cooperative) -> None:
    if _changed(cooperative, "name"):
        connection.execute(
            update(ENTRIES).where(ENTRIES.c.cooperative_id == cooperative.id).values(cooperative_name=cooperative.name)
        )
    if _changed(cooperative, "name", "nib", "npwp", "region_code"):
        _mark_for_feeds(connection, select(ENTRIES.c.product_id).where(ENTRIES.c.cooperative_id == cooperative.id))


@event.listens_for(Unit, "after_update")
def _unit_renamed(mapper: Any, connection: Connection, unit: Unit) -> None:
    revisions = select(ProductRevision.id).where(ProductRevision.unit_id == unit.id)
    if _changed(unit, "name"):
        connection.execute(update(ENTRIES).where(ENTRIES.c.revision_id.in_(revisions)).values(unit_name=unit.name))
    if _changed(unit, "name", "lkpp_id"):
        _mark_for_feeds(connection, select(ENTRIES.c.product_id).where(ENTRIES.c.revision_id.in_(revisions)))


@event.listens_for(Category, "after_update")
def _category_renamed(mapper: Any, connection: Connection, category: Category) -> None:
    if _changed(category, "name", "lkpp_id"):
        in_it = or_(
            ENTRIES.c.category_id == category.id,
            ENTRIES.c.category_l1_id == category.id,
            ENTRIES.c.category_l2_id == category.id,
        )
        _mark_for_feeds(connection, select(ENTRIES.c.product_id).where(in_it))


@event.listens_for(SellerProfile, "after_insert")
@event.listens_for(SellerProfile, "after_update")
def _profile_changed(mapper: Any, connection: Connection, profile: SellerProfile) -> None:
    if _changed(profile, "business_name", "skala_usaha", "region_code"):
        connection.execute(
            update(ENTRIES)
            .where(ENTRIES.c.seller_id == profile.user_id)
            .values(
                seller_name=profile.business_name,
                skala_usaha=profile.skala_usaha,
                seller_regency_code=profile.region_code[:5],
            )
        )
        _mark_for_feeds(connection, select(ENTRIES.c.product_id).where(ENTRIES.c.seller_id == profile.user_id))


@event.listens_for(User, "after_update")
def _maker_renamed(mapper: Any, connection: Connection, user: User) -> None:
    """A maker's name is the feeds' `nama_pelaku_usaha` when they have no business name."""
    if _changed(user, "full_name"):
        _mark_for_feeds(connection, select(ENTRIES.c.product_id).where(ENTRIES.c.seller_id == user.id))
