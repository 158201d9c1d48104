"""Forms of the accounts pages. Field rules reuse the checks the services apply, so messages match."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, Field, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from marketplace.accounts.invitations import email_taken
from marketplace.accounts.labels import SKALA_LABELS
from marketplace.accounts.services.registration import cooperative_label
from marketplace.accounts.services.validation import (
    BANK_FIELDS,
    MAX_LENGTHS,
    PROFILE_FIELDS,
    REQUIRED,
    FieldErrors,
    active_cooperative,
    check_bank_account_number,
    check_kbli_codes,
    clean_bank_account,
)
from marketplace.cooperatives.models import Cooperative
from marketplace.core.forms import BaseForm
from marketplace.core.validators import InvalidValue, Nib, Nik, Npwp, Phone, RegionCode, StrongPassword, check_email

SKALA_CHOICES = [
    SelectChoice("", _l("Choose the business size")),
    *(SelectChoice(str(value), label) for value, label in SKALA_LABELS.items()),
]
LOCALE_CHOICES = [SelectChoice("id", "Bahasa Indonesia"), SelectChoice("en", "English")]
TOO_LONG = _l("Use at most %(max)d characters.")


def _max(name: str) -> Length:
    return Length(max=MAX_LENGTHS[name], message=TOO_LONG)


class Checked:
    """A WTForms validator around a `check_*` function that keeps the cleaned value."""

    def __init__(self, check: Callable[[Any], Any]) -> None:
        self.check = check

    def __call__(self, form: BaseForm, field: Field) -> None:
        if field.data in (None, ""):
            return
        try:
            field.data = self.check(field.data)
        except InvalidValue as exc:
            raise ValidationError(str(exc.message)) from exc


class KbliField(StringField):
    """KBLI codes typed as `10793, 47111`; holds a list once validated."""

    def _value(self) -> str:
        return ", ".join(self.data) if isinstance(self.data, list) else super()._value()


def optional_int(value: object) -> int | None:
    """Coerce a select's value to an int, keeping the empty choice as None."""
    return int(value) if value not in (None, "", "None") else None


def cooperative_choices(cooperatives: Iterable[Cooperative]) -> list[SelectChoice]:
    """The registration select: a prompt, then `name — kelurahan, kota` per cooperative."""
    return [
        SelectChoice("", _l("Choose your cooperative")),
        *(SelectChoice(str(c.id), cooperative_label(c)) for c in cooperatives),
    ]


def apply_field_errors(form: BaseForm, fields: Mapping[str, str]) -> None:
    """Show a service's ValidationFailed messages next to the matching fields (others above the form)."""
    for name, message in fields.items():
        field = form._fields.get(name)
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


