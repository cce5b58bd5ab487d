"""The public intake form, tracking, the family's message and survey, and staff case forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.concerns import labels
from portal.concerns.models import (
    CallOutcome,
    EntryKind,
    EscalationTarget,
    MeetingKind,
    Relationship,
)
from portal.families.forms import ReachableContactFields
from portal.textclean import clean_line, clean_text

RELATIONSHIPS = [
    SelectChoice(Relationship.PARENT.value, _l("Parent")),
    SelectChoice(Relationship.GUARDIAN.value, _l("Legal guardian")),
    SelectChoice(Relationship.GRANDPARENT.value, _l("Grandparent")),
    SelectChoice(Relationship.RELATIVE.value, _l("Other relative")),
    SelectChoice(Relationship.FOSTER_PARENT.value, _l("Foster parent")),
    SelectChoice(Relationship.STUDENT.value, _l("I am the student")),
    SelectChoice(Relationship.OTHER.value, _l("Someone else")),
]
GRADES = (
    [SelectChoice("", _l("Prefer not to say"))]
    + [SelectChoice(g, label) for g, label in [("PK", _l("Preschool")), ("K", _l("Kindergarten"))]]
    + [SelectChoice(str(n), str(n)) for n in range(1, 13)]
)

LINE = [clean_line]
TEXT = [clean_text]


class IntakeForm(ReachableContactFields):
    """A family's question or concern; every field keeps what was typed when another fails."""

    submission_key = HiddenField()
    kind = RadioField(
        _l("Is this a question or a concern?"),
        choices=[
            SelectChoice("question", _l("A question: I need information or an answer")),
            SelectChoice("concern", _l("A concern: something is wrong and I need help")),
        ],
        validators=[InputRequired(_l("Tell us whether this is a question or a concern."))],
    )
    child_in_danger = BooleanField(
        _l("A child is not safe, or is being hurt. Mark my message urgent.")
    )
    relationship = SelectField(
        _l("You are the student's"), choices=RELATIONSHIPS, validators=[DataRequired()]
    )
    contact_method = RadioField(
        _l("How should we reach you?"),
        choices=[
            SelectChoice("phone", _l("Phone call")),
            SelectChoice("text", _l("Text message")),
            SelectChoice("email", _l("Email")),
        ],
        default="phone",
        validators=[InputRequired()],
    )
    best_time = StringField(
        _l("Best time to reach you"),
        filters=LINE,
        validators=[Optional(), Length(max=120)],
        description=_l("For example: weekdays after 5 pm."),
    )
    language = RadioField(
        _l("Which language do you prefer?"),
        choices=[
            SelectChoice("en", "English"),
            SelectChoice("es", "Español"),
            SelectChoice("other", _l("Another language")),
        ],
        validators=[InputRequired(_l("Choose a language."))],
    )
    other_language = StringField(
        _l("Which language?"), filters=LINE, validators=[Optional(), Length(max=60)]
    )
    interpreter_needed = BooleanField(_l("I would like an interpreter"))
    school = StringField(
        _l("School"),
        filters=LINE,
        validators=[Optional(), Length(max=160)],
        description=_l("Start typing the school's name and choose it from the list."),
        render_kw={"list": "school-options", "autocomplete": "off"},
    )
    student_first_name = StringField(
        _l("Student's first name"),
        filters=LINE,
        validators=[Optional(), Length(max=60)],
        description=_l("Optional."),
    )
    student_grade = SelectField(_l("Student's grade"), choices=GRADES, validators=[Optional()])
    category = SelectField(
        _l("What is it about?"),
        coerce=int,
        validators=[InputRequired(_l("Choose what it is about."))],
    )
    description = TextAreaField(
        _l("Tell us what is happening"),
        filters=TEXT,
        validators=[
            DataRequired(_l("Tell us what is happening.")),
            Length(max=5000, message=_l("Please keep it under 5,000 characters.")),
        ],
        render_kw={"rows": 6},
    )
    desired_outcome = TextAreaField(
        _l("What would you like to happen?"),
        filters=TEXT,
        validators=[
            Optional(),
            Length(max=2000, message=_l("Please keep it under 2,000 characters.")),
        ],
        description=_l("Optional."),
        render_kw={"rows": 3},
    )

    def validate_contact_method(self, field: RadioField) -> None:
        if field.data == "email" and not self.email.data:
            raise ValidationError(_l("Add your email address, or choose another way."))
        if field.data in ("phone", "text") and not self.phone.data:
            raise ValidationError(_l("Add your phone number, or choose another way."))

    def validate_other_language(self, field: StringField) -> None:
        if self.language.data == "other" and not field.data:
            raise ValidationError(_l("Tell us which language."))


