"""Kemendagri regions for address pickers: provinces → kab/kota → kecamatan → kelurahan/desa."""

from __future__ import annotations

from marketplace.api.framework import api_route, paginated_list
from marketplace.api.schemas.common import RegionOut, RegionQuery, page_of
from marketplace.core.pagination import Page
from marketplace.reference.regions import child_regions


@api_route(
    "/regions",
    query=RegionQuery,
    response=page_of(RegionOut),
    auth=False,
    description="The provinces without `parent`; otherwise the direct children of `parent`, sorted by name.",
    tags=["reference"],
)
def list_regions(query: RegionQuery) -> Page:
    """List the regions under a parent."""
    return paginated_list(child_regions(query.parent), query)
