"""Forms of the cart and checkout pages."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from marketplace.core.forms import BaseForm
from marketplace.procurement.services.cart import MAX_QUANTITY, quantity_range_message
from marketplace.procurement.services.checkout import MAX_LENGTHS
from marketplace.procurement.states import FundingSource

QUANTITY_RANGE = NumberRange(min=1, max=MAX_QUANTITY, message=LazyString(quantity_range_message))


class AddToCartForm(BaseForm):
    """The "add to cart" form of the product page (with a quantity) and of the search cards (without: the
    product's minimum order)."""

    product_id = IntegerField(validators=[InputRequired()])
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), QUANTITY_RANGE])
    wilayah = HiddenField()


class QuantityForm(BaseForm):
    """Change one cart item's quantity."""

    quantity = IntegerField(
        _l("Quantity"), validators=[InputRequired(message=_l("Enter the quantity.")), QUANTITY_RANGE]
    )


class RemoveItemForm(BaseForm):
    """Take an item out of the cart: only the CSRF token."""


def _required() -> InputRequired:
    return InputRequired(message=_l("This field is required."))


def _optional_id(value: object) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class CheckoutForm(BaseForm):
    """The order's procurement data; field names are those of `checkout.checkout`."""

    #: Made when the form is shown: submitting the same form twice creates the orders once.
    key = HiddenField(validators=[DataRequired(), Length(max=MAX_LENGTHS["key"])])
    kode_rup = StringField(
        _l("RUP code"),
        validators=[_required(), Length(max=MAX_LENGTHS["kode_rup"])],
        description=_l("The package's code in SiRUP."),
    )
    rup_name = StringField(_l("RUP package name"), validators=[_required(), Length(max=MAX_LENGTHS["rup_name"])])
    funding_source = SelectField(
        _l("Funding source"),
        choices=[SelectChoice(str(source), str(source)) for source in FundingSource],
        validators=[_required()],
    )
    budget_account = StringField(
        _l("Budget account code"),
        validators=[_required(), Length(max=MAX_LENGTHS["budget_account"])],
        description=_l("Kode rekening / MAK, e.g. 5.1.02.01.01.0024."),
    )
    delivery_address = TextAreaField(
        _l("Delivery address"), validators=[_required(), Length(max=MAX_LENGTHS["delivery_address"])]
    )
    delivery_region_code = StringField(
        _l("Delivery region"),
        validators=[_required()],
        description=_l("Down to the village if you can; prices are those for its regency / city."),
    )
    requested_arrival = DateField(
        _l("Requested arrival date"), validators=[InputRequired(message=_l("Enter a date."))], format="%Y-%m-%d"
    )
    #: Only for a PP (a PPK reviews their own orders); the service checks the choice.
    ppk_id = SelectField(
        _l("PPK who reviews the order"), coerce=_optional_id, validate_choice=False, validators=[Optional()]
    )