class TrackForm(FlaskForm):
    reference = StringField(
        _l("Case reference"),
        filters=LINE,
        validators=[DataRequired(_l("Enter the reference, like FCS-2026-004217.")), Length(max=40)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    access_code = StringField(
        _l("Access code"),
        filters=LINE,
        validators=[DataRequired(_l("Enter the access code we gave you.")), Length(max=60)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )


class FamilyMessageForm(FlaskForm):
    message = TextAreaField(
        _l("Add a message"),
        filters=TEXT,
        validators=[
            DataRequired(_l("Write your message.")),
            Length(max=5000, message=_l("Please keep it under 5,000 characters.")),
        ],
        render_kw={"rows": 4},
    )


class SurveyForm(FlaskForm):
    rating = RadioField(
        _l("How satisfied are you with how we handled your case?"),
        choices=[
            SelectChoice("5", _l("5 – Very satisfied")),
            SelectChoice("4", _l("4")),
            SelectChoice("3", _l("3")),
            SelectChoice("2", _l("2")),
            SelectChoice("1", _l("1 – Not at all satisfied")),
        ],
        validators=[InputRequired(_l("Choose a number from 1 to 5."))],
    )
    comment = TextAreaField(
        _l("Anything you would like to add?"),
        filters=TEXT,
        validators=[Optional(), Length(max=2000)],
        description=_l("Optional."),
        render_kw={"rows": 3},
    )


# Staff forms ------------------------------------------------------------------------------


class TriageForm(FlaskForm):
    tier = SelectField(
        _l("Tier"),
        coerce=int,
        choices=[
            SelectChoice(1, _l("Tier 1: inquiry")),
            SelectChoice(2, _l("Tier 2: concern")),
            SelectChoice(3, _l("Tier 3: escalated")),
        ],
    )
    category = SelectField(_l("Category"), coerce=int)
    school = SelectField(
        _l("School"),
        coerce=lambda v: int(v) if v not in ("", None, "None") else None,
        validators=[Optional()],
    )
    assignee = SelectField(
        _l("Assigned to"),
        coerce=lambda v: int(v) if v not in ("", None, "None") else None,
        validators=[Optional()],
    )
    urgent = BooleanField(_l("Urgent"))


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), validators=[DataRequired()])
    summary = TextAreaField(
        _l("Resolution summary for the family"),
        filters=TEXT,
        validators=[Optional(), Length(max=5000)],
        description=_l("Needed when resolving; the family sees it."),
        render_kw={"rows": 3},
    )


class EntryForm(FlaskForm):
    kind = SelectField(
        _l("What happened"),
        choices=[
            SelectChoice(EntryKind.CALL.value, _l("Phone call")),
            SelectChoice(EntryKind.EMAIL.value, _l("Email")),
            SelectChoice(EntryKind.TEXT.value, _l("Text message")),
            SelectChoice(EntryKind.IN_PERSON.value, _l("In person")),
            SelectChoice(EntryKind.INTERNAL_NOTE.value, _l("Internal note (staff only)")),
            SelectChoice(EntryKind.FAMILY_NOTE.value, _l("Note the family will see")),
        ],
    )
    with_school = BooleanField(_l("This was with the school, not the family"))
    body = TextAreaField(
        _l("Details"),
        filters=TEXT,
        validators=[DataRequired(_l("Write what happened.")), Length(max=10000)],
        render_kw={"rows": 3},
    )


class MeetingForm(FlaskForm):
    kind = RadioField(
        _l("Kind of meeting"),
        choices=[
            SelectChoice(MeetingKind.FACILITATED.value, _l("Facilitated meeting")),
            SelectChoice(MeetingKind.MEDIATION.value, _l("Mediation")),
        ],
        default=MeetingKind.FACILITATED.value,
        validators=[InputRequired()],
    )
    scheduled_for = DateTimeLocalField(
        _l("Date and time"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Choose the date and time."))],
    )
    video = BooleanField(_l("By video"))
    location = StringField(
        _l("Where, or the video link"),
        filters=LINE,
        validators=[DataRequired(_l("Say where the meeting is.")), Length(max=200)],
    )
    school_leader = StringField(
        _l("School leader attending"), filters=LINE, validators=[Optional(), Length(max=120)]
    )
    participants = TextAreaField(
        _l("Other participants"),
        filters=TEXT,
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 2},
    )
    interpreter_language = StringField(
        _l("Interpreter for (language)"),
        filters=LINE,
        validators=[Optional(), Length(max=60)],
        description=_l("Leave empty when no interpreter is needed."),
    )


class OutcomeForm(FlaskForm):
    outcome = SelectField(
        _l("Outcome"), choices=[SelectChoice(o.value, label) for o, label in labels.OUTCOME.items()]
    )
    notes = TextAreaField(
        _l("Notes"), filters=TEXT, validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    follow_up_on = DateField(_l("Follow-up date"), validators=[Optional()])


class EscalationForm(FlaskForm):
    target = RadioField(
        _l("Escalate to"),
        choices=[
            SelectChoice(
                EscalationTarget.SENIOR_MANAGER.value,
                _l("Senior manager, Family Constituency Services"),
            ),
            SelectChoice(
                EscalationTarget.SUPERINTENDENT.value,
                _l("Instructional superintendent of the school's network"),
            ),
        ],
        validators=[InputRequired(_l("Choose who to escalate to."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        filters=TEXT,
        validators=[DataRequired(_l("Say why the case is escalated.")), Length(max=5000)],
        render_kw={"rows": 3},
    )


class QuickLogForm(FlaskForm):
    category = SelectField(_l("Category"), coerce=int)
    school = SelectField(
        _l("School"),
        coerce=lambda v: int(v) if v not in ("", None, "None") else None,
        validators=[Optional()],
    )
    language = RadioField(
        _l("Language"),
        choices=[
            SelectChoice("en", "English"),
            SelectChoice("es", "Español"),
            SelectChoice("other", _l("Other")),
        ],
        default="en",
        validators=[InputRequired()],
    )
    outcome = RadioField(
        _l("Outcome"),
        choices=[
            SelectChoice(CallOutcome.ANSWERED.value, _l("Answered")),
            SelectChoice(CallOutcome.TRANSFERRED.value, _l("Transferred")),
            SelectChoice(CallOutcome.POLICY_CLARIFIED.value, _l("Policy clarified")),
        ],
        default=CallOutcome.ANSWERED.value,
        validators=[InputRequired()],
    )


class ServiceLevelForm(FlaskForm):
    acknowledge_days = IntegerField(
        _l("Acknowledge within (business days)"), validators=[InputRequired(), NumberRange(0, 30)]
    )
    first_contact_days = IntegerField(
        _l("First contact within (business days)"), validators=[InputRequired(), NumberRange(0, 30)]
    )
    resolve_days = IntegerField(
        _l("Resolve within (business days)"), validators=[InputRequired(), NumberRange(1, 120)]
    )
    escalate_unresponsive_days = IntegerField(
        _l("Escalate when the school leader has not responded for (business days)"),
        validators=[InputRequired(), NumberRange(1, 60)],
    )


class CorrectionForm(FlaskForm):
    body = TextAreaField(
        _l("Correction"),
        filters=TEXT,
        validators=[DataRequired(_l("Write the correction.")), Length(max=10000)],
        render_kw={"rows": 2},
    )
