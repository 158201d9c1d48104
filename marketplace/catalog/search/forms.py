"""The public catalog's search box and filters, read from the query string so a result page can be shared."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import AnyOf, Length, Optional, ValidationError

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
SKALA_LABELS = {"mikro": _l("Mikro"), "kecil": _l("Kecil"), "menengah": _l("Menengah")}
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
    harga_min = IntegerField(_l("Lowest price (excl. PPN)"), validators=[_not_negative])
    harga_max = IntegerField(_l("Highest price (excl. PPN)"), validators=[_not_negative])
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
        self.category_options: list[tuple[str, str]] = []
        self.cooperative_options: list[tuple[str, str]] = []

    def load_choices(self, cache_seconds: float = 0) -> None:
        """Categories as an indented tree and the active cooperatives, as (value, label) options; kept for
        `cache_seconds` in this process when given (as the search results are)."""
        cached = _CHOICES.get("choices") if cache_seconds > 0 else None
        if cached is None:
            cached = (category_choices(), cooperative_choices())
            if cache_seconds > 0:
                _CHOICES.put("choices", cached, cache_seconds)
        self.category_options, self.cooperative_options = cached

    @property
    def skala_options(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in SKALA_LABELS.items()]

    @property
    def sort_options(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in SORT_LABELS.items()]

    def validate_kategori(self, field: IntegerField) -> None:
        if field.data is not None and str(field.data) not in dict(self.category_options):
            raise ValidationError(_l("Choose a category from the list."))

    def validate_koperasi(self, field: IntegerField) -> None:
        if field.data is not None and str(field.data) not in dict(self.cooperative_options):
            raise ValidationError(_l("Choose a cooperative from the list."))

    def choice_label(self, name: str) -> str:
        """The label of the option chosen in the category or cooperative select (without indentation)."""
        options = self.category_options if name == "kategori" else self.cooperative_options
        return dict(options).get(str(self[name].data), "").strip()

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


#: Constant SQL run straight through the driver: these two lists are read on every catalog page.
CATEGORIES_SQL = "SELECT id, parent_id, name FROM categories WHERE is_active ORDER BY position, name, id"
COOPERATIVES_SQL = "SELECT id, name FROM cooperatives WHERE is_active ORDER BY name, id"


def category_choices() -> list[tuple[str, str]]:
    """Active categories depth first (siblings in the operator's order), each name indented by its level."""
    children: dict[int | None, list[tuple[int, str]]] = {}
    for category_id, parent_id, name in db.session.connection().exec_driver_sql(CATEGORIES_SQL):
        children.setdefault(parent_id, []).append((category_id, name))
    choices: list[tuple[str, str]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for category_id, name in children.get(parent_id, []):
            choices.append((str(category_id), "\u2003" * depth + name))
            if depth < 2:
                walk(category_id, depth + 1)

    walk(None, 0)
    return choices


def cooperative_choices() -> list[tuple[str, str]]:
    """Active cooperatives by name."""
    return [(str(cid), name) for cid, name in db.session.connection().exec_driver_sql(COOPERATIVES_SQL)]


def options_html(options: list[tuple[str, str]], chosen: str | None) -> Markup:
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
