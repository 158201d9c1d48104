"""What the API shows of products: the live version, revisions, images and attachments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from flask import url_for
from pydantic import Field

from marketplace.api.schemas.accounts import CooperativeRef
from marketplace.api.schemas.common import OutModel
from marketplace.catalog.display import category_path
from marketplace.catalog.models import Product, ProductRevision
from marketplace.catalog.states import EDITABLE_REVISION_STATES, PRODUCT, ProductStatus, RevisionStatus
from marketplace.core.money import with_ppn
from marketplace.core.templating import region_name


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL of a page or file."""
    return url_for(endpoint, _external=True, **values)


def percent(value_x100: int) -> float:
    """A percentage stored × 100 as a number: 4025 → 40.25."""
    return value_x100 / 100


class SpecificationOut(OutModel):
    label: str
    value: str


class RegionalPriceOut(OutModel):
    region_code: str
    region_name: str
    price: int = Field(description="Excluding PPN")
    price_with_ppn: int
    shipping_cost: int


class ImageOut(OutModel):
    id: int
    is_main: bool
    position: int
    content_type: str
    width: int
    height: int
    byte_size: int
    sizes: list[int] = Field(description="Resized versions made so far (longest side in px)")
    url: str | None = Field(description="The original")
    urls: dict[str, str] = Field(description="URL of each resized version made so far, keyed by size")

    @classmethod
    def of(cls, link: Any) -> ImageOut:
        """From a RevisionImage (the image with its place in the revision)."""
        image = link.image
        sizes = sorted(image.sizes or [])
        return cls(
            id=image.id,
            is_main=link.is_main,
            position=link.position,
            content_type=image.content_type,
            width=image.width,
            height=image.height,
            byte_size=image.byte_size,
            sizes=sizes,
            url=external_url("media.image", image_id=image.id, size="original"),
            urls={
                str(size): url
                for size in sizes
                if (url := external_url("media.image", image_id=image.id, size=size)) is not None
            },
        )


class AttachmentOut(OutModel):
    id: int
    filename: str
    description: str | None
    content_type: str
    byte_size: int
    url: str | None

    @classmethod
    def of(cls, link: Any) -> AttachmentOut:
        """From a RevisionAttachment."""
        attachment = link.attachment
        return cls(
            id=attachment.id,
            filename=attachment.filename,
            description=link.description,
            content_type=attachment.content_type,
            byte_size=attachment.byte_size,
            url=external_url("media.attachment", attachment_id=attachment.id),
        )


class ListingOut(OutModel):
    """A version of a product's e-Katalog data, under the field names the requests use."""

    name: str
    brand: str | None
    category_id: int | None
    category_path: str = Field(description="e.g. Bahan Pokok › Beras dan Serealia › Beras")
    kbki: str | None
    unit: str | None
    price: int = Field(description="Government price excluding PPN, integer rupiah")
    price_with_ppn: int = Field(description="Price including PPN, rounded half up to whole rupiah")
    retail_price: int | None
    ppn_percent: int
    shipping_cost: int
    national_price: bool
    stock: int
    min_order: int
    valid_until: date | None
    is_domestic: bool
    tkdn: float
    tkdn_certificate: str | None
    bmp: float
    tkdn_bmp: float = Field(description="TKDN + BMP; 40 or more meets the PDN obligation")
    sni_number: str | None
    weight_kg: float | None
    short_description: str | None
    description: str | None
    specifications: list[SpecificationOut]
    regional_prices: list[RegionalPriceOut]
    images: list[ImageOut]
    attachments: list[AttachmentOut]
    lkpp_category_id: str | None
    unspsc: int | None

    @classmethod
    def values(cls, revision: ProductRevision) -> dict[str, Any]:
        """The fields of a revision, as this schema names them."""
        ppn = revision.ppn_percent
        return {
            "name": revision.name,
            "brand": revision.brand,
            "category_id": revision.category_id,
            "category_path": category_path(revision.category_id),
            "kbki": revision.kbki_code,
            "unit": revision.unit.name if revision.unit else None,
            "price": revision.price,
            "price_with_ppn": with_ppn(revision.price, ppn),
            "retail_price": revision.retail_price,
            "ppn_percent": ppn,
            "shipping_cost": revision.shipping_cost,
            "national_price": revision.national_price,
            "stock": revision.stock,
            "min_order": revision.min_order,
            "valid_until": revision.valid_until,
            "is_domestic": revision.is_domestic,
            "tkdn": percent(revision.tkdn_x100),
            "tkdn_certificate": revision.tkdn_certificate,
            "bmp": percent(revision.bmp_x100),
            "tkdn_bmp": percent(revision.tkdn_x100 + revision.bmp_x100),
            "sni_number": revision.sni_number,
            "weight_kg": None if revision.weight_grams is None else revision.weight_grams / 1000,
            "short_description": revision.short_description,
            "description": revision.description,
            "specifications": [SpecificationOut(**item) for item in revision.specifications or []],
            "regional_prices": [
                RegionalPriceOut(
                    region_code=rp.region_code,
                    region_name=region_name(rp.region_code),
                    price=rp.price,
                    price_with_ppn=with_ppn(rp.price, ppn),
                    shipping_cost=rp.shipping_cost,
                )
                for rp in revision.regional_prices
            ],
            "images": [ImageOut.of(link) for link in sorted(revision.images, key=_position)],
            "attachments": [AttachmentOut.of(link) for link in revision.attachments],
            "lkpp_category_id": revision.lkpp_category_id,
            "unspsc": revision.unspsc,
        }

    @classmethod
    def live_of(cls, product: Product) -> ListingOut | None:
        """The live version, with the product's current stock and price validity (they change without review)."""
        if product.live_revision is None:
            return None
        values = cls.values(product.live_revision)
        values.update(stock=product.stock, valid_until=product.valid_until)
        return cls(**values)


