"""The public catalog's search box and filters, read from the query string so a result page can be shared."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from flask import render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from marketplace.accounts.labels import SKALA_LABELS
from marketplace.catalog.search.cache import ResultCache
from marketplace.core.forms import BaseForm
from marketplace.extensions import db
from marketplace.reference.regions import get_region

SORT_LABELS = {
    "relevance": _l("Best match"),
    "price_asc": _l("Lowest price"),
    "price_desc": _l("Highest price"),
    "tkdn_desc": _l("Highest TKDN + BMP"),
    "newest": _l("Newest"),
}
#: Form field → `search_catalog` argument.
ARGUMENT_OF = {
    "q": "text",
    "kategori": "category_id",
    "koperasi": "cooperative_id",
    "asal": "seller_regency",
    "wilayah": "delivery_region",
    "harga_min": "price_min",
    "harga_max": "price_max",
    "pdn": "domestic_only",
    "tkdn": "tkdn_bmp_min",
    "skala": "skala",
    "urut": "sort",
}
FIELD_OF = {argument: name for name, argument in ARGUMENT_OF.items()}
_CHOICES = ResultCache(size=1)
#: The filter sidebar's HTML of recent filter states (see `SearchForm.filters_html`).
_FILTERS_HTML = ResultCache(size=128)
FILTERS_HTML_SECONDS = 3600
#: The fields of the filter sidebar (the search box, sort order and page are elsewhere on the page).
SIDEBAR_FIELDS = ("kategori", "wilayah", "harga_min", "harga_max", "pdn", "tkdn", "skala", "koperasi", "asal")
#: TKDN + BMP percentage of the "≥ 40 %" filter.
PDN_THRESHOLD_PERCENT = 40


def _code(value: str | None) -> str | None:
    return (value or "").strip() or None


def _not_negative(form: BaseForm, field: IntegerField) -> None:
    if field.data is not None and field.data < 0:
        raise ValidationError(_l("Enter an amount of 0 or more."))


def _known_region(form: BaseForm, field: StringField) -> None:
    if field.data and get_region(field.data) is None:
        raise ValidationError(_l("Choose a region from the list (e.g. 35.76)."))


class SearchForm(BaseForm):
    """GET form: every filter of `search_catalog`, under short Indonesian parameter names."""

    class Meta:
        csrf = False

    q = StringField(_l("Search products"), validators=[Optional(), Length(max=200)])
    #: Selects whose options (`category_options`, `cooperative_options`) the template renders itself: with 200
    #: cooperatives, WTForms' widgets would cost more than the search.
    kategori = IntegerField(_l("Category"), validators=[Optional()])
    koperasi = IntegerField(_l("Cooperative"), validators=[Optional()])
    asal = StringField(_l("Maker's regency / city"), validators=[Optional(), _known_region], filters=[_code])
    wilayah = StringField(_l("Deliver to"), validators=[Optional(), _known_region], filters=[_code])
    harga_min = IntegerField(_l("Lowest price (excl. PPN)"), validators=[Optional(), _not_negative])
    harga_max = IntegerField(_l("Highest price (excl. PPN)"), validators=[Optional(), _not_negative])
    pdn = BooleanField(_l("Made in Indonesia (PDN) only"))
    tkdn = BooleanField(_l("TKDN + BMP at least 40%"))
    #: Checked against the lists below (cheaper than SelectField, whose options the page writes itself).
    skala = StringField(
        _l("UMKM scale"), validators=[Optional(), AnyOf(list(SKALA_LABELS), message=_l("Not a valid choice."))]
    )
    urut = StringField(
        _l("Sort by"),
        default="relevance",
        validators=[Optional(), AnyOf(list(SORT_LABELS), message=_l("Not a valid choice."))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = FilterChoices((), ())

    @property
    def category_options(self) -> tuple[tuple[str, str], ...]:
        return self.choices.categories

    @property
    def cooperative_options(self) -> tuple[tuple[str, str], ...]:
        return self.choices.cooperatives

    def load_choices(self, cache_seconds: float = 0) -> None:
        """Categories as an indented tree and the active cooperatives, as (value, label) options; kept for
        `cache_seconds` in this process when given (as the search results are)."""
        cached = _CHOICES.get("choices") if cache_seconds > 0 else None
        if cached is None:
            cached = filter_choices()
            if cache_seconds > 0:
                _CHOICES.put("choices", cached, cache_seconds)
        self.choices = cached

    @property
    def skala_options(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in SKALA_LABELS.items()]

    @property
    def sort_options(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in SORT_LABELS.items()]

    def validate_kategori(self, field: IntegerField) -> None:
        if field.data is not None and str(field.data) not in self.choices.category_labels:
            raise ValidationError(_l("Choose a category from the list."))

    def validate_koperasi(self, field: IntegerField) -> None:
        if field.data is not None and str(field.data) not in self.choices.cooperative_labels:
            raise ValidationError(_l("Choose a cooperative from the list."))

    def filters_html(self) -> Markup:
        """The filter sidebar (`catalog/public/_filters.html`). It depends only on the language, the filter lists
        and each filter's value and errors, so the HTML of recent states is kept: most searches use a few."""
        state = tuple(
            (tuple(self[name].raw_data or ()), self[name].data, tuple(map(str, self[name].errors)))
            for name in SIDEBAR_FIELDS
        )
        key = (str(get_locale()), self.choices.version, state)
        html = _FILTERS_HTML.get(key)
        if html is None:
            html = Markup(render_template("catalog/public/_filters.html", form=self))  # noqa: S704 - autoescaped
            _FILTERS_HTML.put(key, html, FILTERS_HTML_SECONDS)
        return html

    def choice_label(self, name: str) -> str:
        """The label of the option chosen in the category or cooperative select (without indentation)."""
        labels = self.choices.category_labels if name == "kategori" else self.choices.cooperative_labels
        return labels.get(str(self[name].data), "")

    def search_arguments(self) -> dict[str, Any]:
        """`search_catalog` keyword arguments from the fields that are valid (an invalid filter is left out)."""
        arguments: dict[str, Any] = {}
        for name, argument in ARGUMENT_OF.items():
            field = self[name]
            if field.errors or field.data in (None, "", False):
                continue
            arguments[argument] = field.data
        if arguments.pop("tkdn_bmp_min", False):
            arguments["tkdn_bmp_min"] = PDN_THRESHOLD_PERCENT
        return arguments


