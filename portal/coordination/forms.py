"""Forms for recording a coordination-team meeting; choices are filled in by the view."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.coordination.models import TeamKind
from portal.textclean import clean_line, clean_text

KIND_LABELS = {
    TeamKind.COST: _l("Coordination of Services Team (COST)"),
    TeamKind.SAART: _l("Student Attendance Achievement Review Team (SAART)"),
}


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class MeetingForm(FlaskForm):
    submission_key = HiddenField()  # one-off, from the page: sent twice, saved once
    school = SelectField(
        _l("School"),
        coerce=_int_or_none,
        validators=[InputRequired(_l("Choose the school."))],
    )
    kind = RadioField(
        _l("Team"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[InputRequired(_l("Choose the team that met."))],
    )
    held_on = DateField(
        _l("Date of the meeting"), validators=[InputRequired(_l("Enter the date."))]
    )
    decisions = TextAreaField(
        _l("Decisions"),
        filters=[clean_text],
        validators=[Optional(), Length(max=10_000)],
        description=_l("Refer to students by first name and the referral, never by full name."),
    )


class DecisionsForm(FlaskForm):
    decisions = TextAreaField(
        _l("Decisions"), filters=[clean_text], validators=[Optional(), Length(max=10_000)]
    )


class StaffAttendeeForm(FlaskForm):
    submission_key = HiddenField()  # one-off, from the page: sent twice, saved once
    staff = SelectField(
        _l("Staff member"),
        coerce=_int_or_none,
        validators=[InputRequired(_l("Choose a staff member."))],
    )
    staff_role = StringField(
        _l("Role at the meeting (optional)"),
        filters=[clean_line],
        validators=[Optional(), Length(max=80)],
        description=_l("For example: counselor, assistant principal, teacher."),
    )


class FamilyAttendeeForm(FlaskForm):
    submission_key = HiddenField()  # one-off, from the page: sent twice, saved once
    name = StringField(
        _l("Family member's name"),
        filters=[clean_line],
        validators=[DataRequired(_l("Enter the family member's name.")), Length(max=120)],
    )
    family_role = StringField(
        _l("Relationship to the student"),
        filters=[clean_line],
        validators=[DataRequired(_l("Enter how they are related to the student.")), Length(max=80)],
        description=_l("For example: mother, grandfather, foster parent."),
    )


class StepForm(FlaskForm):
    submission_key = HiddenField()  # one-off, from the page: sent twice, saved once
    description = TextAreaField(
        _l("Next step"),
        filters=[clean_text],
        validators=[DataRequired(_l("Describe the next step.")), Length(max=2000)],
    )
    owner = SelectField(
        _l("Owner"), coerce=_int_or_none, validators=[InputRequired(_l("Choose who owns it."))]
    )
    due_on = DateField(_l("Due date"), validators=[InputRequired(_l("Enter the due date."))])


class ReferralLinkForm(FlaskForm):
    referral = SelectField(
        _l("Referral discussed"),
        coerce=_int_or_none,
        validators=[InputRequired(_l("Choose a referral."))],
    )


class ButtonForm(FlaskForm):
    """A button that changes state: it only needs the CSRF token."""
