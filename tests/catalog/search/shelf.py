"""Build a small catalog for search and public page tests: makers, categories and approved products."""

from __future__ import annotations

import itertools
from datetime import timedelta

from marketplace.accounts.models import User
from marketplace.catalog.models import Category, Product
from marketplace.cooperatives.models import Cooperative
from marketplace.extensions import db
from tests.factories import CooperativeFactory, catalog_reference, listing, seller


class Shelf:
    """Products made through the real services, with neutral defaults so each test controls the searched text."""

    def __init__(self) -> None:
        self.reference = catalog_reference()
        self.cooperative = CooperativeFactory(name="KKMP Gununggedangan")
        self.maker = self.seller(cooperative=self.cooperative, business_name="UD Sumber Rejeki")
        self.leaf = self.category("Qa", "Qb", "Qc")  # names too short to be a typo of a searched word
        self._skus = itertools.count(1)

    def category(self, *names: str) -> Category:
        """A three-level path of new categories; returns the leaf."""
        parent = None
        for level, name in enumerate(names, start=1):
            parent = Category(name=name, level=level, parent=parent)
            db.session.add(parent)
        db.session.flush()
        return parent

    def seller(
        self,
        *,
        cooperative: Cooperative | None = None,
        skala: str = "mikro",
        region_code: str = "35.76.02.1001",
        business_name: str | None = None,
    ) -> User:
        user = seller(cooperative or self.cooperative)
        profile = user.seller_profile
        profile.skala_usaha = skala
        profile.region_code = region_code
        if business_name:
            profile.business_name = business_name
        db.session.flush()
        return user

    def product(self, name: str, *, maker: User | None = None, approved: bool = True, **overrides) -> Product:
        """An approved product (a draft when `approved=False`) named `name`, described only by its name."""
        values = {
            "sku": f"UJI-{next(self._skus):04d}",
            "name": name,
            "brand": None,
            "category_id": self.leaf.id,
            "short_description": None,
            "description": None,
            "specifications": [],
        }
        values.update(overrides)
        return listing(maker or self.maker, self.reference, approved=approved, **values)

    @staticmethod
    def age(product: Product, days: int) -> None:
        """Pretend the product was published `days` ago (for "newest" ordering)."""
        from marketplace.catalog.models import CatalogEntry

        entry = db.session.get(CatalogEntry, product.id)
        entry.published_at = entry.published_at - timedelta(days=days)
        db.session.flush()
