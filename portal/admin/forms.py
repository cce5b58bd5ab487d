"""The account form administrators fill in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.auth.roles import Role
from portal.auth.services import PASSWORD_MAX_LENGTH
from portal.textclean import clean_line


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _optional_int(value: str | None) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class UserForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Enter an email address.")),
            Email(_l("Enter an email address like name@example.org.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter the person's name.")), Length(max=120)],
        render_kw={"autocomplete": "off"},
    )
    preferred_language = RadioField(
        _l("Language for the portal and messages"),
        choices=[SelectChoice("en", "English"), SelectChoice("es", "Español")],
        default="en",
        validators=[DataRequired(_l("Choose a language."))],
    )
    roles = CheckboxesField(
        _l("Roles"),
        choices=[SelectChoice(role.value, role.label) for role in Role],
        description=_l("A person may hold several roles."),
    )
    schools = CheckboxesField(
        _l("Schools served"),
        coerce=int,
        description=_l(
            "For liaisons, social workers and caseworkers: the schools whose "
            "records they work with."
        ),
    )
    network = SelectField(
        _l("Network led"),
        coerce=_optional_int,
        validators=[Optional()],
        description=_l("For instructional superintendents: the network of schools they lead."),
    )
    active = BooleanField(_l("Account is active"), default=True)
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(max=PASSWORD_MAX_LENGTH)],
        description=_l("At least 15 characters. Leave empty to keep the current password."),
        render_kw={"autocomplete": "new-password"},
    )


class ConfirmForm(FlaskForm):
    """A button that changes state: it only needs the CSRF token."""


class NonSchoolDayForm(FlaskForm):
    """A weekday without classes, named in both languages."""

    day = DateField(_l("Date"), validators=[DataRequired(_l("Choose the date."))])
    kind = RadioField(
        _l("What kind of day"),
        choices=[
            SelectChoice("holiday", _l("Holiday: schools and offices closed")),
            SelectChoice("break", _l("Break: schools and offices closed")),
            SelectChoice("no_students", _l("No classes: offices open")),
        ],
        default="holiday",
        validators=[DataRequired()],
    )
    name_en = StringField(
        _l("Name in English"),
        filters=[clean_line],
        validators=[DataRequired(_l("Name the day in English.")), Length(max=120)],
    )
    name_es = StringField(
        _l("Name in Spanish"),
        filters=[clean_line],
        validators=[DataRequired(_l("Name the day in Spanish.")), Length(max=120)],
        render_kw={"lang": "es"},
    )
