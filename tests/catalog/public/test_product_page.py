"""The public product page: only active products, all e-Katalog data, the buyer's price, and JSON-LD."""

from __future__ import annotations

import json
import re

import pytest

from marketplace.accounts.models import Role
from marketplace.catalog.models import ProductAttachment, ProductImage, RevisionAttachment, RevisionImage
from marketplace.catalog.search.index import refresh_entry
from marketplace.catalog.services import create_listing, update_listing, withdraw_product
from marketplace.extensions import db
from tests.factories import AgencyFactory, CooperativeFactory, WorkUnitFactory, listing_data

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def json_ld(page: str) -> dict:
    (found,) = JSON_LD.findall(page)
    return json.loads(found)


def attach_image(product, *, main: bool = True) -> ProductImage:
    image = ProductImage(
        product_id=product.id,
        storage_key=f"products/{product.id}/{'a' if main else 'b'}.jpg",
        content_type="image/jpeg",
        width=800,
        height=800,
        byte_size=1000,
        sizes=[50, 100, 300, 800],
        uploaded_by_id=product.seller_id,
    )
    db.session.add(image)
    db.session.flush()
    product.live_revision.images.append(RevisionImage(image_id=image.id, position=0 if main else 1, is_main=main))
    refresh_entry(product)  # as an approval does: the card shows the main image
    return image


def test_an_active_product_shows_all_its_data_to_anonymous_visitors(client, shelf) -> None:
    product = shelf.product(
        "Beras Premium Majapahit 5 kg",
        brand="Majapahit",
        tkdn="45.5",
        bmp="5",
        tkdn_certificate="TKDN-2025-0042",
        sni_number="SNI 6128:2020",
        min_order=2,
        stock=40,
        weight_kg="5",
        short_description="Beras putih pulen.",
        description="Baris pertama.\nBaris kedua.",
        specifications=[{"label": "Varietas", "value": "IR64"}],
    )
    response = client.get(f"/katalog/produk/{product.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in (
        "Beras Premium Majapahit 5 kg", "Majapahit", product.sku, "2316110001", "Beras putih", "Karung",
        "45.5%", "5%", "50.5%", "TKDN-2025-0042", "SNI 6128:2020", "Varietas", "IR64", "Baris pertama.\nBaris kedua.",
        "KKMP Gununggedangan", "UD Sumber Rejeki", "Qa", "Qc", product.valid_until.isoformat(),
    ):  # fmt: skip
        assert text in page, text
    assert 'data-badge="pdn-threshold"' in page
    assert 'href="/katalog?koperasi=' in page and 'href="/katalog?asal=35.76"' in page


@pytest.mark.parametrize("state", ["draft", "submitted", "withdrawn", "missing"])
def test_anything_but_an_active_product_is_404_even_for_its_maker(client, shelf, state) -> None:
    if state == "draft":
        product_id = shelf.product("Gula Draf", approved=False).id
    elif state == "submitted":
        data = listing_data(shelf.reference, sku="S-1", name="Gula Diajukan")
        product_id = create_listing(actor=shelf.maker, data=data, submit=True).product_id
    elif state == "withdrawn":
        product = shelf.product("Gula Ditarik")
        withdraw_product(actor=shelf.maker, product=product, reason="Stok habis")
        product_id = product.id
    else:
        product_id = 999_999
    assert client.get(f"/katalog/produk/{product_id}").status_code == 404
    client.login(shelf.maker)
    assert client.get(f"/katalog/produk/{product_id}").status_code == 404


def test_the_live_version_is_shown_while_a_revision_waits(client, shelf) -> None:
    product = shelf.product("Sambal Bajak")
    data = listing_data(shelf.reference, sku=product.sku, name="Sambal Terasi", category_id=shelf.leaf.id)
    update_listing(actor=shelf.maker, product=product, data=data, submit=True)
    page = client.get(f"/katalog/produk/{product.id}").get_data(as_text=True)
    assert "Sambal Bajak" in page and "Sambal Terasi" not in page


def pkp_product(shelf, **overrides):
    maker = shelf.seller(cooperative=CooperativeFactory(name="KKMP Kranggan", is_pkp=True))
    values = {
        "price": 10000,
        "ppn_percent": 11,
        "shipping_cost": 700,
        "regional_prices": [
            {"region_code": "35", "price": 9500, "shipping_cost": 300},
            {"region_code": "35.76", "price": 9000, "shipping_cost": 0},
        ],
    }
    return shelf.product("Minyak Goreng Sawit 2L", maker=maker, **(values | overrides))


def shown_price(page: str) -> tuple[str, str, str, str]:
    return (
        re.search(r'data-price-with-ppn="(\d+)"', page).group(1),
        re.search(r'data-price="(\d+)"', page).group(1),
        re.search(r'data-shipping="(\d+)"', page).group(1),
        re.search(r'data-price-region="([^"]+)"', page).group(1),
    )


def test_the_price_is_the_regional_one_for_the_chosen_region(client, shelf) -> None:
    product = pkp_product(shelf)
    url = f"/katalog/produk/{product.id}"
    assert shown_price(client.get(f"{url}?wilayah=35.76").get_data(as_text=True)) == ("9990", "9000", "0", "35.76")
    assert shown_price(client.get(f"{url}?wilayah=35.16").get_data(as_text=True)) == ("10545", "9500", "300", "35")
    assert shown_price(client.get(f"{url}?wilayah=31.71").get_data(as_text=True)) == (
        "11100", "10000", "700", "national",
    )  # fmt: skip
    anonymous = client.get(url).get_data(as_text=True)
    assert shown_price(anonymous) == ("11100", "10000", "700", "national")
    assert "Rp1.100" in anonymous  # the PPN amount
    assert 'id="regional-prices"' in anonymous and "Kota Mojokerto" in anonymous


