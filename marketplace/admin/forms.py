"""Forms of the operator back office: user filters, roles, enable/disable, audit log filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from marketplace.accounts.models import Role
from marketplace.agencies.forms import CheckboxListField
from marketplace.agencies.models import Agency, WorkUnit
from marketplace.cooperatives.models import Cooperative
from marketplace.core.forms import BaseForm
from marketplace.extensions import db

#: How each role is called on screen.
ROLE_LABELS = {
    Role.SELLER: _l("Seller (UMKM)"),
    Role.COOP_MANAGER: _l("Cooperative manager (pengurus)"),
    Role.PP: _l("PP (Pejabat Pengadaan)"),
    Role.PPK: _l("PPK (Pejabat Pembuat Komitmen)"),
    Role.BENDAHARA: _l("Bendahara (treasurer)"),
    Role.OPERATOR: _l("Operator"),
}


def optional_int(value: object) -> int | None:
    """Coerce a select's value to an int, or None when empty."""
    return None if value in (None, "", "None") else int(value)


class FilterForm(BaseForm):
    """A GET filter form: no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False


class UserFilterForm(FilterForm):
    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=254)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("", _l("All roles"))] + [SelectChoice(str(r), label) for r, label in ROLE_LABELS.items()],
        validators=[Optional()],
    )
    enabled = SelectField(
        _l("Account"),
        choices=[
            SelectChoice("", _l("All accounts")),
            SelectChoice("1", _l("Enabled")),
            SelectChoice("0", _l("Disabled")),
        ],
        validators=[Optional()],
    )


def work_unit_choices() -> list[SelectChoice]:
    """Every work unit, grouped by agency, after an empty choice."""
    rows = db.session.execute(
        select(WorkUnit.id, WorkUnit.name, Agency.name).join(WorkUnit.agency).order_by(Agency.name, WorkUnit.name)
    )
    return [SelectChoice("", _l("No work unit"))] + [
        SelectChoice(str(unit_id), unit_name, optgroup=agency_name) for unit_id, unit_name, agency_name in rows
    ]


def cooperative_choices() -> list[SelectChoice]:
    """Every cooperative by name, after an empty choice."""
    rows = db.session.execute(select(Cooperative.id, Cooperative.name).order_by(Cooperative.name))
    return [SelectChoice("", _l("No cooperative"))] + [SelectChoice(str(coop_id), name) for coop_id, name in rows]


class RolesForm(BaseForm):
    roles = CheckboxListField(
        _l("Roles"), choices=[SelectChoice(str(role), label) for role, label in ROLE_LABELS.items()]
    )
    work_unit_id = SelectField(
        _l("Work unit"), coerce=optional_int, description=_l("Needed for PP, PPK and bendahara.")
    )
    cooperative_id = SelectField(
        _l("Managed cooperative"), coerce=optional_int, description=_l("Needed for a cooperative manager.")
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.work_unit_id.choices = work_unit_choices()
        self.cooperative_id.choices = cooperative_choices()


class ReasonForm(BaseForm):
    """Enable or disable an account, with an optional reason kept in the audit log."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)])


class ResendInvitationForm(BaseForm):
    """Only the CSRF token."""


class AuditFilterForm(FilterForm):
    action = StringField(
        _l("Action"), validators=[Optional(), Length(max=80)], description=_l("Beginning of the action, e.g. user.")
    )
    actor = StringField(_l("Actor email"), validators=[Optional(), Length(max=254)])
    subject_type = StringField(_l("Subject type"), validators=[Optional(), Length(max=40)])
    subject_id = IntegerField(_l("Subject id"), validators=[Optional(), NumberRange(min=1)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
