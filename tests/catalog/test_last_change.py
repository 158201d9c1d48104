"""`products.last_change_at`: moved by every change of a listing made through the ORM (the product, its revisions
and their parts), whichever service makes it; not by orders taking stock, feed marks or mass withdrawals; filled by
its migration from the latest revision, as "my products" sorted before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from marketplace.catalog.models import Product
from marketplace.catalog.services import (
    approve_revision,
    reject_revision,
    submit_listing,
    update_listing,
    update_stock,
    withdraw_product,
    withdraw_products_on_sale,
)
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db as database
from marketplace.procurement.services import stock
from tests.factories import add_image, listing_data
from tests.support.database import app_migrated_to

LONG_AGO = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def dated_back(product: Product) -> Product:
    """The product as last changed long ago (a value set by the caller is kept)."""
    product.last_change_at = LONG_AGO
    database.session.commit()
    assert product.last_change_at == LONG_AGO
    return product


def test_a_new_listing_is_changed_when_its_revision_is_written(db, draft) -> None:
    [revision] = draft.revisions
    assert revision.updated_at - timedelta(seconds=1) < draft.last_change_at <= revision.updated_at


def test_editing_a_revision_moves_it(db, maker, reference, draft) -> None:
    dated_back(draft)
    before = utcnow()

    update_listing(actor=maker, product=draft, data=listing_data(reference, sku="DRAFT-1", name="Beras Baru"))

    assert draft.last_change_at >= before


@pytest.mark.parametrize("step", ["submit", "approve", "reject"])
def test_submitting_and_reviews_move_it(db, maker, manager, reference, draft, step) -> None:
    if step != "submit":
        submit_listing(actor=maker, product=draft)
    [revision] = draft.revisions
    dated_back(draft)
    before = utcnow()

    if step == "submit":
        submit_listing(actor=maker, product=draft)
    elif step == "approve":
        approve_revision(actor=manager, revision_id=revision.id)
    else:
        reject_revision(actor=manager, revision_id=revision.id, reason="Foto kurang jelas.")

    assert draft.last_change_at >= before


def test_a_change_of_an_image_link_alone_moves_it(db, draft) -> None:
    [revision] = draft.revisions
    add_image(revision), add_image(revision)
    database.session.commit()
    dated_back(draft)
    updated_at = revision.updated_at
    before = utcnow()

    first, second = revision.images
    first.is_main, second.is_main = False, True  # no service: only the link rows change
    database.session.commit()

    assert revision.updated_at == updated_at
    assert draft.last_change_at >= before


def test_the_sellers_stock_update_and_withdrawal_move_it(db, maker, live) -> None:
    dated_back(live)
    before = utcnow()
    update_stock(actor=maker, product=live, stock=7)
    assert live.last_change_at >= before

    dated_back(live)
    before = utcnow()
    withdraw_product(actor=maker, product=live)
    assert live.status == "withdrawn" and live.last_change_at >= before


def test_stock_taken_by_an_order_does_not_move_it(db, live) -> None:
    """Checkout takes stock with Core UPDATEs (`stock.take`): a sale is not an edit of the listing, and a seller's
    best-selling products would otherwise hide the ones they are working on."""
    dated_back(live)
    updated_at = live.updated_at

    stock.take([(live.id, 3, "Beras")])
    database.session.commit()

    assert live.stock == 37
    assert live.last_change_at == LONG_AGO
    assert live.updated_at > updated_at  # the row's own timestamp does move: the reason it is not the sort key


def test_feed_marks_and_mass_withdrawals_do_not_move_it(db, maker, manager, live) -> None:
    dated_back(live)

    live.feed_changed_at = utcnow()
    database.session.commit()
    assert live.last_change_at == LONG_AGO

    assert withdraw_products_on_sale(actor=manager, reason="Anggota diberhentikan.", seller_id=maker.id) == 1
    database.session.commit()
    assert live.status == "withdrawn" and live.last_change_at == LONG_AGO


def test_an_updated_at_set_by_the_caller_is_the_moment(db, draft) -> None:
    """The demo dates each step back by setting `updated_at`."""
    [revision] = draft.revisions
    moment = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
    revision.updated_at = moment
    database.session.commit()
    assert draft.last_change_at == moment


# The migration ---------------------------------------------------------------------------------------------------

BEFORE = "0cfddded37f1"


@pytest.fixture
def old_schema_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on a fresh database migrated up to the revision before `last_change_at`."""
    with app_migrated_to(tmp_path, "last_change", BEFORE) as app:
        yield app


def at(hour: int) -> datetime:
    return datetime(2026, 11, 20, hour, 0, tzinfo=UTC)


def test_the_migration_fills_it_from_the_latest_revision(old_schema_app) -> None:
    tables = sa.MetaData()
    table = {name: sa.Table(name, tables, autoload_with=database.engine) for name in ("cooperatives", "users")}
    table |= {name: sa.Table(name, tables, autoload_with=database.engine) for name in ("products", "product_revisions")}
    stamps = {"created_at": at(1), "updated_at": at(1)}
    with database.engine.begin() as connection:
        connection.execute(
            table["cooperatives"].insert(),
            {"id": 1, "code": "kkmp-1", "name": "KKMP", "region_code": "35.76.02.1001", "datafeed_key": "k", **stamps},
        )
        connection.execute(table["users"].insert(), {"id": 1, "email": "a@example.id", "full_name": "Bu A", **stamps})
        product = {"cooperative_id": 1, "seller_id": 1, "created_at": at(1)}
        connection.execute(
            table["products"].insert(),
            [
                {"id": 1, "sku": "SOLD", "updated_at": at(9), **product},  # stock sold after its last revision
                {"id": 2, "sku": "EDITED", "updated_at": at(2), **product},
                {"id": 3, "sku": "BARE", "updated_at": at(4), **product},  # no revision: its own time
            ],
        )
        revision = {"author_id": 1, "name": "Beras", "price": 1000, "specifications": [], "created_at": at(1)}
        connection.execute(
            table["product_revisions"].insert(),
            [
                {"id": 1, "product_id": 1, "number": 1, "updated_at": at(3), **revision},
                {"id": 2, "product_id": 1, "number": 2, "updated_at": at(5), **revision},
                {"id": 3, "product_id": 2, "number": 1, "updated_at": at(6), **revision},
            ],
        )

    upgrade()

    stored = dict(database.session.execute(sa.select(Product.id, Product.last_change_at).order_by(Product.id)).all())
    assert stored == {1: at(5), 2: at(6), 3: at(4)}
    listed = database.session.scalars(
        sa.select(Product.sku).order_by(Product.last_change_at.desc(), Product.id.desc())
    ).all()
    assert listed == ["EDITED", "SOLD", "BARE"]
