"""Forms of the cooperative's review pages and of the operator's reference-data pages."""

from __future__ import annotations

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from marketplace.catalog.services.review import MAX_NOTE_LENGTH, MIN_NOTE_LENGTH
from marketplace.core.errors import ValidationFailed
from marketplace.core.fields import as_database_id
from marketplace.core.forms import BaseForm

# Review ---------------------------------------------------------------------------------------------------------


class ApproveForm(BaseForm):
    """Approve one revision: nothing to fill in."""


class RejectForm(BaseForm):
    """Reject a revision: the reason the seller reads."""

    reason = TextAreaField(
        _l("Reason for rejecting"),
        validators=[DataRequired(), Length(min=MIN_NOTE_LENGTH, max=MAX_NOTE_LENGTH)],
        description=_l("The seller receives this text by email. The approved version, if any, stays on sale."),
    )


class RequestChangesForm(BaseForm):
    """Send a revision back: what the seller should change."""

    notes = TextAreaField(
        _l("What should the seller change?"),
        validators=[DataRequired(), Length(min=MIN_NOTE_LENGTH, max=MAX_NOTE_LENGTH)],
        description=_l("The seller receives these notes by email, edits the product and submits it again."),
    )


class BulkApproveForm(BaseForm):
    """Approve the revisions ticked in the queue."""

    revision_ids = SelectMultipleField(coerce=int, validate_choice=False)


class ReviewPolicyForm(BaseForm):
    """Which of a seller's quick updates need the manager's approval."""

    stock_needs_review = BooleanField(_l("Stock updates need review"))
    validity_needs_review = BooleanField(_l("Price validity updates need review"))


# Reference data -------------------------------------------------------------------------------------------------

LKPP_ID_HINT = _l("Optional: the id of the same entry in e-Katalog (LKPP), where known.")


class CategoryForm(BaseForm):
    """A new category: top level, or under a level-1 or level-2 category."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    parent_id = SelectField(_l("Parent category"), coerce=str, validate_choice=False)
    lkpp_id = StringField(_l("LKPP category id"), validators=[Optional(), Length(max=40)], description=LKPP_ID_HINT)

    def parent(self) -> int | None:
        """The chosen parent's id, or None for a top-level category."""
        return as_database_id(self.parent_id.data or "")


class CategoryEditForm(BaseForm):
    """Rename a category and set its LKPP id."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    lkpp_id = StringField(_l("LKPP category id"), validators=[Optional(), Length(max=40)], description=LKPP_ID_HINT)


class MoveForm(BaseForm):
    """Move a category up or down among its siblings."""

    direction = HiddenField(validators=[AnyOf(["up", "down"])])


class ActiveForm(BaseForm):
    """Deactivate (0) or reactivate (1) an entry."""

    active = HiddenField(validators=[AnyOf(["0", "1"])])


class UnitForm(BaseForm):
    """A unit of measure."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=40)])
    lkpp_id = StringField(_l("LKPP unit id"), validators=[Optional(), Length(max=40)], description=LKPP_ID_HINT)


class KbkiImportForm(BaseForm):
    """A CSV of KBKI codes."""

    file = FileField(
        _l("CSV file"),
        validators=[FileRequired()],
        render_kw={"accept": ".csv,text/csv"},
        description=_l(
            "Columns kode,judul with a header row, UTF-8 (with or without BOM). Codes have 1, 2, 3, 4, 5, 7 or 10 "
            "digits. Existing codes get the new title."
        ),
    )


def show_field_errors(form: BaseForm, error: ValidationFailed) -> None:
    """Put a service's field errors next to the form's fields; flash the ones the form has no field for."""
    for key, message in error.fields.items():
        field = form._fields.get(key)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")
    if not error.fields and error.message:
        flash(error.message, "error")
