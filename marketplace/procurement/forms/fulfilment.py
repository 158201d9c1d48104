"""Forms of the order page's fulfilment part: ship (a quantity per line of the user's), receive (a quantity per line,
and a note), pay outside the system, and the buttons (deliver, invoice, confirm payment)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from marketplace.core.forms import BaseForm
from marketplace.procurement.models import OrderLine

NUMERIC = {"inputmode": "numeric", "min": 0}


class LineQuantitiesForm(BaseForm):
    """A form with one quantity field per order line, named `<LINE_PREFIX><line id>`."""

    LINE_PREFIX = "line_"
    #: The service's field path root for the quantities (`<root>.<line id>.quantity`).
    PATH_ROOT = "lines"

    @classmethod
    def for_lines(cls, lines: Iterable[OrderLine], defaults: dict[int, int], **kwargs) -> LineQuantitiesForm:
        """The form with a field per line, prefilled with `defaults` ({line id: quantity})."""
        fields = {f"{cls.LINE_PREFIX}{line.id}": cls.quantity_field(line, defaults.get(line.id, 0)) for line in lines}
        form_class = type(cls.__name__, (cls,), fields)
        return form_class(**kwargs)

    #: Whether every line's quantity must be entered (else an empty field counts as 0).
    REQUIRED = False

    @classmethod
    def quantity_field(cls, line: OrderLine, default: int) -> IntegerField:
        """The line's field: a whole number from 0 to `maximum(line)`."""
        maximum = cls.maximum(line)
        return IntegerField(
            cls.label(line),
            default=default,
            validators=[InputRequired() if cls.REQUIRED else Optional(), NumberRange(min=0, max=maximum)],
            render_kw={**NUMERIC, "max": maximum},
        )

    @classmethod
    def maximum(cls, line: OrderLine) -> int:
        """The most that may be entered for the line: what was ordered."""
        return line.quantity

    @classmethod
    def label(cls, line: OrderLine) -> str:
        """The field's label."""
        return _l(
            "%(name)s (ordered %(quantity)s %(unit)s)", name=line.name, quantity=line.quantity, unit=line.unit_name
        )

    def line_fields(self) -> list:
        """The quantity fields, in line order."""
        return [field for name, field in self._fields.items() if name.startswith(self.LINE_PREFIX)]

    def quantities(self) -> dict[int, int]:
        """{line id: quantity} as entered (an empty field counts as 0)."""
        return {int(field.name.removeprefix(self.LINE_PREFIX)): field.data or 0 for field in self.line_fields()}

    def field_name(self, path: str) -> str:
        """The field showing the service's error at `path` (`lines.3.quantity` → `ship_3`)."""
        parts = path.split(".")
        return f"{self.LINE_PREFIX}{parts[1]}" if parts[0] == self.PATH_ROOT and len(parts) > 1 else path


class ShipForm(LineQuantitiesForm):
    """A shipment: the quantity shipped of each of the user's lines, the courier and the tracking number."""

    LINE_PREFIX = "ship_"
    PATH_ROOT = "lines"

    courier = StringField(_l("Courier"), validators=[InputRequired(), Length(max=80)])
    tracking_number = StringField(_l("Tracking number"), validators=[InputRequired(), Length(max=80)])

    @classmethod
    def maximum(cls, line: OrderLine) -> int:
        return line.quantity - line.quantity_shipped

    @classmethod
    def label(cls, line: OrderLine) -> str:
        left = cls.maximum(line)
        return _l("%(name)s (%(left)s %(unit)s left to ship)", name=line.name, left=left, unit=line.unit_name)


class ReceiveForm(LineQuantitiesForm):
    """The receipt: the quantity received of every line, and a note when it differs from the order."""

    LINE_PREFIX = "received_"
    PATH_ROOT = "received"

    note = TextAreaField(
        _l("Mismatch note"),
        description=_l(
            "Required when a quantity received differs from the quantity ordered. The invoice then bills the "
            "quantities received, and the units never shipped go back to the cooperative's stock."
        ),
        validators=[Optional(), Length(max=2000)],
    )

    REQUIRED = True

    @classmethod
    def maximum(cls, line: OrderLine) -> int:
        return line.quantity_shipped

    @classmethod
    def label(cls, line: OrderLine) -> str:
        return _l(
            "%(name)s (ordered %(quantity)s, shipped %(shipped)s %(unit)s)",
            name=line.name,
            quantity=line.quantity,
            shipped=line.quantity_shipped,
            unit=line.unit_name,
        )


class PayOutsideForm(BaseForm):
    """A payment made outside the system: its reference (e.g. the SP2D number) and date."""

    reference = StringField(
        _l("Payment reference"),
        description=_l("For example the SP2D number or the bank transfer reference."),
        validators=[InputRequired(), Length(max=120)],
    )
    paid_on = DateField(_l("Payment date"), validators=[InputRequired()])


class FulfilmentActionForm(BaseForm):
    """A button that moves the order or a shipment (deliver, invoice, confirm payment): only the CSRF token."""
