"""Demo listings: the active members of every Kota Mojokerto cooperative list 12 to 22 products between them.

Everything goes through `marketplace.catalog.services` as the seller and the cooperative's pengurus, so catalog
entries, the search index, revision histories and the audit trail are what real use leaves behind. In each
cooperative most products are approved and on sale; two wait for review, one was sent back with notes, one is on
sale with a price change waiting for review, one has a second approved version, one (or two) is withdrawn, and
larger cooperatives sometimes also have a draft and a refused price change. Each product gets a generated picture,
resized at once as the worker would, and products with a TKDN certificate get the certificate as a PDF attachment.

The services stamp everything `now`; the seed then dates each step back (the product's timestamps and the audit
events of that step) so the demo has a history: products published over the last months, a review queue of the
last days. Tasks the services enqueue are dropped: the image sizes are made here already, and nobody should get
hundreds of "your listing was approved" emails from a demo seed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import CatalogEntry, Product, ProductRevision
from marketplace.catalog.services import (
    add_attachment,
    add_image,
    approve_revision,
    create_listing,
    editable_product,
    make_image_sizes,
    reject_revision,
    request_changes,
    submit_listing,
    update_listing,
    withdraw_product,
)
from marketplace.cooperatives.models import Cooperative, Membership
from marketplace.cooperatives.states import MembershipStatus
from marketplace.core.timeutil import today_wib, utcnow
from marketplace.demo import product_templates as templates
from marketplace.demo.catalog_reference import ensure_catalog_reference
from marketplace.demo.product_images import render_certificate_pdf, render_product_image
from marketplace.demo.seeding import AuditClock, Timeline, audit_clock, sqlite_commits_without_fsync, tasks_dropped
from marketplace.extensions import db
from marketplace.reference.regions import get_region

APPROVED, PENDING, CHANGES, DRAFT = "approved", "pending", "changes_requested", "draft"
REVISED, PRICE_PENDING, PRICE_REFUSED, WITHDRAWN = "revised", "price_pending", "price_refused", "withdrawn"
#: How many days ago a product of each story was first written (the seed keeps it after the member joined).
AGE_DAYS = {
    APPROVED: (10, 150),
    PENDING: (1, 9),
    CHANGES: (3, 14),
    DRAFT: (0, 5),
    REVISED: (30, 150),
    PRICE_PENDING: (20, 150),
    PRICE_REFUSED: (30, 150),
    WITHDRAWN: (30, 150),
}
PRODUCTS_PER_COOPERATIVE = (12, 22)
CHANGE_NOTES = (
    "Mohon tambahkan foto kemasan tampak belakang yang memperlihatkan nomor P-IRT dan tanggal kedaluwarsa.",
    "Spesifikasi belum lengkap: tambahkan berat bersih dan masa simpan, lalu kirim ulang.",
    "Harga di atas harga pasar Kota Mojokerto. Mohon sesuaikan, atau jelaskan di deskripsi apa yang membuat "
    "harganya lebih tinggi.",
    "Nomor sertifikat TKDN belum diisi. Isi nomornya, atau tulis TKDN 0 bila belum bersertifikat.",
)
REFUSAL_REASONS = (
    "Kenaikan harga lebih dari 20% tanpa penjelasan. Harga lama tetap berlaku; ajukan lagi dengan dasar kenaikan "
    "harga bahan baku.",
    "Harga baru melebihi harga pasar Kota Mojokerto untuk barang sejenis. Harga lama tetap berlaku.",
)
WITHDRAWAL_REASONS = (
    "Bahan baku kosong sampai musim panen berikutnya.",
    "Kapasitas produksi penuh untuk pesanan bulan ini.",
    "Diganti model baru; foto dan harga baru menyusul.",
)
MEMBER_NUMBER = re.compile(r"\.(\d+)@")


@dataclass(frozen=True)
class Member:
    """An active member who lists products, with the templates of their business in listing order."""

    user: User
    number: int
    seller: templates.SellerContext
    joined: datetime
    templates: list[templates.ProductTemplate]


@dataclass(frozen=True)
class Plan:
    """One product to list: whose, from which template, with which data and which story."""

    member: Member
    template: templates.ProductTemplate
    data: dict
    story: str


@dataclass(frozen=True)
class CooperativePlan:
    """The products one cooperative's members list, and the pengurus who reviews them."""

    cooperative: Cooperative
    manager: User
    plans: list[Plan]


def plan_catalog(*, seed: int, today: date, category_ids: dict[str, int]) -> list[CooperativePlan]:
    """Decide every demo product (seller, template, data, story) without writing anything; deterministic."""
    rng = random.Random(seed)  # noqa: S311 - deterministic demo data, not secrets
    planned = []
    for cooperative in db.session.scalars(select(Cooperative).order_by(Cooperative.name)).all():
        manager = _manager_of(cooperative)
        members = _members_of(cooperative, rng)
        if manager is not None and members:
            planned.append(CooperativePlan(cooperative, manager, _plan(cooperative, members, category_ids, rng, today)))
    return planned


