"""Forms of the agencies domain: agency, work unit, buyer invitation."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, Field, Form, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.agencies.models import Agency
from marketplace.agencies.services import AGENCY_KINDS, PEMDA_REGION_TYPES
from marketplace.core.errors import ValidationFailed
from marketplace.core.forms import BaseForm
from marketplace.core.validators import EmailAddress, Npwp
from marketplace.reference.regions import child_regions, get_region, region_label

BUYER_ROLE_CHOICES = (
    ("pp", _l("PP (Pejabat Pengadaan)")),
    ("ppk", _l("PPK (Pejabat Pembuat Komitmen)")),
    ("bendahara", _l("Bendahara (treasurer)")),
)


@lru_cache(maxsize=1)
def _provinces_and_cities() -> tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]:
    """(code, name, ((code, name), ...)) of every province and its kabupaten/kota."""
    return tuple(
        (province.code, province.name, tuple((r.code, r.name) for r in child_regions(province.code)))
        for province in child_regions()
    )


def agency_region_choices() -> list[SelectChoice]:
    """Provinces and their kabupaten/kota, grouped by province, after an empty placeholder."""
    choices = [SelectChoice("", _l("Choose a province or a regency/city…"))]
    for code, name, cities in _provinces_and_cities():
        choices.append(SelectChoice(code, _l("%(name)s (whole province)", name=name), optgroup=name))
        choices.extend(SelectChoice(city_code, city_name, optgroup=name) for city_code, city_name in cities)
    return choices


def work_unit_region_choices(agency: Agency, current: str | None = None) -> list[SelectChoice]:
    """The regions a work unit of `agency` may lie in: a pemda's own region and the one below it; else any."""
    if agency.kind in PEMDA_REGION_TYPES and get_region(agency.region_code) is not None:
        choices = [
            SelectChoice("", _l("Choose a region…")),
            SelectChoice(agency.region_code, region_label(agency.region_code)),
        ]
        choices.extend(SelectChoice(r.code, r.path) for r in child_regions(agency.region_code))
    else:
        choices = agency_region_choices()
    if current and all(choice.value != current for choice in choices):
        choices.append(SelectChoice(current, region_label(current)))
    return choices


def show_service_errors(form: Form, error: ValidationFailed) -> list[str]:
    """Put a service's field errors next to the form's fields; return the messages no field can show."""
    unplaced: list[str] = []
    for key, message in error.fields.items():
        field = getattr(form, key, None)
        if isinstance(field, Field):
            field.errors = [*field.errors, message]
        else:
            unplaced.append(message)
    if not error.fields and error.message:
        unplaced.append(error.message)
    return unplaced


class CheckboxListField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AtLeastOne:
    """At least one box ticked; unlike DataRequired it does not mark each checkbox `required` in HTML."""

    def __init__(self, message: object) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            raise ValidationError(str(self.message))


class AgencyForm(BaseForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=200)], description=_l("e.g. Pemerintah Kota Mojokerto")
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice("", _l("Choose…"))] + [SelectChoice(k, label) for k, label in AGENCY_KINDS.items()],
        validators=[DataRequired()],
    )
    region_code = SelectField(
        _l("Region governed"),
        validators=[DataRequired()],
        description=_l("A pemda governs a province, a kabupaten or a kota; ministries choose their seat."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.region_code.choices = agency_region_choices()


class WorkUnitForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], description=_l("e.g. Dinas Sosial"))
    short_code = StringField(
        _l("Short code"),
        validators=[DataRequired(), Length(max=30)],
        description=_l("Lowercase letters, digits and hyphens, unique in the agency, e.g. dinsos."),
    )
    kode_satker = StringField(
        _l("Kode satker"), validators=[DataRequired(), Length(max=20)], description=_l("Digits only, e.g. 351234.")
    )
    npwp = StringField(_l("NPWP"), validators=[Optional(), Npwp()], description=_l("16 digits; optional."))
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])
    region_code = SelectField(_l("Region"), validators=[DataRequired()])

    def __init__(self, *args: object, agency: Agency, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        obj = kwargs.get("obj")
        self.region_code.choices = work_unit_region_choices(agency, obj.region_code if obj is not None else None)


class InviteBuyerForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), EmailAddress()])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    roles = CheckboxListField(
        _l("Roles"),
        choices=[SelectChoice(value, label) for value, label in BUYER_ROLE_CHOICES],
        validators=[AtLeastOne(_l("Choose at least one role."))],
        description=_l("A person may hold several roles, e.g. PP and bendahara."),
    )
