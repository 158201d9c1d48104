"""My products: the seller's own products, a manager's cooperative's products with a member filter, status
filters, search and pages."""

from __future__ import annotations

import re

from marketplace.catalog.services import create_listing, submit_listing, update_listing, withdraw_product
from marketplace.extensions import db
from marketplace.procurement.services import stock
from tests.factories import listing, listing_data, seller


def skus(html: str) -> list[str]:
    return re.findall(r'data-sku="([^"]+)"', html)


def test_a_seller_sees_only_their_own_products(client, login_as, maker, reference, cooperative) -> None:
    create_listing(actor=maker, data=listing_data(reference, sku="MINE-1", name="Beras Saya"))
    neighbour = seller(cooperative)
    create_listing(actor=neighbour, data=listing_data(reference, sku="NEIGHBOUR-1"))
    login_as(maker)

    html = client.get("/produk-saya").get_data(as_text=True)

    assert skus(html) == ["MINE-1"]
    assert "Beras Saya" in html and "Rp72.500" in html
    assert 'data-product-status="draft"' in html and 'data-revision-status="draft"' in html
    assert 'href="/produk-saya/baru"' in html
    assert "/produk-saya/unggah" in html  # bulk upload, when that page exists
    assert "<th>Member</th>" not in html and "Anggota</th>" not in html


def test_statuses_and_search(client, login_as, maker, reference) -> None:
    draft = create_listing(actor=maker, data=listing_data(reference, sku="D-1", name="Gula Pasir")).product
    live = listing(maker, reference, sku="L-1", name="Minyak Goreng")
    changed = listing(maker, reference, sku="L-2", name="Telur Ayam")
    update_listing(actor=maker, product=changed, data=listing_data(reference, sku="L-2", price=90000), submit=True)
    gone = listing(maker, reference, sku="W-1", name="Tepung Terigu")
    withdraw_product(actor=maker, product=gone)
    submit_listing(actor=maker, product=draft)
    login_as(maker)

    def shown(query: str) -> set[str]:
        return set(skus(client.get(f"/produk-saya{query}").get_data(as_text=True)))

    assert shown("") == {"D-1", "L-1", "L-2", "W-1"}
    assert shown("?status=active") == {"L-1", "L-2"}
    assert shown("?status=draft") == {"D-1"}
    assert shown("?status=withdrawn") == {"W-1"}
    assert shown("?status=submitted") == {"D-1", "L-2"}
    assert shown("?status=nonsense") == {"D-1", "L-1", "L-2", "W-1"}
    assert shown("?q=minyak") == {"L-1"}
    assert shown("?q=w-1") == {"W-1"}
    assert live.status == "active"
    html = client.get("/produk-saya?q=telur").get_data(as_text=True)
    assert "Rp72.500" in html and "Rp90.000" in html  # live price and the proposed one


def test_a_manager_sees_the_cooperatives_products_and_filters_by_member(
    client, login_as, manager, maker, cooperative, reference
) -> None:
    other_member = seller(cooperative, full_name="Pak Kerupuk")
    create_listing(actor=maker, data=listing_data(reference, sku="M-1"))
    create_listing(actor=other_member, data=listing_data(reference, sku="M-2"))
    create_listing(actor=seller(), data=listing_data(reference, sku="ELSEWHERE"))
    login_as(manager)

    everything = client.get("/produk-saya").get_data(as_text=True)
    one_member = client.get(f"/produk-saya?seller_id={other_member.id}").get_data(as_text=True)

    assert set(skus(everything)) == {"M-1", "M-2"}
    assert skus(one_member) == ["M-2"]
    assert "Pak Kerupuk" in everything and 'name="seller_id"' in everything
    assert f'href="/produk-saya/baru?seller_id={other_member.id}"' in one_member


def test_newest_change_first_and_paginated(client, login_as, maker, reference) -> None:
    for n in range(3):
        create_listing(actor=maker, data=listing_data(reference, sku=f"P-{n}"))
    login_as(maker)

    first = client.get("/produk-saya?per_page=2").get_data(as_text=True)
    second = client.get("/produk-saya?per_page=2&page=2").get_data(as_text=True)

    assert skus(first) == ["P-2", "P-1"] and skus(second) == ["P-0"]
    assert 'rel="next"' in first


def test_editing_a_product_moves_it_to_the_top_and_a_sale_does_not(client, login_as, maker, reference) -> None:
    sold = listing(maker, reference, sku="SOLD")
    for n in range(2):
        create_listing(actor=maker, data=listing_data(reference, sku=f"P-{n}"))
    edited = create_listing(actor=maker, data=listing_data(reference, sku="EDITED")).product
    login_as(maker)
    assert skus(client.get("/produk-saya").get_data(as_text=True)) == ["EDITED", "P-1", "P-0", "SOLD"]

    update_listing(actor=maker, product=sold, data=listing_data(reference, sku="SOLD", name="Beras Putih"))
    assert skus(client.get("/produk-saya").get_data(as_text=True)) == ["SOLD", "EDITED", "P-1", "P-0"]

    update_listing(actor=maker, product=edited, data=listing_data(reference, sku="EDITED", name="Beras Merah"))
    stock.take([(sold.id, 2, "Beras")])  # an order takes stock: no change of the listing
    db.session.commit()
    assert skus(client.get("/produk-saya").get_data(as_text=True)) == ["EDITED", "SOLD", "P-1", "P-0"]


def test_empty_state(client, login_as, maker) -> None:
    login_as(maker)
    html = client.get("/produk-saya").get_data(as_text=True)
    assert "<table" not in html and 'class="card empty"' in html
    assert 'href="/produk-saya/baru"' in html


def test_a_suspended_member_sees_their_products_but_cannot_create(client, login_as, maker, draft) -> None:
    maker.membership.status = "suspended"
    login_as(maker)
    html = client.get("/produk-saya").get_data(as_text=True)
    assert skus(html) == ["DRAFT-1"]
    assert 'href="/produk-saya/baru"' not in html