#: Constant SQL run straight through the driver: both lists, read on every catalog page, in one round trip.
FILTER_LISTS_SQL = (
    "SELECT 0 AS list, id, parent_id, name, position FROM categories WHERE is_active "
    "UNION ALL SELECT 1, id, NULL, name, 0 FROM cooperatives WHERE is_active ORDER BY 1, 5, 4, 2"
)


@dataclass(frozen=True)
class FilterChoices:
    """The options of the category and cooperative selects, and their labels by value (without indentation)."""

    categories: tuple[tuple[str, str], ...]
    cooperatives: tuple[tuple[str, str], ...]
    #: Tells lists apart (a hash of the rows they were made from).
    version: int = 0

    @cached_property
    def category_labels(self) -> dict[str, str]:
        return {value: label.strip() for value, label in self.categories}

    @cached_property
    def cooperative_labels(self) -> dict[str, str]:
        return dict(self.cooperatives)


def filter_choices() -> FilterChoices:
    """The active categories (depth first, siblings in the operator's order, names indented by level) and active
    cooperatives by name; read on every call, worked into options only when they changed."""
    cursor = db.session.connection().connection.driver_connection.cursor()  # plain tuples: no Row objects
    try:
        cursor.execute(FILTER_LISTS_SQL)
        rows = tuple(cursor.fetchall())
    finally:
        cursor.close()
    return _choices_of(rows)


@lru_cache(maxsize=4)
def _choices_of(rows: tuple[tuple, ...]) -> FilterChoices:
    children: dict[int | None, list[tuple[int, str]]] = {}
    for kind, item_id, parent_id, name, _position in rows:
        if kind == 0:
            children.setdefault(parent_id, []).append((item_id, name))
    categories: list[tuple[str, str]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for category_id, name in children.get(parent_id, []):
            categories.append((str(category_id), "\u2003" * depth + name))
            if depth < 2:
                walk(category_id, depth + 1)

    walk(None, 0)
    cooperatives = tuple((str(item_id), name) for kind, item_id, _parent, name, _position in rows if kind == 1)
    return FilterChoices(tuple(categories), cooperatives, hash(rows))


def category_choices() -> list[tuple[str, str]]:
    """Active categories depth first (siblings in the operator's order), each name indented by its level."""
    return list(filter_choices().categories)


def cooperative_choices() -> list[tuple[str, str]]:
    """Active cooperatives by name."""
    return list(filter_choices().cooperatives)


def options_html(options: tuple[tuple[str, str], ...] | list[tuple[str, str]], chosen: str | None) -> Markup:
    """`<option>` elements for (value, label) pairs, `chosen` selected; the escaped list is built once per process
    for each distinct list (200 cooperatives are 200 options on every search page)."""
    html = _escaped_options(tuple(options))
    if chosen:
        marker = f'<option value="{escape(chosen)}">'
        html = html.replace(marker, marker[:-1] + " selected>", 1)
    return Markup(html)  # noqa: S704 - built from escaped values only


@lru_cache(maxsize=16)
def _escaped_options(options: tuple[tuple[str, str], ...]) -> str:
    return "".join(f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in options)


class DeliveryForm(BaseForm):
    """GET form of the product page: the region whose price to show."""

    class Meta:
        csrf = False

    wilayah = StringField(_l("Deliver to"), validators=[Optional(), _known_region], filters=[_code])