def test_an_unknown_region_is_said_beside_the_field_and_the_national_price_shows(client, shelf) -> None:
    product = pkp_product(shelf)
    page = client.get(f"/katalog/produk/{product.id}?wilayah=zzz").get_data(as_text=True)
    assert shown_price(page) == ("11100", "10000", "700", "national")
    assert 'id="wilayah-error"' in page and 'value="zzz"' in page


def test_a_product_without_a_price_for_the_region_says_it_is_not_delivered(client, shelf) -> None:
    product = pkp_product(shelf, national_price=False, regional_prices=[{"region_code": "31.71", "price": 12000}])
    page = client.get(f"/katalog/produk/{product.id}?wilayah=35.76").get_data(as_text=True)
    assert "data-not-delivered" in page and "data-price-with-ppn" not in page
    assert shown_price(client.get(f"/katalog/produk/{product.id}?wilayah=31.71").get_data(as_text=True)) == (
        "13320", "12000", "0", "31.71",
    )  # fmt: skip


def test_a_buyer_sees_the_price_for_their_work_unit(client, login_as, shelf) -> None:
    product = pkp_product(shelf)
    login_as(Role.PP, work_unit=WorkUnitFactory(agency=AgencyFactory(region_code="35.76"), region_code="35.76"))
    page = client.get(f"/katalog/produk/{product.id}").get_data(as_text=True)
    assert shown_price(page) == ("9990", "9000", "0", "35.76")
    everywhere = client.get(f"/katalog/produk/{product.id}?wilayah=").get_data(as_text=True)
    assert shown_price(everywhere)[3] == "national"


def test_result_cards_link_to_the_product_with_the_region(client, shelf) -> None:
    product = pkp_product(shelf)
    page = client.get("/katalog?wilayah=35.76").get_data(as_text=True)
    assert f'href="/katalog/produk/{product.id}?wilayah=35.76"' in page
    assert 'data-price-with-ppn="9990"' in page


def test_json_ld_describes_the_product_and_its_offer(client, shelf) -> None:
    product = pkp_product(shelf, brand="Sawitku", stock=0, short_description="Minyak goreng sawit jernih.")
    image = attach_image(product)
    page = client.get(f"/katalog/produk/{product.id}?wilayah=35.76").get_data(as_text=True)
    data = json_ld(page)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Product"
    assert (data["name"], data["sku"], data["brand"]) == (
        "Minyak Goreng Sawit 2L", product.sku, {"@type": "Brand", "name": "Sawitku"},
    )  # fmt: skip
    assert data["description"] == "Minyak goreng sawit jernih."
    assert data["image"] == [f"http://localhost/media/gambar/{image.id}/800"]
    offer = data["offers"]
    assert (offer["@type"], offer["price"], offer["priceCurrency"]) == ("Offer", 9990, "IDR")
    assert offer["availability"] == "https://schema.org/OutOfStock"
    assert offer["seller"] == {"@type": "Organization", "name": "KKMP Kranggan"}
    assert offer["priceValidUntil"] == product.valid_until.isoformat()
    in_stock = json_ld(client.get(f"/katalog/produk/{shelf.product('Gula', stock=3).id}").get_data(as_text=True))
    assert in_stock["offers"]["availability"] == "https://schema.org/InStock"
    assert in_stock["offers"]["price"] == 72500


def test_json_ld_cannot_be_broken_out_of(client, shelf) -> None:
    name = 'Beras </script><script>alert(1)</script> & "Co" <!--'
    product = shelf.product(name, description="</SCRIPT><img src=x onerror=alert(2)>\u2028")
    page = client.get(f"/katalog/produk/{product.id}").get_data(as_text=True)
    (raw,) = JSON_LD.findall(page)
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert "\\u003c/script\\u003e" in raw
    assert json.loads(raw)["name"] == name
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;/SCRIPT&gt;&lt;img src=x onerror=alert(2)&gt;" in page  # the description, escaped


def test_images_and_attachments_are_linked_through_the_media_pages(client, shelf) -> None:
    product = shelf.product("Batik Tulis Surya")
    main = attach_image(product)
    other = attach_image(product, main=False)
    attachment = ProductAttachment(
        product_id=product.id, storage_key=f"products/{product.id}/c.pdf", filename="sertifikat-tkdn.pdf",
        content_type="application/pdf", byte_size=20480, uploaded_by_id=product.seller_id,
    )  # fmt: skip
    db.session.add(attachment)
    db.session.flush()
    product.live_revision.attachments.append(RevisionAttachment(attachment_id=attachment.id, description="TKDN"))
    db.session.flush()
    page = client.get(f"/katalog/produk/{product.id}").get_data(as_text=True)
    assert f'src="/media/gambar/{main.id}/800"' in page
    assert f'src="/media/gambar/{other.id}/100"' in page
    assert f'href="/media/lampiran/{attachment.id}"' in page and "20 KB" in page
    card = client.get("/katalog?q=batik").get_data(as_text=True)
    assert f'src="/media/gambar/{main.id}/300"' in card


def test_the_maker_and_managers_get_a_link_to_manage_the_product(client, shelf) -> None:
    product = shelf.product("Gula Aren")
    client.login(shelf.maker)
    page = client.get(f"/katalog/produk/{product.id}").get_data(as_text=True)
    assert f'href="/produk-saya/{product.id}"' in page
    client.login(shelf.seller())
    assert f'href="/produk-saya/{product.id}"' not in client.get(f"/katalog/produk/{product.id}").get_data(as_text=True)
