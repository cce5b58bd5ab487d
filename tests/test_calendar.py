"""Business days on the district calendar, and the demo school year."""

from __future__ import annotations

from datetime import date

import pytest

from portal.calendar import services as cal
from portal.calendar.models import DayKind, NonSchoolDay
from portal.demo import school_year_calendar
from portal.extensions import db

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_weekends_and_thanksgiving_break_are_skipped():
    # Friday 20 Nov 2026 + 1 business day: the weekend, then the whole Thanksgiving week.
    assert cal.add_business_days(date(2026, 11, 20), 1) == date(2026, 11, 30)
    assert cal.add_business_days(date(2026, 11, 20), 2) == date(2026, 12, 1)


def test_winter_break_moves_a_ten_day_target_into_january():
    # Tuesday 15 Dec: 4 business days that week, then two weeks of break.
    due = cal.add_business_days(date(2026, 12, 15), 10)
    assert due == date(2027, 1, 12)
    assert cal.business_days_between(date(2026, 12, 15), due) == 10


def test_teacher_work_days_are_business_days_but_not_school_days():
    work_day = db.session.query(NonSchoolDay).filter_by(kind=DayKind.NO_STUDENTS).first()
    assert work_day is not None
    assert cal.is_business_day(work_day.day)
    assert not cal.is_school_day(work_day.day)


def test_zero_days_and_negative_input():
    assert cal.add_business_days(date(2026, 11, 20), 0) == date(2026, 11, 20)
    assert cal.business_days_between(date(2026, 12, 1), date(2026, 11, 1)) == 0
    with pytest.raises(ValueError):
        cal.add_business_days(date(2026, 11, 20), -1)


def test_a_holiday_added_later_moves_due_dates():
    monday = date(2027, 4, 12)
    assert cal.add_business_days(date(2027, 4, 9), 1) == monday
    db.session.add(
        NonSchoolDay(day=monday, kind=DayKind.HOLIDAY, name_en="Snow day", name_es="Día de nieve")
    )
    db.session.flush()
    assert cal.add_business_days(date(2027, 4, 9), 1) == date(2027, 4, 13)


def test_periods_merge_consecutive_days_across_weekends():
    days = cal.days_between(date(2026, 12, 1), date(2027, 1, 31))
    periods = cal.periods(days)
    winter = next(p for p in periods if p.name_en == "Winter break")
    assert (winter.first, winter.last) == (date(2026, 12, 21), date(2027, 1, 1))
    assert winter.name("es") == "Vacaciones de invierno"


def test_demo_calendar_has_the_expected_shape():
    days = school_year_calendar(date(2026, 11, 23))
    names = {name for _, _, name, _ in days}
    assert {
        "Thanksgiving break",
        "Winter break",
        "Spring break",
        "Labor Day",
        "Martin Luther King Jr. Day",
        "Cesar Chavez Day",
    } <= names
    assert all(day.weekday() < 5 for day, *_ in days)
    assert all(es for *_, es in days)


def test_school_year_bounds():
    assert cal.school_year_bounds(date(2026, 11, 23)) == (date(2026, 7, 1), date(2027, 6, 30))
    assert cal.school_year_bounds(date(2027, 3, 1)) == (date(2026, 7, 1), date(2027, 6, 30))