class BusinessProfileForm(BaseForm):
    """The UMKM data e-Katalog needs about a seller."""

    business_name = StringField(_l("Business name"), validators=[DataRequired(), _max("business_name")])
    nib = StringField(
        _l("NIB"),
        validators=[DataRequired(), Nib()],
        description=_l("Nomor Induk Berusaha from OSS, 13 digits."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    npwp = StringField(
        _l("NPWP"),
        validators=[DataRequired(), Npwp()],
        description=_l("16 digits; the old 15-digit number is accepted too."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    nik = StringField(
        _l("NIK of the owner"),
        validators=[DataRequired(), Nik()],
        description=_l("16 digits, as on the KTP."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    skala_usaha = SelectField(
        _l("Business scale"),
        choices=SKALA_CHOICES,
        validators=[DataRequired()],
        description=_l(
            "By business capital (PP 7/2021): mikro up to Rp1 miliar, kecil up to Rp5 miliar, "
            "menengah up to Rp10 miliar."
        ),
    )
    kbli_codes = KbliField(
        _l("KBLI codes"),
        validators=[DataRequired(), Checked(check_kbli_codes)],
        description=_l("5-digit codes from your NIB, separated by commas, e.g. 10793, 47111."),
    )
    address = TextAreaField(
        _l("Street address"),
        validators=[DataRequired(), _max("address")],
        description=_l("Street and number, RT/RW, dusun or housing block."),
    )
    region_code = StringField(
        _l("Village (kelurahan/desa)"),
        validators=[DataRequired(message=_l("Choose the kelurahan/desa of the address.")), RegionCode(level=4)],
        description=_l("Choose province, kab/kota, kecamatan and kelurahan/desa."),
    )
    bank_name = StringField(_l("Bank"), validators=[Optional(), _max("bank_name")])
    bank_account_number = StringField(
        _l("Account number"),
        validators=[Optional(), Checked(check_bank_account_number)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    bank_account_name = StringField(_l("Account holder"), validators=[Optional(), _max("bank_account_name")])

    def validate(self, extra_validators: Mapping | None = None) -> bool:
        """Field rules, then the bank fields' all-or-nothing rule."""
        valid = super().validate(extra_validators)
        errors = FieldErrors()
        clean_bank_account({name: self._fields[name].data for name in BANK_FIELDS}, errors)
        missing = {name: message for name, message in errors.messages.items() if not self._fields[name].errors}
        apply_field_errors(self, missing)
        return valid and not missing

    def profile_data(self) -> dict[str, Any]:
        """The profile fields as the services take them."""
        return {name: self._fields[name].data for name in PROFILE_FIELDS}


class RegistrationForm(BusinessProfileForm):
    """Account, cooperative and business data of a new UMKM seller."""

    email = EmailField(
        _l("Email"), validators=[DataRequired(), Checked(check_email)], render_kw={"autocomplete": "email"}
    )
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(), _max("full_name")], render_kw={"autocomplete": "name"}
    )
    phone = StringField(
        _l("Mobile phone"),
        validators=[DataRequired(), Phone()],
        description=_l("e.g. 0812 3456 7890"),
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), StrongPassword()],
        description=_l("At least 10 characters; a phrase of several words is easy to remember and hard to guess."),
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    cooperative_id = SelectField(
        _l("Cooperative"),
        coerce=optional_int,
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose your cooperative."))],
        description=_l("The cooperative that will review your products and sell them through e-Katalog."),
    )

    def validate_email(self, field: Field) -> None:
        if field.data and email_taken(field.data):
            raise ValidationError(str(_l("This email address is already registered.")))

    def validate_cooperative_id(self, field: Field) -> None:
        if field.data is not None and active_cooperative(field.data) is None:
            raise ValidationError(str(_l("Choose an active cooperative from the list.")))


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired()], render_kw={"autocomplete": "username"})
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired()], render_kw={"autocomplete": "email"})


class NewPasswordForm(BaseForm):
    """A new password typed twice (reset link or invitation)."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), StrongPassword()],
        description=_l("At least 10 characters; a phrase of several words is easy to remember and hard to guess."),
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), StrongPassword()],
        description=_l("At least 10 characters; a phrase of several words is easy to remember and hard to guess."),
        render_kw={"autocomplete": "new-password"},
    )
    new_password_confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class AccountForm(BaseForm):
    """Name, phone and language; `phone_required` for sellers (e-Katalog shows their contact)."""

    full_name = StringField(
        _l("Full name"), validators=[DataRequired(), _max("full_name")], render_kw={"autocomplete": "name"}
    )
    phone = StringField(
        _l("Mobile phone"),
        validators=[Phone()],
        description=_l("e.g. 0812 3456 7890"),
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    locale = SelectField(_l("Interface language"), choices=LOCALE_CHOICES)

    def __init__(self, *args: Any, phone_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phone_required = phone_required
        self.phone.flags.required = phone_required

    def validate_phone(self, field: Field) -> None:
        if self.phone_required and not (field.data or "").strip():
            raise ValidationError(str(REQUIRED))


class ApiTokenForm(BaseForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), _max("token_name")],
        description=_l("What the token is for, e.g. “stock sync from my shop system”."),
    )
