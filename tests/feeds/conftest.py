"""Shared feed fixtures: a cooperative whose published catalog has the hard cases of the feed spec.

`feed_catalog` (rolled back after the test) and `build_feed_catalog()` (call it yourself under `committed_db`,
e.g. for a real worker) make the same catalog. Products, by key of `FeedCatalog.products`:

- `beras`: complete: two images (800 px main), specifications, regional prices (`35`, `35.76`), an attachment,
  TKDN 45.5 % with certificate, BMP 5 %, PPN 11 %;
- `tricky`: text that breaks naive writers: name starting with `=`, brand with `+`, short description with `-`,
  a description with commas, quotes, CRLF and LF line breaks and emoji, specifications starting with `@`, a tab
  and a CR, HTML in nothing (see `html`);
- `kbki_zero`: KBKI `0111100001` (leading zero), weight 0.25 kg, imported (TKDN 0), no retail price;
- `big_price`: price 9,999,999,999,999 with PPN 12 %, stock 0 (warning);
- `no_image`: no image at all (warning), no specifications, a national price only;
- `html`: HTML descriptions (`<p>`, `<br>`, `&amp;`) that the feeds strip to plain text;
- `withdrawn`: published then withdrawn (only in delta feeds and datafeed snapshots, `produk_aktif` 0);
- `expired`: price validity in the past: an error, left out of every feed and listed in the report;
- `draft`: never approved: in no feed.

Their `feed_changed_at` are fixed, one hour apart in the order above (`FEED_TIMES`), so feed order is known:
`beras, tricky, kbki_zero, big_price, no_image, html, withdrawn, expired`. `other` is a product of another
cooperative (`other_cooperative`). The cooperative's NIB and NPWP start with 0 (text cells).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import (
    KbkiCode,
    Product,
    ProductAttachment,
    ProductRevision,
    RevisionAttachment,
)
from marketplace.catalog.services import create_listing, withdraw_product
from marketplace.cooperatives.models import Cooperative
from marketplace.core.timeutil import today_wib
from marketplace.extensions import db as database
from tests.factories import (
    CooperativeFactory,
    add_image,
    catalog_reference,
    listing,
    listing_data,
    seller,
    user_with_role,
)

#: The order of the published products in a feed (by `feed_changed_at`).
FEED_ORDER = ("beras", "tricky", "kbki_zero", "big_price", "no_image", "html", "withdrawn", "expired")
FEED_TIMES = {key: datetime(2026, 11, 20, 1, 0, tzinfo=UTC) + timedelta(hours=i) for i, key in enumerate(FEED_ORDER)}
TRICKY_DESCRIPTION = 'Isi 5 kg, "premium", pulen;\r\nBaris dua, koma, titik.\nBaris tiga 🍚🌾 selesai'
HTML_DESCRIPTION = "<p>Beras <b>pulen</b> &amp; wangi</p><p>Baris dua<br>Baris tiga</p>"


@dataclass
class FeedCatalog:
    cooperative: Cooperative
    other_cooperative: Cooperative
    maker: User
    manager: User
    operator: User
    #: Every product above by key, plus `draft` and `other`.
    products: dict[str, Product] = field(default_factory=dict)
    #: The WIB date the catalog was made for (price validity is relative to it).
    today: date = field(default_factory=today_wib)

    def sku(self, key: str) -> str:
        return self.products[key].sku

    @property
    def published_keys(self) -> tuple[str, ...]:
        """Products with a live revision, in feed order (active, withdrawn and expired)."""
        return FEED_ORDER

    @property
    def exported_keys(self) -> tuple[str, ...]:
        """Products a full feed writes: active and without errors."""
        return tuple(key for key in FEED_ORDER if key not in ("withdrawn", "expired"))


def add_attachment(revision: ProductRevision, description: str | None = "Sertifikat TKDN") -> ProductAttachment:
    """Attach a PDF row (no file) to the revision."""
    attachment = ProductAttachment(
        product_id=revision.product_id,
        storage_key=f"attachments/{revision.product_id}/{uuid.uuid4().hex}.pdf",
        filename="sertifikat.pdf",
        content_type="application/pdf",
        byte_size=2000,
        uploaded_by_id=revision.author_id,
    )
    database.session.add(attachment)
    database.session.flush()
    revision.attachments.append(
        RevisionAttachment(attachment_id=attachment.id, attachment=attachment, description=description)
    )
    database.session.flush()
    return attachment


def _publish(maker: User, reference: dict, key: str, **overrides) -> Product:
    return listing(maker, reference, sku=overrides.pop("sku", f"{key.upper().replace('_', '-')}-001"), **overrides)


def build_feed_catalog() -> FeedCatalog:
    """Create the catalog described in the module doc (flushed and committed through the services)."""
    reference = catalog_reference()
    if database.session.get(KbkiCode, "0111100001") is None:
        database.session.add(KbkiCode(code="0111100001", title="Gandum", level=10))
        database.session.flush()
    cooperative = CooperativeFactory(
        code=f"kkmp-feed-{uuid.uuid4().hex[:6]}",
        name="KKMP Gununggedangan",
        nib="0123456789012",
        npwp="0012345678901234",
        is_pkp=True,
    )
    other_cooperative = CooperativeFactory(name="KKMP Lain")
    maker = seller(cooperative, full_name="Bu Siti")
    maker.seller_profile.business_name = "UD Beras Siti"
    maker.seller_profile.skala_usaha = "kecil"
    manager = user_with_role(Role.COOP_MANAGER, cooperative=cooperative, full_name="Pak Pengurus")
    operator = user_with_role(Role.OPERATOR)
    catalog = FeedCatalog(cooperative, other_cooperative, maker, manager, operator)
    products = catalog.products

    products["beras"] = beras = _publish(
        maker,
        reference,
        "beras",
        ppn_percent=11,
        retail_price=80000,
        tkdn_certificate="TKDN-2026-0001",
        specifications=[{"label": "Berat", "value": "5 kg"}, {"label": "Jenis", "value": "Pulen"}],
        regional_prices=[
            {"region_code": "35", "price": 73000, "shipping_cost": 5000},
            {"region_code": "35.76", "price": 72000, "shipping_cost": 0},
        ],
        weight_kg="5",
        sni_number="SNI 6128:2020",
    )
    add_image(beras.live_revision)
    add_image(beras.live_revision, width=1200, height=900, sizes=(50, 100, 300, 800))
    add_attachment(beras.live_revision)

    products["tricky"] = tricky = _publish(
        maker,
        reference,
        "tricky",
        specifications=[{"label": "Catatan", "value": "-"}],
        tkdn_certificate="TKDN-2026-0002",
    )
    revision = tricky.live_revision
    revision.name = '=SUM(A1:A2) Beras, "Spesial"'
    revision.brand = "+62 Jaya"
    revision.short_description = '-diskon 10%, "hemat"'
    revision.description = TRICKY_DESCRIPTION
    revision.sni_number = "@SNI"
    revision.specifications = [
        {"label": "@Asal", "value": "Mojokerto, Jawa Timur"},
        {"label": "\tTab", "value": "\rCR"},
        {"label": "Rasa", "value": "Gurih 😋"},
    ]
    add_image(revision, width=400, height=300, sizes=(50, 100, 300))

    products["kbki_zero"] = kbki_zero = _publish(
        maker, reference, "kbki_zero", is_domestic=False, tkdn="0", bmp="0", weight_kg="0.25"
    )
    kbki_zero.live_revision.kbki_code = "0111100001"
    add_image(kbki_zero.live_revision)

    products["big_price"] = big = _publish(maker, reference, "big_price", ppn_percent=12, tkdn_certificate="T-3")
    big.live_revision.price = 9_999_999_999_999
    add_image(big.live_revision)

    products["no_image"] = _publish(maker, reference, "no_image", specifications=[], tkdn_certificate="T-4")

    products["html"] = html = _publish(maker, reference, "html", tkdn_certificate="T-5")
    html.live_revision.description = HTML_DESCRIPTION
    html.live_revision.short_description = "Beras <i>wangi</i> &amp; pulen"
    add_image(html.live_revision)

    products["withdrawn"] = withdrawn = _publish(maker, reference, "withdrawn", tkdn_certificate="T-6")
    withdraw_product(actor=manager, product=withdrawn, reason="Tidak diproduksi lagi")

    products["expired"] = expired = _publish(maker, reference, "expired", tkdn_certificate="T-7")
    add_image(expired.live_revision)
    products["draft"] = create_listing(actor=maker, data=listing_data(reference, sku="DRAFT-001")).product

    other_maker = seller(other_cooperative, full_name="Pak Lain")
    products["other"] = _publish(other_maker, reference, "other", tkdn_certificate="T-8")

    big.stock = 0
    expired.valid_until = catalog.today - timedelta(days=1)
    for key, moment in FEED_TIMES.items():
        products[key].feed_changed_at = moment
    products["other"].feed_changed_at = FEED_TIMES["beras"]
    database.session.commit()
    return catalog


@pytest.fixture
def feed_catalog(db) -> FeedCatalog:
    """The catalog of the module doc, rolled back after the test."""
    return build_feed_catalog()


@pytest.fixture
def records(feed_catalog) -> list:
    """The feed catalog's records (withdrawn included), as a full feed reads them."""
    from marketplace.feeds.records import iter_records

    return list(
        iter_records(
            cooperative_ids=[feed_catalog.cooperative.id],
            changed_since=None,
            until=datetime(2030, 1, 1, tzinfo=UTC),
            include_withdrawn=True,
        )
    )
