"""The referral form and the forms that work a referral."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
)
from wtforms.widgets import CheckboxInput, ListWidget

from portal.concerns.forms import GRADES
from portal.families.forms import ReachableContactFields
from portal.referrals import labels
from portal.referrals.models import Reason, Status, Urgency
from portal.textclean import clean_line, clean_text

LINE = [clean_line]
TEXT = [clean_text]


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(mapping: dict) -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in mapping.items()]


class ConsentFields(FlaskForm):
    """Who gave consent to share with the county agency, how and when."""

    consent_given_by = StringField(
        _l("Consent given by (guardian's name)"),
        filters=LINE,
        validators=[Optional(), Length(max=120)],
    )
    consent_relationship = StringField(
        _l("Their relationship to the student"),
        filters=LINE,
        validators=[Optional(), Length(max=60)],
    )
    consent_method = SelectField(
        _l("How consent was given"),
        choices=[SelectChoice("", _l("Choose…")), *_choices(labels.CONSENT_METHOD)],
        validators=[Optional()],
    )
    consent_given_on = DateField(
        _l("Date consent was given"),
        validators=[Optional()],
        render_kw={"type": "date"},
    )

    def consent_complete(self) -> bool:
        return bool(
            self.consent_given_by.data and self.consent_method.data and self.consent_given_on.data
        )

    # Checked after the fields: an empty optional field stops its own validators.
    consent_required = False

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        valid = super().validate(extra_validators)
        started = (
            self.consent_given_by.data
            or self.consent_relationship.data
            or self.consent_method.data
            or self.consent_given_on.data
        )
        if (started or self.consent_required) and not self.consent_complete():
            self.consent_given_by.errors = [
                *self.consent_given_by.errors,
                str(_l("Give the guardian's name, how and when they consented.")),
            ]
            return False
        return valid


class ReferralForm(ReachableContactFields, ConsentFields):
    """A referral: the student, the family, why, how urgent, to whom, and consent."""

    submission_key = HiddenField()
    case = HiddenField()  # the concern this referral is opened from, by its reference
    name = StringField(
        _l("Parent or guardian's name"),
        filters=LINE,
        validators=[DataRequired(_l("Give the parent or guardian's name.")), Length(max=120)],
    )
    school = SelectField(
        _l("School"), coerce=int, validators=[InputRequired(_l("Choose a school."))]
    )
    student_first_name = StringField(
        _l("Student's first name"),
        filters=LINE,
        validators=[DataRequired(_l("Give the student's first name.")), Length(max=60)],
    )
    student_last_initial = StringField(
        _l("Initial of the student's last name"),
        filters=LINE,
        validators=[
            Optional(),
            Length(max=1, message=_l("Only the first letter of the last name.")),
            Regexp(r"^[^\W\d_]$", message=_l("Only the first letter of the last name.")),
        ],
        description=_l("Only the first letter: the full name stays in the school's records."),
        render_kw={"maxlength": 1, "autocomplete": "off"},
    )
    student_grade = SelectField(_l("Grade"), choices=GRADES, validators=[Optional()])
    language = RadioField(
        _l("The family's language"),
        choices=[
            SelectChoice("en", "English"),
            SelectChoice("es", "Español"),
            SelectChoice("other", _l("Another language")),
        ],
        default="en",
        validators=[InputRequired(_l("Choose a language."))],
    )
    other_language = StringField(
        _l("Which language?"), filters=LINE, validators=[Optional(), Length(max=60)]
    )
    interpreter_needed = BooleanField(_l("The family needs an interpreter"))
    reasons = MultiCheckboxField(
        _l("Reasons for the referral"),
        choices=_choices(labels.REASON),
        validators=[DataRequired(_l("Choose at least one reason."))],
    )
    urgency = RadioField(
        _l("Urgency"),
        choices=_choices(labels.URGENCY),
        default=Urgency.ROUTINE.value,
        validators=[InputRequired(_l("Choose how urgent it is."))],
    )
    destination = RadioField(
        _l("Refer to"),
        choices=[
            SelectChoice("social_worker", _l("The school social worker")),
            SelectChoice(
                "caseworker", _l("The county human-services caseworker (pilot schools only)")
            ),
        ],
        default="social_worker",
        validators=[InputRequired()],
        description=_l(
            "A child-safety referral goes to both at once at pilot schools, without consent."
        ),
    )
    details = TextAreaField(
        _l("What is happening"),
        filters=TEXT,
        validators=[
            DataRequired(_l("Describe what is happening.")),
            Length(max=5000, message=_l("Please keep it under 5,000 characters.")),
        ],
        render_kw={"rows": 5},
    )
    tried = TextAreaField(
        _l("What has been tried already"),
        filters=TEXT,
        validators=[
            Optional(),
            Length(max=3000, message=_l("Please keep it under 3,000 characters.")),
        ],
        render_kw={"rows": 3},
    )

    @property
    def child_safety(self) -> bool:
        return Reason.CHILD_SAFETY.value in (self.reasons.data or [])


class StatusForm(FlaskForm):
    """The next step on the workflow and what that step needs."""

    to = SelectField(_l("Next step"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Why it is declined"),
        filters=TEXT,
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 2},
    )
    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice("", _l("Choose…")), *_choices(labels.OUTCOME)],
        validators=[Optional()],
    )
    notes = TextAreaField(
        _l("Outcome notes"),
        filters=TEXT,
        validators=[Optional(), Length(max=3000)],
        render_kw={"rows": 2},
    )
    follow_up_on = DateField(
        _l("Follow-up date"), validators=[Optional()], render_kw={"type": "date"}
    )

    def set_moves(self, moves: tuple[Status, ...]) -> None:
        self.to.choices = [SelectChoice(m.value, labels.STATUS[m]) for m in moves]


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("Confidential note"),
        filters=TEXT,
        validators=[
            DataRequired(_l("Write the note.")),
            Length(max=5000, message=_l("Please keep it under 5,000 characters.")),
        ],
        description=_l(
            "Only the assigned social worker or caseworker and their supervisor read it."
        ),
        render_kw={"rows": 3},
    )


class FollowUpForm(FlaskForm):
    follow_up_on = DateField(
        _l("Next follow-up"),
        validators=[Optional()],
        render_kw={"type": "date"},
        description=_l("Leave empty to clear it."),
    )


class ServiceForm(FlaskForm):
    resource = SelectField(
        _l("Service from the resource directory"),
        coerce=int,
        validators=[InputRequired(_l("Choose a service from the directory."))],
    )


class ConsentForm(ConsentFields):
    """Consent recorded after the referral was made: the caseworker then has it."""

    consent_required = True


class RevokeForm(FlaskForm):
    method = SelectField(
        _l("How the guardian withdrew consent"),
        choices=_choices(labels.CONSENT_METHOD),
        validators=[InputRequired()],
    )


class FlagsForm(FlaskForm):
    mckinney_vento = BooleanField(_l("Homeless or housing unstable (McKinney-Vento)"))
    foster_youth = BooleanField(_l("In foster care"))
