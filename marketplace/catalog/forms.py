"""Forms of the seller's listing pages: the listing itself (field names are the API names), media and quick updates.

The listing form checks nothing but CSRF: every rule lives in `rules.clean_listing`, reached through the services,
and their `ValidationFailed.fields` (dotted paths for rows) are put back next to the fields by `show_errors`.
"""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from marketplace.accounts.models import User
from marketplace.catalog.display import FIELD_LABELS
from marketplace.catalog.models import Category, KbkiCode, Unit
from marketplace.catalog.rules import LISTING_FIELDS, MAX_REGIONAL_PRICES, MAX_SPECIFICATIONS, PPN_CHOICES
from marketplace.cooperatives.models import Membership
from marketplace.cooperatives.states import MembershipStatus
from marketplace.core.errors import ValidationFailed
from marketplace.core.forms import BaseForm
from marketplace.extensions import db

ROW_LISTS = ("specifications", "regional_prices")
SCALAR_FIELDS = tuple(name for name in LISTING_FIELDS if name not in ROW_LISTS)
NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}
KBKI_SUGGESTIONS = 300


class SpecificationRow(Form):
    """One label and value pair (plain WTForms form: rows carry no CSRF token of their own)."""

    label = StringField(_l("Label"), render_kw={"maxlength": 100, "placeholder": _l("e.g. Weight")})
    value = StringField(_l("Value"), render_kw={"maxlength": 500, "placeholder": _l("e.g. 5 kg")})


class RegionalPriceRow(Form):
    """A price for deliveries to one province or regency/city."""

    region_code = StringField(_l("Region code"), render_kw={"maxlength": 13, "placeholder": "35.76"})
    price = StringField(_l("Price (excl. PPN)"), render_kw=NUMERIC)
    shipping_cost = StringField(_l("Shipping cost"), render_kw=NUMERIC)


