"""Forms of the feed pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from marketplace.core.forms import BaseForm
from marketplace.feeds.states import SHAPE_LABELS, FeedMode, FeedShape

#: What each mode holds, as the request form explains it.
MODE_CHOICES = [
    SelectChoice(str(FeedMode.FULL), _l("Full: every approved product")),
    SelectChoice(
        str(FeedMode.DELTA), _l("Changes (delta): what changed since the last successful feed of this format")
    ),
]


class FeedRequestForm(BaseForm):
    """Ask for a new feed: its format (shape) and whether it holds everything or the changes only."""

    shape = RadioField(
        _l("Format"),
        choices=[SelectChoice(str(shape), label) for shape, label in SHAPE_LABELS.items()],
        default=str(FeedShape.CSV),
        validators=[InputRequired(message=_l("Choose a format."))],
    )
    mode = RadioField(
        _l("Contents"),
        choices=MODE_CHOICES,
        default=str(FeedMode.FULL),
        validators=[InputRequired(message=_l("Choose what the feed holds."))],
    )


class FeedActionForm(BaseForm):
    """A button that changes something (retry a feed, replace the datafeed key): only the CSRF token."""
