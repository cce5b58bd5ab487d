"""The district's days as lookup tables: business days, school days and local times.

`portal.calendar.services.add_business_days` asks the database once per call; a generator that
sets due dates on two million cases cannot. This reads the calendar once and answers the same
questions from lists indexed by day, with the same rules (weekends and days the offices are
closed are not business days; teacher work days are).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.calendar.models import NonSchoolDay
from portal.calendar.services import OFFICE_CLOSED
from portal.demo import school_year_calendar
from portal.extensions import db

# How far past the last generated day due dates can fall (thirty business days plus breaks),
# and how far before the first day things are prepared (offerings are created weeks ahead).
HORIZON_DAYS = 120
LEAD_DAYS = 90


def school_years(first: date, last: date) -> list[int]:
    """The first calendar year of every school year (1 July to 30 June) from first to last."""
    start = first.year if first.month >= 7 else first.year - 1
    end = last.year if last.month >= 7 else last.year - 1
    return list(range(start, end + 1))


def complete_calendar(first: date, last: date) -> int:
    """Store the non-school days of every school year in the range that has none yet.

    A year that already has days on the calendar is the district's own and is left alone.
    Returns how many days were added.
    """
    added = 0
    for year in school_years(first, last + timedelta(days=HORIZON_DAYS)):
        start, end = date(year, 7, 1), date(year + 1, 6, 30)
        stored = db.session.scalar(
            select(NonSchoolDay.id).where(NonSchoolDay.day.between(start, end)).limit(1)
        )
        if stored is not None:
            continue
        for day, kind, name_en, name_es in school_year_calendar(date(year, 9, 1)):
            db.session.add(NonSchoolDay(day=day, kind=kind, name_en=name_en, name_es=name_es))
            added += 1
    db.session.flush()
    return added


class DistrictDays:
    """Every day from `first` to well past `last`, by ordinal (`date.toordinal()`)."""

    def __init__(self, first: date, last: date, zone: ZoneInfo) -> None:
        self.first = first
        self.last = last
        self.zone = zone
        start = first - timedelta(days=LEAD_DAYS)
        self.base = start.toordinal()
        end = last + timedelta(days=HORIZON_DAYS)
        rows = db.session.execute(
            select(NonSchoolDay.day, NonSchoolDay.kind).where(NonSchoolDay.day.between(start, end))
        ).all()
        office_closed = {day.toordinal() for day, kind in rows if kind in OFFICE_CLOSED}
        no_classes = {day.toordinal() for day, _ in rows}
        size = end.toordinal() - self.base + 1
        self.business: list[int] = []  # ordinals of business days, in order
        self.is_business = bytearray(size)
        self.is_school = bytearray(size)
        # Epoch seconds of local midnight, taken from the offset at noon so that a day on
        # which daylight saving time changes (at 2 a.m.) is right for every waking hour.
        self.midnight = [0] * size
        for index in range(size):
            ordinal = self.base + index
            day = date.fromordinal(ordinal)
            weekday = day.weekday() < 5
            if weekday and ordinal not in office_closed:
                self.business.append(ordinal)
                self.is_business[index] = 1
            # Summer weekdays have no classes even though the calendar does not list them
            # (the demo calendar's year runs from mid-August to the end of May).
            in_term = day.month not in (6, 7) and not (day.month == 8 and day.day < 18)
            if weekday and ordinal not in no_classes and in_term:
                self.is_school[index] = 1
            noon = datetime.combine(day, time(12), tzinfo=zone)
            self.midnight[index] = int(noon.timestamp()) - 12 * 3600
        # after[i]: index in self.business of the first business day strictly after day i.
        self._after = [bisect_right(self.business, self.base + i) for i in range(size)]

    def add_business_days(self, ordinal: int, days: int) -> int:
        """The same answer as portal.calendar.services.add_business_days, from the tables."""
        if days == 0:
            return ordinal
        return self.business[self._after[ordinal - self.base] + days - 1]

    def business_day(self, ordinal: int, days: int) -> int:
        """The `days`-th business day from a day: 0 is the day itself when it is one."""
        if days == 0 and self.is_business[ordinal - self.base]:
            return ordinal
        return self.business[self._after[ordinal - self.base] + max(days, 1) - 1]

    def at(self, ordinal: int, seconds: int) -> int:
        """Epoch seconds of a local wall-clock time, `seconds` after midnight of the day."""
        index = ordinal - self.base
        if 0 <= index < len(self.midnight):
            return self.midnight[index] + seconds
        noon = datetime.combine(date.fromordinal(ordinal), time(12), tzinfo=self.zone)
        return int(noon.timestamp()) - 12 * 3600 + seconds

    def ordinal_of(self, epoch: int) -> int:
        """The district date (as an ordinal) of an instant."""
        if self.midnight[0] <= epoch < self.midnight[-1] + 86400:
            return self.base + bisect_right(self.midnight, epoch) - 1
        return datetime.fromtimestamp(epoch, self.zone).date().toordinal()

    def school_days(self, first: date, last: date) -> list[int]:
        lo, hi = first.toordinal() - self.base, last.toordinal() - self.base
        hi = min(hi, len(self.is_school) - 1)
        return [self.base + i for i in range(max(lo, 0), hi + 1) if self.is_school[i]]


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def instant(epoch: int) -> datetime:
    """An aware UTC datetime from epoch seconds (what the UTCDateTime columns hold)."""
    return EPOCH + timedelta(seconds=epoch)
