"""Keep what catalog entries copy from other tables in step: the cooperative's name, the unit's name and the maker's
business name, scale and region.

Result pages read `catalog_entries` alone, so when one of these changes (an operator renames a cooperative or a
unit, a maker edits their business profile) the entries that show it are updated in the same flush, whichever
service or API made the change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.engine import Connection

from marketplace.accounts.models import SellerProfile
from marketplace.catalog.models import CatalogEntry, ProductRevision, Unit
from marketplace.cooperatives.models import Cooperative

ENTRIES = CatalogEntry.__table__


def _changed(target: Any, *names: str) -> bool:
    """True when any of the attributes changed in this flush."""
    state = inspect(target)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Cooperative, "after_update")
def _cooperative_renamed(mapper: Any, connection: Connection, cooperative: Cooperative) -> None:
    if _changed(cooperative, "name"):
        connection.execute(
            update(ENTRIES).where(ENTRIES.c.cooperative_id == cooperative.id).values(cooperative_name=cooperative.name)
        )


@event.listens_for(Unit, "after_update")
def _unit_renamed(mapper: Any, connection: Connection, unit: Unit) -> None:
    if _changed(unit, "name"):
        revisions = select(ProductRevision.id).where(ProductRevision.unit_id == unit.id)
        connection.execute(update(ENTRIES).where(ENTRIES.c.revision_id.in_(revisions)).values(unit_name=unit.name))


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