def _position(link: Any) -> int:
    return link.position


class RevisionOut(ListingOut):
    """A revision: its data, its place in the review and the manager's reason or notes."""

    id: int
    number: int = Field(description="1, 2, 3… per product")
    status: RevisionStatus
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_note: str | None = Field(description="The rejection reason or the notes sent back by the manager")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, revision: ProductRevision) -> RevisionOut:
        """From a revision of any status."""
        return cls(
            **cls.values(revision),
            id=revision.id,
            number=revision.number,
            status=revision.status,
            submitted_at=revision.submitted_at,
            decided_at=revision.decided_at,
            decision_note=revision.decision_note,
            created_at=revision.created_at,
            updated_at=revision.updated_at,
        )


class MakerOut(OutModel):
    """The UMKM member who makes the product."""

    id: int
    business_name: str | None
    skala_usaha: str | None = Field(description="mikro, kecil or menengah")
    regency_code: str | None = Field(description="Kab/kota of the business")
    regency_name: str | None

    @classmethod
    def of(cls, user: Any) -> MakerOut:
        """From the maker's account and UMKM profile."""
        profile = user.seller_profile
        regency = profile.region_code[:5] if profile else None
        return cls(
            id=user.id,
            business_name=profile.business_name if profile else None,
            skala_usaha=profile.skala_usaha if profile else None,
            regency_code=regency,
            regency_name=region_name(regency) or None,
        )


ProductAction = Literal["edit", "submit", "withdraw"]


class ProductOut(OutModel):
    """A product: its live version and, for its maker, managers and operators, the revision after it."""

    id: int
    sku: str
    status: ProductStatus = Field(description="draft (never approved), active (on sale) or withdrawn")
    cooperative: CooperativeRef = Field(description="The provider (penyedia)")
    seller: MakerOut
    stock: int = Field(description="Units available now")
    valid_until: date | None = Field(description="Live price validity")
    published_at: datetime | None = Field(description="First approval")
    updated_at: datetime
    url: str | None = Field(description="The public product page, while on sale")
    live: ListingOut | None = Field(description="The approved version on sale; null before the first approval")
    latest_revision: RevisionOut | None = Field(
        None,
        description="The newest revision when it is not the live version (draft, submitted, changes_requested or "
        "rejected, with the manager's notes or reason); only for the maker, the cooperative's managers and operators",
    )
    allowed_actions: list[ProductAction] = Field(
        default_factory=list, description="What the caller may do now (empty for the public)"
    )

    @classmethod
    def of(cls, product: Product, *, owner_view: bool = False, editable: bool = False) -> ProductOut:
        """The product as the public sees it; with `owner_view` also its newest revision, with `editable` (an owner
        who may change it) the actions the caller may take."""
        newest = unpublished_revision(product) if owner_view else None
        return cls(
            id=product.id,
            sku=product.sku,
            status=product.status,
            cooperative=CooperativeRef.model_validate(product.cooperative),
            seller=MakerOut.of(product.seller),
            stock=product.stock,
            valid_until=product.valid_until,
            published_at=product.published_at,
            updated_at=product.updated_at,
            url=external_url("catalog.product", product_id=product.id)
            if product.status == ProductStatus.ACTIVE
            else None,
            live=ListingOut.live_of(product),
            latest_revision=RevisionOut.of(newest) if newest is not None else None,
            allowed_actions=_actions(product, newest) if editable else [],
        )


def unpublished_revision(product: Product) -> ProductRevision | None:
    """The newest revision when it is not the live version (draft, submitted, sent back or rejected)."""
    newest = product.revisions[-1] if product.revisions else None
    return None if newest is None or newest.id == product.live_revision_id else newest


def _actions(product: Product, newest: ProductRevision | None) -> list[ProductAction]:
    """What an owner who may change the product can do with it now."""
    actions: list[ProductAction] = []
    if newest is not None and newest.status in EDITABLE_REVISION_STATES:
        actions += ["edit", "submit"]
    elif product.live_revision is not None and (newest is None or newest.status != RevisionStatus.SUBMITTED):
        actions.append("edit")  # starts a new revision from the live version
    if PRODUCT.can(product, "withdraw"):
        actions.append("withdraw")
    return actions
