"""factory-boy factories that flush into the test's session."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from marketplace.accounts.auth import hash_password
from marketplace.accounts.models import Role, SellerProfile, User, UserRole
from marketplace.agencies.models import Agency, WorkUnit
from marketplace.catalog.models import ProductImage, ProductRevision, RevisionImage
from marketplace.cooperatives.models import Cooperative, Membership
from marketplace.extensions import db
from tests.support.identifiers import make_nik, make_npwp

PASSWORD = "kopi-tubruk-2026"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: scrypt is slow on purpose


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class CooperativeFactory(BaseFactory):
    class Meta:
        model = Cooperative

    code = factory.Sequence(lambda n: f"kkmp-uji-{n}")
    name = factory.Sequence(lambda n: f"KKMP Uji {n}")
    nib = factory.Sequence(lambda n: f"{9120000000000 + n}")
    npwp = factory.Sequence(lambda n: make_npwp(n))
    region_code = "35.76.02.1001"
    address = "Jl. Gajah Mada No. 1"
    datafeed_key = factory.Sequence(lambda n: f"key-{n:040d}")


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Pengguna {n}")
    password_hash = _PASSWORD_HASH
    locale = "id"

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            self.role_rows.append(UserRole(role=str(role)))
        if create:
            db.session.flush()


class SellerProfileFactory(BaseFactory):
    class Meta:
        model = SellerProfile

    user = factory.SubFactory(UserFactory, roles=[Role.SELLER])
    business_name = factory.Sequence(lambda n: f"UD Sumber Rejeki {n}")
    nib = factory.Sequence(lambda n: f"{8120000000000 + n}")
    npwp = factory.Sequence(lambda n: make_npwp(1000 + n))
    nik = factory.Sequence(lambda n: make_nik(n))
    skala_usaha = "mikro"
    kbli_codes = factory.LazyFunction(lambda: ["10793"])
    address = "Jl. Majapahit No. 5"
    region_code = "35.76.02.1001"


class MembershipFactory(BaseFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory, roles=[Role.SELLER])
    cooperative = factory.SubFactory(CooperativeFactory)
    status = "active"


class AgencyFactory(BaseFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Pemerintah Kota Uji {n}")
    kind = "pemda_kota"
    region_code = "35.76"


class WorkUnitFactory(BaseFactory):
    class Meta:
        model = WorkUnit

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Dinas Uji {n}")
    short_code = factory.Sequence(lambda n: f"dinas{n}")
    kode_satker = factory.Sequence(lambda n: f"{300000 + n}")
    region_code = "35.76"


def seller(cooperative: Cooperative | None = None, status: str = "active", **user_kwargs) -> User:
    """A seller with a complete UMKM profile and a membership in `cooperative`."""
    user = UserFactory(roles=[Role.SELLER], **user_kwargs)
    SellerProfileFactory(user=user)
    MembershipFactory(user=user, cooperative=cooperative or CooperativeFactory(), status=status)
    return user


def user_with_role(
    role: str, *, cooperative: Cooperative | None = None, work_unit: WorkUnit | None = None, **kwargs
) -> User:
    """A user ready for `role`: sellers get a membership, managers a cooperative, buyers a work unit."""
    if role == Role.SELLER:
        return seller(cooperative, **kwargs)
    if role == Role.COOP_MANAGER:
        return UserFactory(roles=[role], managed_cooperative=cooperative or CooperativeFactory(), **kwargs)
    if role in (Role.PP, Role.PPK, Role.BENDAHARA):
        return UserFactory(roles=[role], work_unit=work_unit or WorkUnitFactory(), **kwargs)
    return UserFactory(roles=[role], **kwargs)


# Catalog -------------------------------------------------------------------------------------------------------


def catalog_reference() -> dict:
    """A category path (3 levels), a KBKI code and the seeded units; returns their ids and codes."""
    from marketplace.catalog.models import Category, KbkiCode

    top = Category(name="Bahan Pokok", level=1)
    middle = Category(name="Beras dan Serealia", level=2, parent=top)
    leaf = Category(name="Beras", level=3, parent=middle)
    kbki = db.session.get(KbkiCode, "2316110001") or KbkiCode(code="2316110001", title="Beras putih", level=10)
    db.session.add_all([top, middle, leaf, kbki])
    db.session.flush()
    return {"category_id": leaf.id, "category_ids": [top.id, middle.id, leaf.id], "kbki": kbki.code}


def listing_data(reference: dict, **overrides) -> dict:
    """Valid listing fields under their API names."""
    from datetime import date, timedelta

    data = {
        "sku": "BRS-001",
        "name": "Beras Premium Majapahit 5 kg",
        "brand": "Majapahit",
        "category_id": reference["category_id"],
        "kbki": reference["kbki"],
        "unit": "Karung",
        "price": 72500,
        "ppn_percent": 0,
        "shipping_cost": 0,
        "stock": 40,
        "min_order": 1,
        "valid_until": (date.today() + timedelta(days=90)).isoformat(),
        "is_domestic": True,
        "tkdn": "45.5",
        "bmp": "5",
        "short_description": "Beras putih pulen dari sawah Mojokerto.",
        "description": "Beras premium.\nDikemas 5 kg.",
        "specifications": [{"label": "Berat", "value": "5 kg"}],
        "regional_prices": [],
    }
    data.update(overrides)
    return data


def listing(seller_user: User, reference: dict, *, approved: bool = True, **overrides):
    """A product of `seller_user` created through the services; approved by a manager unless `approved=False`."""
    from marketplace.catalog.services import approve_revision, create_listing

    revision = create_listing(actor=seller_user, data=listing_data(reference, **overrides), submit=approved)
    if approved:
        cooperative = seller_user.membership.cooperative
        manager = user_with_role(Role.COOP_MANAGER, cooperative=cooperative)
        approve_revision(actor=manager, revision_id=revision.id)
    return revision.product


def add_image(
    revision: ProductRevision, *, width: int = 800, height: int = 800, sizes: tuple[int, ...] = (50, 100, 300, 800)
) -> ProductImage:
    """Attach an image row (no file) to the revision, as the media service records one."""
    image = ProductImage(
        product_id=revision.product_id,
        storage_key=f"products/{revision.product_id}/{uuid.uuid4().hex}.jpg",
        content_type="image/jpeg",
        width=width,
        height=height,
        byte_size=1000,
        sizes=list(sizes),
        uploaded_by_id=revision.author_id,
    )
    db.session.add(image)
    db.session.flush()
    revision.images.append(
        RevisionImage(image_id=image.id, image=image, position=len(revision.images), is_main=not revision.images)
    )
    db.session.flush()
    return image


# Procurement ---------------------------------------------------------------------------------------------------


def order_form(**overrides) -> dict:
    """The checkout form's fields for a delivery in Kota Mojokerto a week from now (override any)."""
    values = {
        "kode_rup": "51234567",
        "rup_name": "Bantuan sembako warga rentan",
        "funding_source": "APBD",
        "budget_account": "5.1.02.01.01.0024",
        "delivery_address": "Jl. Pahlawan No. 1, Mojokerto",
        "delivery_region_code": "35.76.02.1001",
        "requested_arrival": date.today() + timedelta(days=7),
    }
    return {**values, **overrides}
