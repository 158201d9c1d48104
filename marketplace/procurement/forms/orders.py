"""The order list's filters (GET, kept in the URL)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from marketplace.core.forms import BaseForm
from marketplace.procurement.states import ORDER_STATUS_LABELS


class OrderFilterForm(BaseForm):
    """Status, WIB days, the beginning of the order number and "waiting for me"; no CSRF token (it changes
    nothing)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("All statuses"))]
        + [SelectChoice(str(status), label) for status, label in ORDER_STATUS_LABELS.items()],
        validators=[Optional()],
    )
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until"), validators=[Optional()])
    number = StringField(
        _l("Order number"), validators=[Optional(), Length(max=30)], description=_l("Beginning, e.g. SP-2026-")
    )
    awaiting = BooleanField(_l("Only those waiting for me"))

    def filters(self) -> dict[str, Any]:
        """The valid filters as keyword arguments of `queries.list_orders` (an invalid filter is ignored)."""
        filters = {name: _valid(self[name]) for name in ("status", "date_from", "date_to", "number")}
        return {**filters, "awaiting": bool(self.awaiting.data)}


def _valid(field: Field) -> Any:
    return None if field.errors or field.data in ("", None) else field.data
