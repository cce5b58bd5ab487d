"""The administrator's forms: finding a family, and the reason for handing out their records."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.textclean import clean_line, clean_text


class CsrfOnlyForm(FlaskForm):
    """A form whose fields are read by hand (one per record type); it carries the token."""


class FamilySearchForm(FlaskForm):
    query = StringField(
        _l("Phone number or email address"),
        filters=[clean_line],
        validators=[
            DataRequired(_l("Enter the family's phone number or email address.")),
            Length(max=254),
        ],
        description=_l("The exact phone or email the family gave us. The search is not saved."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class ExportForm(FlaskForm):
    contact_id = IntegerField(widget=HiddenField.widget, validators=[DataRequired()])
    query = HiddenField(filters=[clean_line])
    reason = TextAreaField(
        _l("Why are these records being released?"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Say why the records are being released.")),
            Length(
                min=5, max=500, message=_l("Write between 5 and 500 characters about the request.")
            ),
        ],
        description=_l(
            "For example: the parent's written request of March 3 to inspect their records. "
            "This is kept in the record of disclosures."
        ),
    )
