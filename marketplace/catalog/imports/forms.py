"""Forms of the bulk upload pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import InputRequired

from marketplace.core.forms import BaseForm


class UploadForm(BaseForm):
    """The file, and for managers the member whose products it holds (removed for sellers)."""

    seller_id = SelectField(
        _l("Member"),
        coerce=int,
        validators=[InputRequired(message=_l("Choose the member whose products these are."))],
        description=_l("The products are created as drafts of this member."),
    )
    file = FileField(
        _l("File"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
        description=_l("The template filled in: XLSX, CSV, or a ZIP of the CSV files; at most 20 MB."),
        render_kw={"accept": ".xlsx,.csv,.zip"},
    )


class DecisionForm(BaseForm):
    """Import the good rows, or nothing: no fields besides the CSRF token."""
