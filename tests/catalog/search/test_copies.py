"""What catalog entries copy from other tables follows the source: names on the cards, the maker's scale and region
in the filters, and the live revision's PPN, shipping and regional prices."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.catalog.models import CatalogEntry, Unit
from marketplace.catalog.search.query import search_catalog
from marketplace.catalog.services import approve_revision, update_listing
from marketplace.catalog.services.reference.units import update_unit
from marketplace.cooperatives.services.profile import update_cooperative
from marketplace.extensions import db
from tests.factories import listing_data, user_with_role
from tests.support.identifiers import make_npwp


def only_hit(**kwargs):
    (hit,) = search_catalog(per_page=10, **kwargs).items
    return hit


def pkp(shelf) -> None:
    """Make the shelf's cooperative VAT-registered, so its products may carry PPN."""
    shelf.cooperative.is_pkp = True
    db.session.flush()


def test_an_entry_copies_what_its_card_shows(shelf) -> None:
    pkp(shelf)
    product = shelf.product(
        "Beras Pandan Wangi",
        unit="Karung",
        ppn_percent=11,
        shipping_cost=15000,
        regional_prices=[{"region_code": "35.76", "price": 70000, "shipping_cost": 5000}],
    )
    entry = db.session.get(CatalogEntry, product.id)
    assert (entry.cooperative_name, entry.seller_name) == ("KKMP Gununggedangan", "UD Sumber Rejeki")
    assert (entry.unit_name, entry.ppn_percent, entry.shipping_cost) == ("Karung", 11, 15000)
    assert entry.regional_prices == {"35.76": [70000, 5000]}
    hit = only_hit(text="pandan", delivery_region="35.76")
    assert (hit.price, hit.shipping_cost, hit.price_region, hit.price_with_ppn) == (70000, 5000, "35.76", 77700)
    assert (hit.cooperative_name, hit.seller_name, hit.unit_name) == (
        "KKMP Gununggedangan",
        "UD Sumber Rejeki",
        "Karung",
    )


def test_renaming_the_cooperative_renames_it_on_every_card(shelf) -> None:
    shelf.product("Gula Aren Cetak")
    operator = user_with_role(Role.OPERATOR)
    update_cooperative(actor=operator, cooperative=shelf.cooperative, data={"name": "KKMP Gununggedangan Jaya"})
    assert only_hit(text="gula").cooperative_name == "KKMP Gununggedangan Jaya"


def test_renaming_a_unit_renames_it_on_the_cards_of_products_using_it(shelf) -> None:
    sack = shelf.product("Beras Merah", unit="Karung")
    shelf.product("Gula Pasir", unit="Kilogram")
    unit = db.session.scalar(select(Unit).where(Unit.name == "Karung"))
    update_unit(actor=user_with_role(Role.OPERATOR), unit_id=unit.id, name="Karung Goni")
    assert only_hit(text="beras").unit_name == "Karung Goni"
    assert only_hit(text="gula").unit_name == "Kilogram"
    assert db.session.get(CatalogEntry, sack.id).unit_name == "Karung Goni"


def test_the_makers_profile_reaches_cards_and_filters(shelf) -> None:
    shelf.product("Kerupuk Udang")
    assert [hit.entry.name for hit in search_catalog(skala="kecil").items] == []
    profile = shelf.maker.seller_profile
    profile.business_name = "CV Sumber Rejeki Abadi"
    profile.skala_usaha = "kecil"
    profile.region_code = "35.16.01.2001"
    db.session.flush()
    hit = only_hit(skala="kecil", seller_regency="35.16")
    assert (hit.seller_name, hit.entry.skala_usaha, hit.entry.seller_regency_code) == (
        "CV Sumber Rejeki Abadi",
        "kecil",
        "35.16",
    )


def test_an_approved_change_replaces_the_copied_prices(shelf) -> None:
    pkp(shelf)
    product = shelf.product(
        "Minyak Goreng", ppn_percent=11, regional_prices=[{"region_code": "35", "price": 30000, "shipping_cost": 0}]
    )
    revision = update_listing(
        actor=shelf.maker,
        product=product,
        data=listing_data(
            shelf.reference,
            sku=product.sku,
            name="Minyak Goreng",
            category_id=shelf.leaf.id,
            ppn_percent=12,
            regional_prices=[],
        ),
        submit=True,
    )
    approve_revision(actor=user_with_role(Role.COOP_MANAGER, cooperative=shelf.cooperative), revision_id=revision.id)
    hit = only_hit(text="minyak", delivery_region="35.76")
    assert (hit.ppn_percent, hit.price_region, hit.entry.regional_prices) == (12, None, None)


def changed_marks(*products) -> list:
    for product in products:
        db.session.refresh(product, ["feed_changed_at"])
    return [product.feed_changed_at for product in products]


def test_a_value_the_feeds_carry_marks_its_products_for_the_next_delta(shelf) -> None:
    product = shelf.product("Gula Aren Cetak", unit="Karung")
    other = shelf.product("Madu Hutan", unit="Kilogram")
    marks = changed_marks(product, other)
    operator = user_with_role(Role.OPERATOR)

    update_cooperative(actor=operator, cooperative=shelf.cooperative, data={"npwp": make_npwp(4242)})
    after_npwp = changed_marks(product, other)
    assert all(now > before for now, before in zip(after_npwp, marks, strict=True))  # nama/npwp_penyedia: all

    unit = db.session.scalar(select(Unit).where(Unit.name == "Karung"))
    update_unit(actor=operator, unit_id=unit.id, name="Karung Goni")
    after_unit = changed_marks(product, other)
    assert after_unit[0] > after_npwp[0] and after_unit[1] == after_npwp[1]  # only the product using the unit

    shelf.leaf.name = "Gula dan Pemanis"
    db.session.flush()
    after_category = changed_marks(product, other)
    assert after_category[0] > after_unit[0] and after_category[1] > after_unit[1]  # both in that category


def test_renaming_the_maker_marks_their_products_for_the_feeds(shelf) -> None:
    product = shelf.product("Keripik Tempe")
    (before,) = changed_marks(product)
    shelf.maker.full_name = "Bu Siti Rahayu"
    db.session.flush()
    assert changed_marks(product)[0] > before