def seed_catalog(*, seed: int) -> int:
    """List the demo products of every cooperative (committing as the services do); return how many."""
    units = {template["unit"] for template in templates.all_templates()}
    with tasks_dropped(), sqlite_commits_without_fsync():
        category_ids = ensure_catalog_reference(sorted(units))
        db.session.commit()
        planned = plan_catalog(seed=seed, today=today_wib(), category_ids=category_ids)
        rng = random.Random(seed + 1)  # noqa: S311 - the stories' dates and notes
        for cooperative_plan in planned:
            for plan in cooperative_plan.plans:
                _list(plan, cooperative_plan.manager, rng)
    return sum(len(cooperative_plan.plans) for cooperative_plan in planned)


def _manager_of(cooperative: Cooperative) -> User | None:
    users = db.session.scalars(select(User).where(User.cooperative_id == cooperative.id).order_by(User.id)).all()
    return next((user for user in users if user.has_role(Role.COOP_MANAGER)), None)


def _members_of(cooperative: Cooperative, rng: random.Random) -> list[Member]:
    """The cooperative's active members whose business the templates know, by email."""
    memberships = db.session.scalars(
        select(Membership)
        .join(User, Membership.user_id == User.id)
        .where(Membership.cooperative_id == cooperative.id, Membership.status == MembershipStatus.ACTIVE)
        .order_by(User.email)
    ).all()
    members = []
    for index, membership in enumerate(memberships, start=1):
        user, profile = membership.user, membership.user.seller_profile
        kind = templates.kind_of(profile.kbli_codes if profile else [])
        if kind is None:
            continue
        region = get_region(profile.region_code)
        seller = templates.SellerContext(
            business=profile.business_name,
            brand=templates.brand_of(profile.business_name),
            kelurahan=region.name if region else cooperative.name.removeprefix("KKMP "),
        )
        number = MEMBER_NUMBER.search(user.email)
        members.append(
            Member(
                user=user,
                number=int(number.group(1)) if number else index,
                seller=seller,
                joined=membership.decided_at or membership.created_at,
                templates=templates.ordered_for(profile.business_name, templates.templates_by_kind()[kind], rng),
            )
        )
    return members


def _stories(count: int, rng: random.Random) -> list[str]:
    """The story of each product of a cooperative: a few of every kind, the rest simply approved."""
    special = [PENDING, PENDING, CHANGES, PRICE_PENDING, REVISED, WITHDRAWN]
    if count >= 16:
        special += [story for story in (DRAFT, PRICE_REFUSED, WITHDRAWN) if rng.random() < 0.5]
    stories = special + [APPROVED] * (count - len(special))
    rng.shuffle(stories)
    return stories


def _plan(
    cooperative: Cooperative, members: list[Member], category_ids: dict[str, int], rng: random.Random, today: date
) -> list[Plan]:
    """Spread 12–22 products over the members (as many as their templates allow), each with its story."""
    wanted = rng.randint(*PRODUCTS_PER_COOPERATIVE)
    picks: list[tuple[Member, templates.ProductTemplate]] = []
    taken = [0] * len(members)
    while len(picks) < wanted and any(taken[i] < len(m.templates) for i, m in enumerate(members)):
        for index, member in enumerate(members):
            if taken[index] < len(member.templates) and len(picks) < wanted:
                picks.append((member, member.templates[taken[index]]))
                taken[index] += 1
    plans = []
    sequence: dict[int, int] = {}
    for (member, template), story in zip(picks, _stories(len(picks), rng), strict=True):
        sequence[member.number] = sequence.get(member.number, 0) + 1
        data = templates.listing_data(
            template,
            member.seller,
            sku=f"{template['code']}-{member.number:02d}{sequence[member.number]:02d}",
            category_id=category_ids[template["category"]],
            is_pkp=cooperative.is_pkp,
            rng=rng,
            today=today,
        )
        plans.append(Plan(member, template, data, story))
    return plans


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def _list(plan: Plan, manager: User, rng: random.Random) -> Product:
    """List one product through the services and play its story, dating each step back."""
    low, high = AGE_DAYS[plan.story]
    start = max(utcnow() - timedelta(days=rng.uniform(low, high)), plan.member.joined + timedelta(days=1))
    timeline = Timeline(start)
    with audit_clock() as clock:
        product = _play(plan, manager, timeline, clock, rng)
    entry = db.session.get(CatalogEntry, product.id)
    if entry is not None:  # the catalog entry carries the back-dated publication
        entry.published_at = product.published_at
    product.updated_at = timeline.current
    db.session.commit()
    return product