class ListingForm(BaseForm):
    """Every e-Katalog field of a listing, under its API name."""

    seller_id = SelectField(
        _l("Member (maker)"),
        validate_choice=False,
        description=_l("The UMKM member who makes this product and owns the listing."),
    )
    sku = StringField(
        _l("Product code (SKU)"),
        render_kw={"maxlength": 50, "autocomplete": "off"},
        description=_l("Your code for this product (no_produk_penyedia), unique in the cooperative."),
    )
    name = StringField(FIELD_LABELS["name"], render_kw={"maxlength": 200})
    brand = StringField(FIELD_LABELS["brand"], render_kw={"maxlength": 100})
    category_id = SelectField(FIELD_LABELS["category_id"], validate_choice=False)
    kbki = StringField(
        FIELD_LABELS["kbki"],
        render_kw={**NUMERIC, "maxlength": 10, "list": "kbki-codes", "pattern": "[0-9]{10}"},
        description=_l("10 digits from the BPS reference list; type a few digits to see suggestions."),
    )
    unit = SelectField(FIELD_LABELS["unit"], validate_choice=False)
    price = StringField(FIELD_LABELS["price"], render_kw=NUMERIC, description=_l("Whole rupiah, e.g. 72500."))
    retail_price = StringField(FIELD_LABELS["retail_price"], render_kw=NUMERIC, description=_l("Optional."))
    ppn_percent = SelectField(FIELD_LABELS["ppn_percent"], validate_choice=False)
    shipping_cost = StringField(FIELD_LABELS["shipping_cost"], render_kw=NUMERIC, default="0")
    national_price = BooleanField(_l("The price applies to deliveries everywhere in Indonesia"), default=True)
    stock = StringField(FIELD_LABELS["stock"], render_kw=NUMERIC)
    min_order = StringField(FIELD_LABELS["min_order"], render_kw=NUMERIC, default="1")
    valid_until = StringField(FIELD_LABELS["valid_until"], render_kw={"type": "date"})
    is_domestic = SelectField(
        _l("Origin"),
        choices=[SelectChoice("1", _l("Made in Indonesia (PDN)")), SelectChoice("0", _l("Imported"))],
        validate_choice=False,
        default="1",
    )
    tkdn = StringField(FIELD_LABELS["tkdn"], render_kw=DECIMAL, description=_l("0 to 100, e.g. 45.5."))
    tkdn_certificate = StringField(
        FIELD_LABELS["tkdn_certificate"],
        render_kw={"maxlength": 100},
        description=_l("Leave empty when the TKDN value is self-declared."),
    )
    bmp = StringField(FIELD_LABELS["bmp"], render_kw=DECIMAL, description=_l("0 to 15."))
    sni_number = StringField(FIELD_LABELS["sni_number"], render_kw={"maxlength": 60})
    weight_kg = StringField(FIELD_LABELS["weight_kg"], render_kw=DECIMAL, description=_l("e.g. 5 or 0.25."))
    short_description = TextAreaField(
        FIELD_LABELS["short_description"], render_kw={"maxlength": 250, "rows": 2}, description=_l("Plain text.")
    )
    description = TextAreaField(
        FIELD_LABELS["description"],
        render_kw={"rows": 8},
        description=_l("Plain text; line breaks are kept."),
    )
    specifications = FieldList(
        FormField(SpecificationRow), label=FIELD_LABELS["specifications"], max_entries=MAX_SPECIFICATIONS + 1
    )
    regional_prices = FieldList(
        FormField(RegionalPriceRow), label=FIELD_LABELS["regional_prices"], max_entries=MAX_REGIONAL_PRICES + 1
    )
    lkpp_category_id = StringField(
        FIELD_LABELS["lkpp_category_id"],
        render_kw={"maxlength": 40},
        description=_l("Only when your cooperative mapped one."),
    )
    unspsc = StringField(FIELD_LABELS["unspsc"], render_kw=NUMERIC, description=_l("8 digits, where known."))

    def setup(self, *, is_pkp: bool, cooperative_id: int | None = None, choose_seller: bool = False) -> ListingForm:
        """Fill the choices and, on a page that just opened, one empty row per list; return the form."""
        self.category_id.choices = category_choices()
        self.unit.choices = unit_choices()
        self.ppn_percent.choices = [
            SelectChoice(str(value), f"{value}%") for value in (PPN_CHOICES if is_pkp else (0,))
        ]
        if choose_seller and cooperative_id is not None:
            members = [SelectChoice(value, label) for value, label in member_choices(cooperative_id)]
            self.seller_id.choices = [SelectChoice("", str(_l("Choose a member…"))), *members]
        else:
            del self.seller_id
        for name in ROW_LISTS:
            rows = self[name]
            room = len(rows.entries) < rows.max_entries
            if room and (not rows.entries or not any(_blank_row(entry) for entry in rows.entries)):
                rows.append_entry()  # an empty row to fill in, also without JavaScript
        return self

    def listing_data(self) -> dict[str, Any]:
        """The submitted values under their API names, rows without any value left out."""
        data: dict[str, Any] = {}
        for name in SCALAR_FIELDS:
            field = self[name]
            data[name] = bool(field.data) if name == "national_price" else field.data
        self._row_entries: dict[str, list[int]] = {}
        for name in ROW_LISTS:
            kept = [index for index, entry in enumerate(self[name].entries) if not _blank_row(entry)]
            self._row_entries[name] = kept
            data[name] = [
                {key: (value or "").strip() for key, value in self[name].entries[index].data.items()} for index in kept
            ]
        return data

    def show_errors(self, error: ValidationFailed) -> None:
        """Put each message of `error` next to its field; row paths (`regional_prices.1.price`) next to the row's
        input. Messages without a field are flashed."""
        for path, message in error.fields.items():
            target = self._target(path)
            if target is None:
                flash(message, "error")
            else:
                target.errors = [*target.errors, message]
        if not error.fields and error.message:
            flash(error.message, "error")

    def _target(self, path: str):
        name, _, rest = path.partition(".")
        if name not in self._fields:
            return None
        if not rest or name not in ROW_LISTS:
            return self[name]
        index, _, key = rest.partition(".")
        kept = getattr(self, "_row_entries", {}).get(name, [])
        if not index.isdigit() or int(index) >= len(kept):
            return self[name]
        entry = self[name].entries[kept[int(index)]]
        return entry.form._fields.get(key, self[name])


def _blank_row(entry: FormField) -> bool:
    return not any((value or "").strip() for value in entry.data.values())


def form_values(raw: dict[str, Any]) -> dict[str, Any]:
    """API-named values (e.g. `rules.listing_to_raw`) as the form shows them: text, "1"/"0", ISO dates."""
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name in ROW_LISTS:
            values[name] = [{key: "" if v is None else str(v) for key, v in row.items()} for row in value or []]
        elif name == "national_price":
            values[name] = bool(value)
        elif name == "is_domestic":
            values[name] = "1" if value else "0"
        elif value is None:
            values[name] = ""
        elif hasattr(value, "isoformat"):
            values[name] = value.isoformat()
        else:
            values[name] = str(value)
    return values


