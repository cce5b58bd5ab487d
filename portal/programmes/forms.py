"""The family's registration form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, RadioField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.families.services import normalize_phone
from portal.textclean import clean_line, clean_text


class RegistrationForm(FlaskForm):
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
    language = RadioField(
        _l("Which language do you prefer?"),
        choices=[SelectChoice("en", "English"), SelectChoice("es", "Español")],
        validators=[InputRequired(_l("Choose a language."))],
    )
    children_count = IntegerField(
        _l("Children who need childcare"),
        default=0,
        validators=[Optional(), NumberRange(0, 10, _l("Enter a number from 0 to 10."))],
        render_kw={"inputmode": "numeric"},
    )
    children_ages = StringField(
        _l("Their ages"),
        filters=[clean_line],
        validators=[Optional(), Length(max=60)],
        description=_l("For example: 2, 5 and 7."),
    )
    accommodations = TextAreaField(
        _l("Anything we should prepare for you?"),
        filters=[clean_text],
        validators=[Optional(), Length(max=1000)],
        description=_l(
            "Optional: access needs, an interpreter in another language, food allergies."
        ),
        render_kw={"rows": 3},
    )

    def validate_phone(self, field: TelField) -> None:
        if field.data and normalize_phone(field.data) is None:
            raise ValidationError(_l("Enter a phone number we can call, like 720-555-0142."))

    def validate_email(self, field: EmailField) -> None:
        if not field.data and not self.phone.data:
            raise ValidationError(_l("Give us a phone number or an email address."))


class WalkInForm(FlaskForm):
    """A walk-in at the door: a few seconds, phone or email finds someone already known."""

    name = StringField(
        _l("Name"),
        filters=[clean_line],
        validators=[DataRequired(_l("Tell us your name.")), Length(max=120)],
        render_kw={"autocomplete": "off"},
    )
    phone = TelField(
        _l("Phone number"),
        filters=[clean_line],
        validators=[Optional(), Length(max=30)],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    email = EmailField(
        _l("Email address"),
        filters=[clean_line],
        validators=[
            Optional(),
            Email(_l("Enter an email address like name@example.org.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "off"},
    )
    language = RadioField(
        _l("Language"),
        choices=[SelectChoice("es", "Español"), SelectChoice("en", "English")],
        default="es",
        validators=[InputRequired()],
    )
    children_count = IntegerField(
        _l("Children who need childcare"),
        default=0,
        validators=[Optional(), NumberRange(0, 10, _l("Enter a number from 0 to 10."))],
        render_kw={"inputmode": "numeric"},
    )

    def validate_phone(self, field: TelField) -> None:
        if field.data and normalize_phone(field.data) is None:
            raise ValidationError(_l("Enter a phone number we can call, like 720-555-0142."))
