"""The family's registration form, the walk-in form at the door, and the session survey."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from portal.families.forms import ContactFields, ReachableContactFields
from portal.textclean import clean_line, clean_text


class RegistrationForm(ReachableContactFields):
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


class WalkInForm(ContactFields):
    """A walk-in at the door: a few seconds, phone or email finds someone already known."""

    name = StringField(
        _l("Name"),
        filters=[clean_line],
        validators=[DataRequired(_l("Tell us your name.")), Length(max=120)],
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


# One scale for the three questions; the words at both ends say which way is better.
RATING_SCALE = [
    SelectChoice(1, _l("1 — Not at all")),
    SelectChoice(2, _l("2 — A little")),
    SelectChoice(3, _l("3 — Somewhat")),
    SelectChoice(4, _l("4 — Quite a lot")),
    SelectChoice(5, _l("5 — Very much")),
]


def rating(label: object) -> RadioField:
    message = _l("Choose a number from 1 to 5.")
    return RadioField(
        label,
        choices=RATING_SCALE,
        coerce=int,
        validators=[InputRequired(message)],
        invalid_value_message=message,
        invalid_choice_message=message,
    )


class FeedbackForm(FlaskForm):
    """The survey after a session: three ratings and a comment, a minute on a phone."""

    useful = rating(_l("How useful was this session for you?"))
    facilitator = rating(_l("How clearly did the facilitator explain things?"))
    welcome = rating(_l("How welcome did you feel?"))
    comment = TextAreaField(
        _l("Anything you would like to add?"),
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=2000, message=_l("Please keep it under 2,000 characters.")),
        ],
        description=_l("Optional."),
        render_kw={"rows": 4},
    )
