"""The public catalog page: anyone can search, filters live in the URL, buyers get their region by default."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from marketplace.accounts.models import Role
from marketplace.extensions import db
from tests.factories import AgencyFactory, CooperativeFactory, WorkUnitFactory


def cards(page: str) -> list[int]:
    return [int(value) for value in re.findall(r'data-product-id="(\d+)"', page)]


def test_anonymous_visitors_search_and_the_url_holds_the_query(client, shelf) -> None:
    beras = shelf.product("Beras Premium Majapahit", price=72500)
    shelf.product("Gula Pasir Kristal")
    response = client.get("/katalog?q=berasnya&urut=price_asc")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert cards(page) == [beras.id]
    assert "Beras Premium Majapahit" in page and "Rp72.500" in page
    assert 'value="berasnya"' in page
    assert f'href="/katalog/produk/{beras.id}"' in page


def test_the_catalog_link_is_in_the_top_bar_for_everyone(client, db) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/katalog"' in page


def test_every_filter_is_read_from_the_query_string(client, shelf) -> None:
    kecil = shelf.seller(skala="kecil", region_code="35.16.01.2001")
    batik = shelf.category("Tekstil", "Batik", "Batik Tulis")
    wanted = shelf.product("Batik Surya", maker=kecil, category_id=batik.id, price=250000, tkdn="60", bmp="5")
    shelf.product("Batik Impor", maker=kecil, category_id=batik.id, is_domestic=False, tkdn="0", bmp="0")
    shelf.product("Batik Mikro", category_id=batik.id, price=250000, tkdn="60")
    shelf.product("Batik Mahal", maker=kecil, category_id=batik.id, price=900000, tkdn="60")
    query = (
        f"kategori={batik.parent.parent.id}&koperasi={shelf.cooperative.id}&asal=35.16&wilayah=35.76"
        "&harga_min=100000&harga_max=300000&pdn=y&tkdn=y&skala=kecil&urut=tkdn_desc"
    )
    page = client.get(f"/katalog?{query}").get_data(as_text=True)
    assert cards(page) == [wanted.id]
    chips = re.findall(r'data-filter="(\w+)"', page)
    assert chips == ["kategori", "koperasi", "wilayah", "asal", "harga_min", "harga_max", "pdn", "tkdn", "skala", "all"]
    for label in ("Rp100.000", "Rp300.000", "Kabupaten Mojokerto", "Kota Mojokerto", "Tekstil", shelf.cooperative.name):
        assert label in page


def test_a_removable_chip_links_to_the_same_query_without_that_filter(client, shelf) -> None:
    shelf.product("Gula Pasir Kristal")
    page = client.get("/katalog?q=gula&skala=kecil&page=2").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" [^>]*data-filter="skala"', page).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query) == {"q": ["gula"]}  # keeps the text, drops skala and the page


def test_bad_filters_are_shown_next_to_their_field_and_ignored(client, shelf) -> None:
    shelf.product("Gula Pasir Kristal")
    response = client.get("/katalog?harga_min=abc&wilayah=99.99&kategori=x&urut=cheapest")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(cards(page)) == 1 and 'data-total="1"' in page
    assert page.count('class="error"') == 4
    assert 'data-filter="' not in page  # nothing invalid is applied


def test_pages_link_to_each_other_keeping_the_query(client, shelf) -> None:
    for index in range(26):
        shelf.product(f"Kerupuk Udang {index}")
    first = client.get("/katalog?q=kerupuk").get_data(as_text=True)
    assert len(cards(first)) == 24
    next_link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(next_link).query) == {"q": ["kerupuk"], "page": ["2"]}
    second = client.get(next_link).get_data(as_text=True)
    assert len(cards(second)) == 2 and not set(cards(first)) & set(cards(second))


def test_no_result_shows_suggestions(client, shelf) -> None:
    shelf.product("Gula Pasir Kristal")
    page = client.get("/katalog?q=sepatu&pdn=y").get_data(as_text=True)
    assert cards(page) == []
    assert 'data-empty="no-match"' in page
    assert '<a href="/katalog?q=sepatu" data-remove="pdn">' in page  # removing "PDN only" keeps the text


def test_an_empty_catalog_says_so(client, db) -> None:
    page = client.get("/katalog").get_data(as_text=True)
    assert 'data-empty="catalog"' in page


def test_a_buyer_gets_their_work_units_region_as_a_removable_filter(client, login_as, shelf) -> None:
    shelf.product("Dikirim Ke Mana Saja")
    jakarta = shelf.product(
        "Hanya Jakarta", national_price=False, regional_prices=[{"region_code": "31.71", "price": 5000}]
    )
    kota = shelf.product("Harga Kota", price=10000, regional_prices=[{"region_code": "35.76", "price": 8000}])
    unit = WorkUnitFactory(agency=AgencyFactory(region_code="35.76"), region_code="35.76")
    login_as(Role.PPK, work_unit=unit)
    page = client.get("/katalog").get_data(as_text=True)
    assert jakarta.id not in cards(page) and kota.id in cards(page)
    chip = re.search(r'<a href="([^"]+)" [^>]*data-filter="wilayah" data-default>([^<]+)', page)
    assert chip.group(1) == "/katalog?wilayah=" and "Kota Mojokerto" in chip.group(2)
    assert "Rp8.000" in page
    everywhere = client.get("/katalog?wilayah=").get_data(as_text=True)
    assert jakarta.id in cards(everywhere) and 'data-filter="wilayah"' not in everywhere
    assert "Rp8.000" not in everywhere
    chosen = client.get("/katalog?wilayah=31.71").get_data(as_text=True)
    assert jakarta.id in cards(chosen) and "data-default" not in chosen


def test_sellers_and_managers_see_no_default_region(client, login_as, shelf) -> None:
    jakarta = shelf.product(
        "Hanya Jakarta", national_price=False, regional_prices=[{"region_code": "31.71", "price": 5000}]
    )
    login_as(Role.COOP_MANAGER)
    assert jakarta.id in cards(client.get("/katalog").get_data(as_text=True))


def test_a_card_shows_prices_terms_badges_and_names_escaped(client, shelf) -> None:
    shelf.cooperative.is_pkp = True
    coffee = shelf.product(
        "Kopi <b>Luwak</b>",
        unit="Pak",
        price=100000,
        ppn_percent=11,
        stock=0,
        tkdn="45.5",
        bmp="5",
        regional_prices=[{"region_code": "35.76", "price": 90000, "shipping_cost": 0}],
    )
    page = client.get("/katalog?q=kopi").get_data(as_text=True)
    card = page.split(f'data-product-id="{coffee.id}"', 1)[1].split("</article>", 1)[0]
    assert "Kopi &lt;b&gt;Luwak&lt;/b&gt;" in card and "<b>" not in card
    assert 'data-price-with-ppn="111000">Rp111.000 <small class="muted">/ Pak</small>' in card
    assert "Rp100.000 belum termasuk PPN 11%" in card and "harga wilayah" not in card
    assert "TKDN + BMP 50.5%" in card and 'data-badge="pdn-threshold"' in card
    assert "KKMP Gununggedangan<br>Dibuat oleh UD Sumber Rejeki · Mikro" in card and "Stok habis" in card
    assert f'href="/katalog/produk/{coffee.id}"' in card
    regional = client.get("/katalog?q=kopi&wilayah=35.76").get_data(as_text=True)
    assert "Rp99.900" in regional and "Rp90.000 belum termasuk PPN 11% · harga wilayah" in regional
    assert f'href="/katalog/produk/{coffee.id}?wilayah=35.76"' in regional


def test_the_filter_sidebar_shows_each_requests_choices(client, shelf) -> None:
    other = CooperativeFactory(name="KKMP Wates")
    shelf.product("Gula Aren")
    chosen = client.get(f"/katalog?koperasi={other.id}").get_data(as_text=True)
    assert f'<option value="{other.id}" selected>KKMP Wates</option>' in chosen
    plain = client.get("/katalog").get_data(as_text=True)
    assert f'<option value="{other.id}">KKMP Wates</option>' in plain and f'"{other.id}" selected>' not in plain
    other.name = "KKMP Wates Baru"
    db.session.flush()
    assert f'<option value="{other.id}">KKMP Wates Baru</option>' in client.get("/katalog").get_data(as_text=True)
    wrong = client.get("/katalog?harga_min=abc").get_data(as_text=True)
    assert 'id="harga_min" name="harga_min"' in wrong and 'aria-invalid="true"' in wrong


def test_empty_price_fields_from_the_search_form_are_no_error(client) -> None:
    """The page is one form: a search sends the empty price fields too."""
    page = client.get("/katalog?q=beras&harga_min=&harga_max=&urut=relevance").get_data(as_text=True)
    assert 'aria-invalid="true"' not in page and 'class="error"' not in page
