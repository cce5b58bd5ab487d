"""Forms: a family registering, a walk-in at the door, the session survey, planning."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
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

from portal.admin.forms import CheckboxesField
from portal.families.forms import ContactFields, ReachableContactFields
from portal.programmes.models import OfferingLanguage
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


def _optional_int(value: str | int | None) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class SessionFields(FlaskForm):
    """A session's day, times and place, in the district's time."""

    day = DateField(_l("Day"), validators=[InputRequired(_l("Enter the day."))])
    starts = TimeField(_l("Starts"), validators=[InputRequired(_l("Enter the start time."))])
    ends = TimeField(_l("Ends"), validators=[InputRequired(_l("Enter the end time."))])

    def validate_day(self, field: DateField) -> None:
        if field.data and not 2000 <= field.data.year <= 2100:
            raise ValidationError(_l("Enter a day between 2000 and 2100."))

    def validate_ends(self, field: TimeField) -> None:
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("The session must end after it starts."))


class SessionForm(SessionFields):
    topic_en = StringField(
        _l("Topic in English"), filters=[clean_line], validators=[Optional(), Length(max=200)]
    )
    topic_es = StringField(
        _l("Topic in Spanish"), filters=[clean_line], validators=[Optional(), Length(max=200)]
    )
    location = StringField(
        _l("Place, if not the usual one"),
        filters=[clean_line],
        validators=[Optional(), Length(max=200)],
    )


class OfferingForm(FlaskForm):
    programme = SelectField(
        _l("Programme"), coerce=_optional_int, validators=[InputRequired(_l("Choose a programme."))]
    )
    school = SelectField(_l("Host school"), coerce=_optional_int, validators=[Optional()])
    title_en = StringField(
        _l("Title in English"),
        filters=[clean_line],
        validators=[Optional(), Length(max=160)],
        description=_l("Leave empty to use the programme's name."),
    )
    title_es = StringField(
        _l("Title in Spanish"),
        filters=[clean_line],
        validators=[Optional(), Length(max=160)],
        description=_l("Leave empty to use the programme's name."),
    )
    language = RadioField(
        _l("Language of instruction"),
        choices=[
            SelectChoice(OfferingLanguage.ENGLISH.value, _l("English")),
            SelectChoice(OfferingLanguage.SPANISH.value, _l("Spanish")),
            SelectChoice(OfferingLanguage.BILINGUAL.value, _l("Bilingual")),
        ],
        validators=[InputRequired(_l("Choose a language."))],
    )
    capacity = IntegerField(
        _l("Capacity (seats)"),
        validators=[
            InputRequired(_l("Enter the number of seats.")),
            NumberRange(1, 1000, _l("Enter a number from 1 to 1000.")),
        ],
        description=_l("A facilitator leads at most 40 parents."),
        render_kw={"inputmode": "numeric"},
    )
    location = StringField(
        _l("Place"),
        filters=[clean_line],
        validators=[DataRequired(_l("Say where it takes place.")), Length(max=200)],
        description=_l("For example: Library, room 104."),
    )
    childcare_offered = BooleanField(_l("Childcare offered"))
    interpretation_offered = BooleanField(_l("Interpretation offered"))
    registration_opens = DateField(_l("Registration opens"), validators=[Optional()])
    registration_closes = DateField(_l("Registration closes"), validators=[Optional()])
    facilitators = CheckboxesField(_l("Facilitators"), coerce=int)


class NewOfferingForm(OfferingForm, SessionFields):
    """Creating an offering sets up its weekly sessions at once (topics from the programme)."""

    weeks = IntegerField(
        _l("Number of weekly sessions"),
        default=1,
        validators=[
            InputRequired(_l("Enter the number of sessions.")),
            NumberRange(1, 20, _l("Enter a number from 1 to 20.")),
        ],
        description=_l("The first one on the day above, then one a week at the same time."),
        render_kw={"inputmode": "numeric"},
    )


class StatusForm(FlaskForm):
    to = HiddenField(validators=[DataRequired()])


class WaitlistEntryForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[clean_line],
        validators=[DataRequired(_l("Enter the person's name.")), Length(max=120)],
    )
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Enter an email address.")),
            Email(_l("Enter an email address like name@example.org.")),
            Length(max=254),
        ],
    )
    school = SelectField(
        _l("School"), coerce=_optional_int, validators=[InputRequired(_l("Choose a school."))]
    )
    note = StringField(_l("Note"), filters=[clean_line], validators=[Optional(), Length(max=300)])


class EnrolForm(FlaskForm):
    offering = SelectField(
        _l("Trainer-of-trainers offering"),
        coerce=_optional_int,
        validators=[InputRequired(_l("Choose an offering."))],
    )
    count = IntegerField(
        _l("How many from the top of the list"),
        default=1,
        validators=[
            InputRequired(_l("Enter a number.")),
            NumberRange(1, 100, _l("Enter a number from 1 to 100.")),
        ],
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
