"""The demo's catalog data without seeding it all: reference lists, product templates, images and the plan."""

from __future__ import annotations

import random
from datetime import date, timedelta
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from marketplace.catalog.images import inspect_image
from marketplace.catalog.models import Category, KbkiCode, Unit
from marketplace.catalog.rules import clean_listing
from marketplace.catalog.services.media import looks_like_pdf
from marketplace.core.errors import ValidationFailed
from marketplace.core.tasks import enqueue_after_commit
from marketplace.demo import product_templates as templates
from marketplace.demo import seed_demo
from marketplace.demo.catalog import PRODUCTS_PER_COOPERATIVE, plan_catalog
from marketplace.demo.catalog_reference import CATEGORY_TREE, ensure_catalog_reference, kbki_rows
from marketplace.demo.people import BUSINESSES
from marketplace.demo.product_images import SHAPES, render_certificate_pdf, render_product_image
from marketplace.demo.seeding import tasks_dropped

TODAY = date(2026, 3, 2)
SELLER = templates.SellerContext(business="UD Beras Sumber Rejeki", brand="Sumber Rejeki", kelurahan="Kranggan")


@pytest.fixture
def reference(db) -> dict[str, int]:
    units = sorted({template["unit"] for template in templates.all_templates()})
    return ensure_catalog_reference(units)


def test_kbki_list_is_a_tree_of_10_digit_codes_under_real_cpc_subclasses() -> None:
    rows = kbki_rows()
    codes = {code for code, _ in rows}
    assert len(codes) == len(rows)
    assert {len(code) for code in codes} == {5, 7, 10}
    for code in codes:
        assert code.isdigit()
        if len(code) > 5:
            assert code[:5] in codes and (len(code) == 7 or code[:7] in codes), code
    # the staples the issue names, by their UN CPC subclass
    for subclass in ("23161", "21652", "23520", "02312", "23110", "23490", "23999", "26610", "29330", "63391"):
        assert subclass in codes
    assert {template["kbki"] for template in templates.all_templates()} <= {c for c in codes if len(c) == 10}


def test_reference_data_is_added_once_with_three_levels(db, reference) -> None:
    assert "Bahan Pokok/Beras dan Serealia/Beras" in reference
    assert "Tekstil/Batik/Batik Tulis" in reference and "Jasa/Katering/Nasi Kotak" in reference
    leaf = db.session.get(Category, reference["Alas Kaki/Sepatu/Sepatu Kulit"])
    assert (leaf.level, leaf.parent.level, leaf.parent.parent.level) == (3, 2, 1)
    assert leaf.parent.parent.name == "Alas Kaki"
    assert db.session.scalar(select(Unit).where(Unit.name == "Pasang")) is not None
    counts = (len(db.session.scalars(select(Category)).all()), len(db.session.scalars(select(KbkiCode)).all()))
    assert ensure_catalog_reference(["Pasang", "Karung"]) == reference  # idempotent
    assert (len(db.session.scalars(select(Category)).all()), len(db.session.scalars(select(KbkiCode)).all())) == counts
    assert sum(len(leaves) for middle in CATEGORY_TREE.values() for leaves in middle.values()) == len(reference)


def test_every_business_kind_has_enough_templates_for_a_cooperative_of_one() -> None:
    by_kind = templates.templates_by_kind()
    for business in BUSINESSES:
        kind = templates.kind_of(list(business.kbli))
        assert kind in by_kind, business.names
        assert len(by_kind[kind]) >= PRODUCTS_PER_COOPERATIVE[0], kind
    assert set(by_kind) == set(templates.KIND_OF_KBLI.values())


def test_every_template_makes_a_valid_listing(db, reference) -> None:
    problems: dict[str, object] = {}
    for template in templates.all_templates():
        try:
            _check_template(template, reference)
        except (AssertionError, KeyError, ValidationFailed) as error:
            problems[template.key] = getattr(error, "fields", None) or repr(error)
    assert problems == {}
    assert len(templates.all_templates()) >= 120


def _check_template(template: templates.ProductTemplate, reference: dict[str, int]) -> None:
    data = templates.listing_data(
        template,
        SELLER,
        sku="BRS-0101",
        category_id=reference[template["category"]],
        is_pkp=True,
        rng=random.Random(7),
        today=TODAY,
    )
    values = clean_listing(data, is_pkp=True, today=TODAY)  # raises ValidationFailed on any bad field
    assert "{" not in values["name"] + values["description"] + values["short_description"]
    assert "\n" in values["description"] and values["specifications"]
    assert 60 <= (values["valid_until"] - TODAY).days <= 180
    assert values["ppn_percent"] == 11 and values["is_domestic"]
    assert 0 <= values["bmp_x100"] <= 1500 and 2000 <= values["tkdn_x100"] <= 9500
    assert {item["region_code"] for item in values["regional_prices"]} <= {"35", "35.16", "35.76"}
    if template["pricing"] == "local":
        assert not values["national_price"] and len(values["regional_prices"]) == 2
    assert template["shape"] in SHAPES


