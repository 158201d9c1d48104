"""Forms of the cooperatives pages."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from marketplace.cooperatives.services.members import MAX_REASON_LENGTH, MIN_REASON_LENGTH
from marketplace.core.errors import ValidationFailed
from marketplace.core.forms import BaseForm
from marketplace.core.validators import EmailAddress, Nib, Npwp, Phone, RegionCode

#: Form fields that map one to one onto `update_cooperative` data keys.
COOPERATIVE_FIELDS = (
    "name",
    "nib",
    "npwp",
    "is_pkp",
    "address",
    "region_code",
    "phone",
    "email",
    "bank_name",
    "bank_account_number",
    "bank_account_name",
)


class DecisionForm(BaseForm):
    """Approve or reactivate: nothing to fill in, only where to go back to."""

    next = HiddenField()


class ReasonForm(BaseForm):
    """Reject or suspend: the reason the seller will read."""

    next = HiddenField()
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(), Length(min=MIN_REASON_LENGTH, max=MAX_REASON_LENGTH)],
        description=_l("The seller receives this text by email."),
    )


class CooperativeForm(BaseForm):
    """The cooperative's own data; the name is removed for managers (only operators rename)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    nib = StringField(_l("NIB"), validators=[Optional(), Nib()], description=_l("13 digits, from OSS."))
    npwp = StringField(_l("NPWP"), validators=[Optional(), Npwp()], description=_l("16 digits."))
    is_pkp = BooleanField(_l("PKP (registered for VAT, charges PPN)"))
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=2000)])
    region_code = StringField(
        _l("Kelurahan / desa"),
        validators=[DataRequired(), RegionCode(level=4)],
        description=_l("Choose the province, regency or city, district and village."),
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Phone()])
    email = EmailField(_l("Email"), validators=[Optional(), EmailAddress(), Length(max=254)])
    bank_name = StringField(_l("Bank"), validators=[Optional(), Length(max=80)])
    bank_account_number = StringField(
        _l("Account number"),
        validators=[
            Optional(),
            Regexp(r"^[0-9 .-]{5,40}$", message=_l("Only digits, 5 to 34 of them.")),
            Length(max=40),
        ],
    )
    bank_account_name = StringField(_l("Account holder"), validators=[Optional(), Length(max=120)])

    def service_data(self) -> dict[str, Any]:
        """The submitted values keyed as `update_cooperative` expects."""
        return {name: self[name].data for name in COOPERATIVE_FIELDS if name in self}


class NewCooperativeForm(CooperativeForm):
    """A new cooperative and its first manager."""

    manager_name = StringField(_l("Manager's full name"), validators=[DataRequired(), Length(max=120)])
    manager_email = EmailField(
        _l("Manager's email"),
        validators=[DataRequired(), EmailAddress(), Length(max=254)],
        description=_l("The manager receives a link to set a password."),
    )


class InviteManagerForm(BaseForm):
    """Invite another pengurus of the cooperative."""

    manager_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    manager_email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])


class CooperativeStatusForm(BaseForm):
    """Close or reopen a cooperative."""

    active = HiddenField(validators=[DataRequired(), Regexp(r"^[01]$")])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


def show_field_errors(form: BaseForm, error: ValidationFailed, renamed: dict[str, str] | None = None) -> None:
    """Put a service's field errors next to the form's fields (`renamed` maps service keys to field names)."""
    for key, message in error.fields.items():
        field = form._fields.get((renamed or {}).get(key, key))
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")
    if not error.fields and error.message:
        flash(error.message, "error")
