"""The form staff use to write a listing in both languages, with its weekly hours."""

from __future__ import annotations

import re
from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    FormField,
    HiddenField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from portal.families.services import normalize_phone
from portal.resources.hours import Opening, check_openings
from portal.resources.models import SPOKEN_LANGUAGES, Need
from portal.resources.services import InvalidWebsite, capitalised, clean_website, language_name
from portal.textclean import clean_line, clean_text

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def parse_clock(value: str | None) -> time | None:
    """'09:30' (what a time input sends) as a time; None when empty; ValueError otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    match = _CLOCK.match(value)
    if not match:
        raise ValueError(value)
    return time(int(match.group(1)), int(match.group(2)))


_TIME = {"type": "time", "step": "300", "class": "form-control form-control-sm"}


class DayForm(Form):
    """One weekday: up to two openings (morning and afternoon, or one long one)."""

    opens1 = StringField(_l("Opens"), filters=[clean_line], render_kw=_TIME)
    closes1 = StringField(_l("Closes"), filters=[clean_line], render_kw=_TIME)
    opens2 = StringField(_l("Opens again"), filters=[clean_line], render_kw=_TIME)
    closes2 = StringField(_l("Closes again"), filters=[clean_line], render_kw=_TIME)

    def openings(self, weekday: int) -> list[Opening]:
        """The day's openings; ValueError naming the problem when they do not make sense."""
        found = []
        for opens_field, closes_field in ((self.opens1, self.closes1), (self.opens2, self.closes2)):
            try:
                opens, closes = parse_clock(opens_field.data), parse_clock(closes_field.data)
            except ValueError:
                raise ValueError("clock") from None
            if (opens is None) != (closes is None):
                raise ValueError("half")
            if opens is not None and closes is not None:
                found.append(Opening(weekday, opens, closes))
        return found


HOURS_ERRORS = {
    "half": _l("Give both the opening and the closing time, or neither."),
    "clock": _l("Write times as hours and minutes, like 09:30 or 17:00."),
    "empty": _l("The closing time cannot be the same as the opening time."),
    "overlap": _l("Two openings on this day overlap."),
}


class ResourceForm(FlaskForm):
    # A new listing's one-off key, from the page: sent twice, saved once (unused on edits).
    submission_key = HiddenField()
    name_en = StringField(
        _l("Name in English"),
        filters=[clean_line],
        validators=[DataRequired(_l("Write the name in English.")), Length(max=160)],
    )
    name_es = StringField(
        _l("Name in Spanish"),
        filters=[clean_line],
        validators=[DataRequired(_l("Write the name in Spanish.")), Length(max=160)],
        render_kw={"lang": "es"},
        description=_l("Often the same as the English name; translate what families say."),
    )
    description_en = TextAreaField(
        _l("What they offer, in English"),
        filters=[clean_text],
        validators=[DataRequired(_l("Describe the service in English.")), Length(max=2000)],
        render_kw={"rows": 4},
    )
    description_es = TextAreaField(
        _l("What they offer, in Spanish"),
        filters=[clean_text],
        validators=[DataRequired(_l("Describe the service in Spanish.")), Length(max=2000)],
        render_kw={"rows": 4, "lang": "es"},
        description=_l("Write it for Spanish-speaking families, not word for word."),
    )
    eligibility_en = TextAreaField(
        _l("Who can use it, in English"),
        filters=[clean_text],
        validators=[Length(max=1000)],
        render_kw={"rows": 2},
    )
    eligibility_es = TextAreaField(
        _l("Who can use it, in Spanish"),
        filters=[clean_text],
        validators=[Length(max=1000)],
        render_kw={"rows": 2, "lang": "es"},
    )
    needs = CheckboxesField(
        _l("Needs it meets"),
        choices=[SelectChoice(n.value, n.label) for n in Need],
        validators=[DataRequired(_l("Choose at least one need."))],
    )
    languages = CheckboxesField(
        _l("Languages spoken by staff"),
        validators=[DataRequired(_l("Choose at least one language."))],
    )
    street = StringField(_l("Street address"), filters=[clean_line], validators=[Length(max=160)])
    city = StringField(_l("City"), filters=[clean_line], validators=[Length(max=80)])
    postal_code = StringField(
        _l("ZIP code"),
        filters=[clean_line],
        validators=[Length(max=10)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    neighbourhood = StringField(
        _l("Neighborhood"),
        filters=[clean_line],
        validators=[Length(max=80)],
        render_kw={"list": "neighbourhood-options", "autocomplete": "off"},
    )
    phone = StringField(
        _l("Phone number"),
        filters=[clean_line],
        validators=[Length(max=40)],
        render_kw={"type": "tel", "autocomplete": "off"},
    )
    website = StringField(
        _l("Website"),
        filters=[clean_line],
        validators=[Length(max=300)],
        render_kw={"type": "url", "inputmode": "url", "spellcheck": "false"},
        description=_l("An address starting with https:// or http://."),
    )
    by_appointment = BooleanField(_l("By appointment (also or only)"))
    # One sub-form per weekday, Monday (day0) to Sunday (day6), each with up to two openings.
    day0 = FormField(DayForm)
    day1 = FormField(DayForm)
    day2 = FormField(DayForm)
    day3 = FormField(DayForm)
    day4 = FormField(DayForm)
    day5 = FormField(DayForm)
    day6 = FormField(DayForm)
    # Never rendered: it carries the summary message; the hours fieldset has its id.
    hours = HiddenField(_l("Opening hours"))
    hours_note_en = StringField(
        _l("Note on hours, in English"),
        filters=[clean_line],
        validators=[Length(max=200)],
        description=_l("For example: closed on holidays; third Saturday of the month."),
    )
    hours_note_es = StringField(
        _l("Note on hours, in Spanish"),
        filters=[clean_line],
        validators=[Length(max=200)],
        render_kw={"lang": "es"},
    )
    verified = BooleanField(
        _l("I checked these details with the service today"),
        description=_l("Listings not checked for a year are flagged as possibly out of date."),
    )

    def __init__(self, *args, language: str = "en", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.languages.choices = [
            SelectChoice(code, capitalised(language_name(code, language)))
            for code in SPOKEN_LANGUAGES
        ]

    def validate_phone(self, field: StringField) -> None:
        if field.data and normalize_phone(field.data) is None:
            raise ValidationError(_l("Enter a phone number like (720) 555-0142."))

    def validate_website(self, field: StringField) -> None:
        try:
            clean_website(field.data or "")
        except InvalidWebsite:
            raise ValidationError(
                _l("Enter a web address starting with https:// or http://.")
            ) from None

    @property
    def days(self) -> list[FormField]:
        return [getattr(self, f"day{weekday}") for weekday in range(7)]

    def validate_hours(self, field: HiddenField) -> None:
        # Each day's problem is shown on its row; the summary points to the whole table.
        self.day_errors: dict[int, str] = {}
        for weekday, day in enumerate(self.days):
            try:
                check_openings(day.form.openings(weekday))
            except ValueError as error:
                code = {"empty opening": "empty", "overlapping openings": "overlap"}.get(
                    str(error), str(error)
                )
                self.day_errors[weekday] = str(HOURS_ERRORS.get(code, HOURS_ERRORS["clock"]))
        if self.day_errors:
            raise ValidationError(_l("Check the opening hours marked below."))

    def openings(self) -> tuple[Opening, ...]:
        """Every opening of the week (call after validation)."""
        return tuple(
            opening
            for weekday, day in enumerate(self.days)
            for opening in day.form.openings(weekday)
        )
