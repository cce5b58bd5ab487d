"""The fields every form that asks a family who they are shares."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from portal.families.services import normalize_phone
from portal.textclean import clean_line


class ContactFields(FlaskForm):
    """Name, phone and email, cleaned and checked the same way everywhere."""

    name = StringField(
        _l("Your name"),
        filters=[clean_line],
        validators=[DataRequired(_l("Tell us your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    phone = TelField(
        _l("Phone number"),
        filters=[clean_line],
        validators=[Optional(), Length(max=30)],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    email = EmailField(
        _l("Email address"),
        filters=[clean_line],
        validators=[
            Optional(),
            Email(_l("Enter an email address like name@example.org.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )

    def validate_phone(self, field: TelField) -> None:
        if field.data and normalize_phone(field.data) is None:
            raise ValidationError(_l("Enter a phone number we can call, like 720-555-0142."))


class ReachableContactFields(ContactFields):
    """As above, and at least one way to reach them."""

    def validate_email(self, field: EmailField) -> None:
        if not field.data and not self.phone.data:
            raise ValidationError(_l("Give us a phone number or an email address."))