def category_choices() -> list[SelectChoice]:
    """Active third-level categories grouped by their path (`Bahan Pokok › Beras dan Serealia`)."""
    categories = {category.id: category for category in db.session.scalars(select(Category))}

    def path(category: Category) -> list[Category]:
        chain = [category]
        while chain[0].parent_id is not None and chain[0].parent_id in categories:
            chain.insert(0, categories[chain[0].parent_id])
        return chain

    leaves = []
    for category in categories.values():
        chain = path(category)
        if category.level == 3 and all(node.is_active for node in chain):
            leaves.append(([(node.position, node.name) for node in chain], chain))
    leaves.sort(key=lambda item: item[0])
    choices = [SelectChoice("", str(_l("Choose a category…")))]
    for _, chain in leaves:
        group = " › ".join(node.name for node in chain[:-1])
        choices.append(SelectChoice(str(chain[-1].id), chain[-1].name, optgroup=group))
    return choices


def unit_choices() -> list[SelectChoice]:
    """Active units by their order in the list (the value is the unit's name, as in the API)."""
    names = list(
        db.session.scalars(select(Unit.name).where(Unit.is_active.is_(True)).order_by(Unit.position, Unit.name))
    )
    return [SelectChoice("", str(_l("Choose a unit…"))), *(SelectChoice(name, name) for name in names)]


def kbki_suggestions(search: str | None = None, limit: int = KBKI_SUGGESTIONS) -> list[KbkiCode]:
    """Ten-digit KBKI codes, those starting with `search` (digits) or whose title contains it (words)."""
    statement = select(KbkiCode).where(KbkiCode.level == 10).order_by(KbkiCode.code).limit(limit)
    text = (search or "").strip()
    if text.isdigit():
        statement = statement.where(KbkiCode.code.startswith(text))
    elif text:
        statement = statement.where(KbkiCode.title.ilike(f"%{text.replace('%', '').replace('_', '')}%"))
    return list(db.session.scalars(statement))


def member_choices(cooperative_id: int) -> list[tuple[str, str]]:
    """Active members of the cooperative, by name."""
    users = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.cooperative_id == cooperative_id, Membership.status == MembershipStatus.ACTIVE)
        .order_by(User.full_name)
    )
    return [(str(user.id), _member_label(user)) for user in users]


def _member_label(user: User) -> str:
    profile = user.seller_profile
    return f"{user.full_name} · {profile.business_name}" if profile else user.full_name


class WithdrawForm(BaseForm):
    """Take a product off sale."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=500)],
        description=_l("Optional; your cooperative sees it in the product's history."),
        render_kw={"rows": 2, "maxlength": 500},
    )


class ActionForm(BaseForm):
    """A button that changes something (CSRF only)."""


class StockForm(BaseForm):
    """Change the stock without review."""

    stock = IntegerField(_l("Stock now"), validators=[InputRequired()], render_kw={**NUMERIC, "min": 0})


class ValidityForm(BaseForm):
    """Change the price validity without review."""

    valid_until = DateField(_l("Price valid until"), validators=[InputRequired()])


class ImageForm(BaseForm):
    """Upload one product image."""

    file = FileField(
        _l("Image"),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
        description=_l("JPEG, PNG or WebP, at most 5 MB and 40 megapixels; up to 8 images."),
    )


class MoveImageForm(BaseForm):
    """Move an image one place earlier or later."""

    direction = HiddenField(validators=[DataRequired(), Regexp(r"^(up|down)$")])


class AttachmentForm(BaseForm):
    """Attach one PDF (certificates: TKDN, SNI, halal…)."""

    file = FileField(
        _l("PDF file"), render_kw={"accept": "application/pdf,.pdf"}, description=_l("PDF only, at most 10 MB.")
    )
    description = StringField(
        _l("What is it?"),
        validators=[Optional(), Length(max=200)],
        render_kw={"maxlength": 200, "placeholder": _l("e.g. TKDN certificate")},
    )


def show_field_errors(form: BaseForm, error: ValidationFailed) -> None:
    """Put a service's field errors next to a small form's fields; flash the others."""
    for key, message in error.fields.items():
        field = form._fields.get(key)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")
    if not error.fields and error.message:
        flash(error.message, "error")
