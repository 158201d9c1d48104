"""Forms of the order's moves before signing: buttons, reasons, and the price proposal (one row per line)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, FormField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from marketplace.catalog.rules import MAX_PRICE
from marketplace.core.forms import BaseForm
from marketplace.procurement.models import Order
from marketplace.procurement.services.moves import CANCEL_REASON_MIN_LENGTH, TEXT_MAX_LENGTH

NUMERIC = {"inputmode": "numeric", "autocomplete": "off", "min": 0}


class MoveForm(BaseForm):
    """A move without input (approve, accept, accept the offer): CSRF only."""

    def payload(self) -> dict[str, object]:
        """The service's keyword arguments."""
        return {}


class ReasonForm(BaseForm):
    """A move that needs a reason (reject, refuse)."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(), Length(max=TEXT_MAX_LENGTH)],
        render_kw={"rows": 3, "maxlength": TEXT_MAX_LENGTH},
    )

    def payload(self) -> dict[str, object]:
        """The service's keyword arguments."""
        return {"reason": self.reason.data}


class CancelForm(ReasonForm):
    """Cancel the order: a reason of at least 20 characters, kept on the order and its timeline."""

    reason = TextAreaField(
        _l("Reason for cancelling"),
        validators=[
            DataRequired(),
            Length(
                min=CANCEL_REASON_MIN_LENGTH,
                message=_l("Give at least %(min)s characters.", min=CANCEL_REASON_MIN_LENGTH),
            ),
            Length(max=TEXT_MAX_LENGTH),
        ],
        description=_l("At least %(min)s characters; every party sees it.", min=CANCEL_REASON_MIN_LENGTH),
        render_kw={"rows": 3, "minlength": CANCEL_REASON_MIN_LENGTH, "maxlength": TEXT_MAX_LENGTH},
    )


class OfferLineRow(BaseForm):
    """One line's proposed unit price and shipping (a subform: rows carry no CSRF token of their own)."""

    class Meta:
        csrf = False

    line_id = HiddenField()
    unit_price = IntegerField(
        _l("Unit price (excl. PPN)"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_PRICE)],
        render_kw={**NUMERIC, "max": MAX_PRICE},
    )
    unit_shipping = IntegerField(
        _l("Shipping per unit"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_PRICE)],
        render_kw={**NUMERIC, "max": MAX_PRICE},
    )


class ProposeForm(BaseForm):
    """Propose new prices: a message and one row per line, prefilled with the current prices."""

    message = TextAreaField(
        _l("Message to the other side"),
        validators=[DataRequired(), Length(max=TEXT_MAX_LENGTH)],
        render_kw={"rows": 3, "maxlength": TEXT_MAX_LENGTH},
    )
    lines = FieldList(FormField(OfferLineRow), max_entries=500)

    @classmethod
    def prefilled(cls, order: Order) -> ProposeForm:
        """The form for the order page: every line with its current prices."""
        rows = [
            {"line_id": line.id, "unit_price": line.unit_price, "unit_shipping": line.unit_shipping}
            for line in order.lines
        ]
        return cls(formdata=None, data={"lines": rows})

    def payload(self) -> dict[str, object]:
        """The service's keyword arguments: the message and the rows."""
        rows = [
            {"line_id": row.line_id.data, "unit_price": row.unit_price.data, "unit_shipping": row.unit_shipping.data}
            for row in self.lines
        ]
        return {"message": self.message.data, "lines": rows}