def test_brand_is_the_business_without_what_it_does() -> None:
    assert templates.brand_of("UD Beras Sumber Rejeki") == "Sumber Rejeki"
    assert templates.brand_of("Batik Tulis Majapahit Kranggan") == "Majapahit Kranggan"
    assert templates.brand_of("Catering Bu Dewi") == "Bu Dewi"
    assert templates.brand_of("Kerupuk Rambak Meri") == "Rambak Meri"
    assert templates.brand_of("Percetakan") == "Percetakan"


def test_a_business_lists_what_its_name_says_first() -> None:
    batik = templates.templates_by_kind()["batik"]
    cap_first = templates.ordered_for("Batik Cap Sinar Jaya", batik, random.Random(1))
    tulis_first = templates.ordered_for("Batik Tulis Majapahit Miji", batik, random.Random(1))
    assert all("cap" in template.get("prefer", []) for template in cap_first[:4])
    assert all("tulis" in template.get("prefer", []) for template in tulis_first[:4])


def test_a_price_change_moves_every_price() -> None:
    template = templates.templates_by_kind()["beras"][0]
    data = templates.listing_data(
        template, SELLER, sku="BRS-0101", category_id=1, is_pkp=False, rng=random.Random(3), today=TODAY
    )
    changed = templates.changed_price(data, template, 1.1)
    assert changed["price"] > data["price"] and changed["ppn_percent"] == 0
    pairs = zip(changed["regional_prices"], data["regional_prices"], strict=True)
    assert all(new["price"] > old["price"] for new, old in pairs)
    assert (
        data["price"]
        == templates.listing_data(
            template, SELLER, sku="BRS-0101", category_id=1, is_pkp=False, rng=random.Random(3), today=TODAY
        )["price"]
    )


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_product_images_are_800_px_jpegs_the_upload_check_accepts(shape) -> None:
    data = render_product_image(
        name="Batik Tulis Majapahit Motif Surya Majapahit 2×1,15 m",
        brand="Majapahit Miji",
        shape=shape,
        top_category="Tekstil",
        motif="Surya Majapahit",
    )
    info = inspect_image(data)
    assert (info.content_type, info.width, info.height) == ("image/jpeg", 800, 800)
    with Image.open(BytesIO(data)) as picture:
        assert len(picture.convert("L").getcolors(maxcolors=256 * 256)) > 8  # a drawing, not a blank square


def test_certificate_pdf_is_a_pdf_marked_as_demo_data() -> None:
    pdf = render_certificate_pdf(number="1234/SJ-IND.8/TKDN/5/2025", product="Beras", maker="UD", tkdn="70", bmp="5")
    assert looks_like_pdf(pdf)


def test_tasks_enqueued_inside_tasks_dropped_are_not_sent(db, sent_tasks) -> None:
    with tasks_dropped():
        enqueue_after_commit("notifications.send_email", to="x@demo.test", subject="s", body="b")
        db.session.commit()
    assert sent_tasks == []
    enqueue_after_commit("notifications.send_email", to="x@demo.test", subject="s", body="b")
    db.session.commit()
    assert [name for name, _ in sent_tasks] == ["notifications.send_email"]


def test_the_plan_is_deterministic_and_fits_each_cooperative(db, reference) -> None:
    seed_demo(products=False)
    first = plan_catalog(seed=11, today=TODAY, category_ids=reference)
    again = plan_catalog(seed=11, today=TODAY, category_ids=reference)
    assert [[p.data for p in c.plans] for c in first] == [[p.data for p in c.plans] for c in again]
    assert len(first) == 18
    for cooperative_plan in first:
        plans = cooperative_plan.plans
        assert 10 <= len(plans) <= 30
        assert len({plan.data["sku"] for plan in plans}) == len(plans)
        assert {plan.member.user.membership.cooperative_id for plan in plans} == {cooperative_plan.cooperative.id}
        assert all(plan.member.user.membership.status == "active" for plan in plans)
        stories = [plan.story for plan in plans]
        assert stories.count("approved") >= len(plans) // 3
        assert all(plan.data["valid_until"] > (TODAY + timedelta(days=59)).isoformat() for plan in plans)
    other = plan_catalog(seed=12, today=TODAY, category_ids=reference)
    assert [p.data["price"] for c in other for p in c.plans] != [p.data["price"] for c in first for p in c.plans]