def _play(plan: Plan, manager: User, timeline: Timeline, clock: AuditClock, rng: random.Random) -> Product:
    """Create the product and play its story through the services, dating each step."""
    seller, story = plan.member.user, plan.story

    revision = create_listing(actor=seller, data=plan.data)
    product = revision.product
    _add_media(plan, product)
    created = timeline.current
    clock.stamp(created)
    product.created_at = revision.created_at = revision.updated_at = created
    for link in revision.images:
        link.image.created_at = created
    for link in revision.attachments:
        link.attachment.created_at = created
    if story != DRAFT:
        submit_listing(actor=seller, product=product)
        _stamp_submitted(revision, timeline.after(_hours(rng, 0.3, 3)), clock)
    if story == CHANGES:
        request_changes(actor=manager, revision_id=revision.id, notes=rng.choice(CHANGE_NOTES))
        _stamp_decided(revision, timeline.after(_hours(rng, 4, 48)), clock)
    if story in (APPROVED, REVISED, PRICE_PENDING, PRICE_REFUSED, WITHDRAWN):
        approve_revision(actor=manager, revision_id=revision.id)
        approved = _stamp_decided(revision, timeline.after(_hours(rng, 4, 72)), clock)
        product.published_at = product.feed_changed_at = approved
    if story in (REVISED, PRICE_PENDING, PRICE_REFUSED):
        _propose_change(plan, product, manager, timeline, clock, rng)
    if story == WITHDRAWN:
        withdraw_product(
            actor=seller,
            product=editable_product(actor=seller, product_id=product.id),
            reason=rng.choice(WITHDRAWAL_REASONS),
        )
        product.feed_changed_at = timeline.after(timedelta(days=rng.uniform(5, 30)))
        clock.stamp(product.feed_changed_at)
    return product


def _stamp_submitted(revision: ProductRevision, moment: datetime, clock: AuditClock) -> datetime:
    revision.submitted_at = revision.updated_at = moment
    clock.stamp(moment)
    return moment


def _stamp_decided(revision: ProductRevision, moment: datetime, clock: AuditClock) -> datetime:
    revision.decided_at = revision.updated_at = moment
    clock.stamp(moment)
    return moment


def _propose_change(
    plan: Plan, product: Product, manager: User, timeline: Timeline, clock: AuditClock, rng: random.Random
) -> None:
    """A second version: a price change approved, waiting for review, or refused."""
    story = plan.story
    factor = {REVISED: rng.uniform(1.02, 1.08), PRICE_PENDING: rng.uniform(1.05, 1.12)}.get(
        story, rng.uniform(1.22, 1.3)
    )
    data = templates.changed_price(plan.data, plan.template, factor)
    data["stock"] = rng.randint(*plan.template["stock"])
    second = update_listing(actor=plan.member.user, product=product, data=data, submit=True)
    if story == PRICE_PENDING:
        moment = timeline.at_least(utcnow() - timedelta(days=rng.uniform(1, 7)))
    else:
        moment = timeline.after(timedelta(days=rng.uniform(3, 25)))
    second.created_at = moment
    _stamp_submitted(second, timeline.after(_hours(rng, 0.2, 2)), clock)
    if story == REVISED:
        approve_revision(actor=manager, revision_id=second.id)
        product.feed_changed_at = _stamp_decided(second, timeline.after(_hours(rng, 4, 72)), clock)
    elif story == PRICE_REFUSED:
        reject_revision(actor=manager, revision_id=second.id, reason=rng.choice(REFUSAL_REASONS))
        _stamp_decided(second, timeline.after(_hours(rng, 4, 48)), clock)


def _add_media(plan: Plan, product: Product) -> None:
    """The product's picture (with its sizes made now) and, when certified, its TKDN certificate as a PDF."""
    seller, data, template = plan.member.user, plan.data, plan.template
    picture = render_product_image(
        name=data["name"],
        brand=data["brand"],
        shape=template["shape"],
        top_category=template.top_category,
        motif=template.get("motif", ""),
    )
    upload = FileStorage(stream=BytesIO(picture), filename=f"{data['sku'].lower()}.jpg", content_type="image/jpeg")
    image = add_image(actor=seller, product=product, file_storage=upload)
    make_image_sizes(image_id=image.id)
    if data["tkdn_certificate"]:
        pdf = render_certificate_pdf(
            number=data["tkdn_certificate"],
            product=data["name"],
            maker=plan.member.seller.business,
            tkdn=data["tkdn"],
            bmp=data["bmp"],
        )
        upload = FileStorage(stream=BytesIO(pdf), filename="sertifikat-tkdn.pdf", content_type="application/pdf")
        add_attachment(actor=seller, product=product, file_storage=upload, description="Sertifikat TKDN")
