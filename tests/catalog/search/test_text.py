"""Indonesian full-text search: inflected forms, every word required, one-letter typos in long words.

The suite runs on SQLite (FTS5) by default and on PostgreSQL (`indonesian` text search) when DATABASE_URL is set;
these tests expect exactly the same results on both.
"""

from __future__ import annotations

from marketplace.catalog.search.query import search_catalog
from marketplace.catalog.search.terms import edits1, fts5_query_text, query_words, tsquery_text


def found(**kwargs) -> list[str]:
    return sorted(hit.entry.name for hit in search_catalog(per_page=100, **kwargs).items)


def test_a_word_finds_its_inflected_forms_both_ways(shelf) -> None:
    shelf.product("Pulen Wangi 5 kg", description="Berasnya pulen dan wangi.")
    shelf.product("Beras Premium Majapahit")
    shelf.product("Gula Pasir Kristal")
    assert found(text="beras") == ["Beras Premium Majapahit", "Pulen Wangi 5 kg"]
    assert found(text="berasnya") == ["Beras Premium Majapahit", "Pulen Wangi 5 kg"]
    assert found(text="BERAS!") == ["Beras Premium Majapahit", "Pulen Wangi 5 kg"]


def test_every_word_must_match_in_any_order(shelf) -> None:
    shelf.product("Minyak Goreng Sawit 2L")
    shelf.product("Minyak Kayu Putih 60 ml")
    shelf.product("Kacang Goreng Bawang")
    assert found(text="minyak goreng") == ["Minyak Goreng Sawit 2L"]
    assert found(text="goreng minyak") == ["Minyak Goreng Sawit 2L"]
    assert found(text="minyak") == ["Minyak Goreng Sawit 2L", "Minyak Kayu Putih 60 ml"]
    assert found(text="minyak goreng kelapa") == []


def test_words_with_digits_and_decimals_match(shelf) -> None:
    shelf.product("Minyak Goreng Sawit 2L")
    shelf.product("Tepung Terigu 1.5 kg", specifications=[{"label": "Kemasan", "value": "Plastik ke-2"}])
    assert found(text="2l") == ["Minyak Goreng Sawit 2L"]
    assert found(text="tepung 1.5 kg") == ["Tepung Terigu 1.5 kg"]
    assert found(text="plastik ke-2") == ["Tepung Terigu 1.5 kg"]


def test_descriptions_brand_category_and_specifications_are_searched(shelf) -> None:
    batik = shelf.category("Tekstil", "Batik", "Batik Tulis")
    shelf.product("Kain Motif Surya", category_id=batik.id)
    shelf.product("Sepatu Pantofel", brand="Kulitku", short_description="Sepatu kantor hitam.")
    shelf.product("Kemeja Dinas", specifications=[{"label": "Bahan", "value": "Katun primisima"}])
    assert found(text="batik tulis") == ["Kain Motif Surya"]
    assert found(text="kulitku") == ["Sepatu Pantofel"]
    assert found(text="kantor") == ["Sepatu Pantofel"]
    assert found(text="primisima") == ["Kemeja Dinas"]


def test_a_one_letter_typo_in_a_long_word_still_finds_the_product(shelf) -> None:
    shelf.product("Minyak Goreng Sawit 2L")
    shelf.product("Beras Premium Majapahit")
    assert found(text="minyk goreng") == ["Minyak Goreng Sawit 2L"]  # deletion
    assert found(text="minyak gorneg") == ["Minyak Goreng Sawit 2L"]  # transposition
    assert found(text="berss") == ["Beras Premium Majapahit"]  # substitution
    assert found(text="premiumm") == ["Beras Premium Majapahit"]  # insertion
    page = search_catalog(text="minyk goreng")
    assert [(w.word, w.terms, w.corrected) for w in page.corrections] == [("minyk", ("minyak",), True)]


def test_short_words_and_two_typos_are_not_corrected(shelf) -> None:
    shelf.product("Gula Pasir Kristal")
    shelf.product("Minyak Goreng Sawit 2L")
    assert found(text="gula") == ["Gula Pasir Kristal"]
    assert found(text="gulq") == []  # four letters: no correction
    assert found(text="mnyk") == []  # four letters
    assert found(text="mnyak goreng") == ["Minyak Goreng Sawit 2L"]
    assert found(text="mnyk goreng") == []  # two letters away
    assert search_catalog(text="gulq").corrections == []


def test_a_correctly_spelt_word_is_never_replaced(shelf) -> None:
    shelf.product("Kopi Bubuk Robusta")
    shelf.product("Kopi Bubur Instan")
    assert found(text="bubuk") == ["Kopi Bubuk Robusta"]
    assert search_catalog(text="bubuk").corrections == []


def test_a_misspelt_word_matches_any_of_its_close_known_words(shelf) -> None:
    shelf.product("Kopi Bubuk Robusta")
    shelf.product("Kopi Bubur Instan")
    assert found(text="bubul") == ["Kopi Bubuk Robusta", "Kopi Bubur Instan"]


def test_text_with_no_words_is_no_search(shelf) -> None:
    shelf.product("Gula Pasir Kristal")
    assert found(text=" -- !! ") == ["Gula Pasir Kristal"]
    assert search_catalog(text=None).words == []


def test_query_syntax_in_the_text_is_just_words(shelf) -> None:
    shelf.product("Gula Pasir Kristal")
    for text in ("gula & !pasir", "gula | (", "'gula'", "gula:* <-> pasir", "gula\\", 'pasir" gula'):
        assert found(text=text) == ["Gula Pasir Kristal"], text
    assert found(text='"gula" OR NOT') == []  # "or" and "not" are words like any other


def test_terms_are_quoted_for_both_query_languages() -> None:
    words = query_words("gula")
    assert tsquery_text(words) == "('gula')"
    assert fts5_query_text(words) == '("gula")'


def test_edits1_has_every_kind_of_edit() -> None:
    variants = edits1("beras")
    assert {"bras", "ebras", "beris", "beraas", "xberas"} <= variants
    assert "beras" not in variants
