"""Roll-up tables of the attendance dashboard: facts derived from offerings, sessions,
registrations, attendance and feedback, and cubes summing them by period.

Only offerings that are held (open, closed or completed) are in the facts, except the
facilitators' current load, which counts drafts too. Names (schools, programmes, people) are
read at query time, so renaming one needs no refresh. Like the case roll-ups, nothing here has
a foreign key: the tables are derived and rebuilt at will.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.analytics.models import _Cube
from portal.extensions import db


class EventDay(db.Model):
    """A district day on which a held offering met, with the day it met before (if any).

    An offering counts once in a range: on its first day in it, the one whose previous day
    falls before the range, so counting events needs no DISTINCT.
    """

    __tablename__ = "analytics_event_days"
    __table_args__ = (
        Index("ix_analytics_event_days_day", "day"),
        Index("ix_analytics_event_days_offering", "offering_id"),
        Index("ix_analytics_event_days_school_day", "school_id", "day"),
        # A superintendent's figures read one network's days (migration 0015).
        Index("ix_analytics_event_days_network_day", "network_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column()
    day: Mapped[date] = mapped_column(Date)
    prev_day: Mapped[date | None] = mapped_column(Date)
    school_id: Mapped[int | None] = mapped_column()
    network_id: Mapped[int | None] = mapped_column()
    programme_id: Mapped[int] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column()


class SessionFact(db.Model):
    """One session of a held offering, for the people of one language: seats expected, who
    came and who walked in (by registration language), and the survey answers given in it."""

    __tablename__ = "analytics_session_facts"
    __table_args__ = (
        Index("ix_analytics_session_facts_day", "day"),
        Index("ix_analytics_session_facts_offering", "offering_id"),
        Index("ix_analytics_session_facts_school_day", "school_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column()
    offering_id: Mapped[int] = mapped_column()
    day: Mapped[date] = mapped_column(Date)
    school_id: Mapped[int | None] = mapped_column()
    network_id: Mapped[int | None] = mapped_column()
    programme_id: Mapped[int] = mapped_column()
    language: Mapped[str] = mapped_column(String(8))
    expected: Mapped[int] = mapped_column()  # registered (not walk-ins) x this session
    present: Mapped[int] = mapped_column()  # of those, checked in
    walk_ins: Mapped[int] = mapped_column()  # walk-ins checked in
    answers: Mapped[int] = mapped_column()  # survey answers, by the answer's language
    useful: Mapped[int] = mapped_column()  # sums of the 1-5 ratings
    facilitator: Mapped[int] = mapped_column()
    welcome: Mapped[int] = mapped_column()


class SeriesFact(db.Model):
    """A held series (more than one session) by the day of its last session, for its
    participants of one language: how many, how many completed, homework and attendance."""

    __tablename__ = "analytics_series_facts"
    __table_args__ = (
        Index("ix_analytics_series_facts_last_day", "last_day"),
        Index("ix_analytics_series_facts_offering", "offering_id"),
        Index("ix_analytics_series_facts_school_day", "school_id", "last_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column()
    last_day: Mapped[date] = mapped_column(Date)
    school_id: Mapped[int | None] = mapped_column()
    network_id: Mapped[int | None] = mapped_column()
    programme_id: Mapped[int] = mapped_column()
    language: Mapped[str] = mapped_column(String(8))
    participants: Mapped[int] = mapped_column()
    completed: Mapped[int] = mapped_column()
    homework: Mapped[int] = mapped_column()
    attended: Mapped[int] = mapped_column()


class VisitFact(db.Model):
    """A family contact checked in at a held offering on one district day (by registration);
    `first` is 1 when it holds their first check-in anywhere, ever."""

    __tablename__ = "analytics_visit_facts"
    __table_args__ = (
        Index("ix_analytics_visit_facts_day", "day"),
        Index("ix_analytics_visit_facts_contact", "contact_id"),
        Index("ix_analytics_visit_facts_offering", "offering_id"),
        Index("ix_analytics_visit_facts_school_day", "school_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column()
    contact_id: Mapped[int] = mapped_column()
    offering_id: Mapped[int] = mapped_column()
    day: Mapped[date] = mapped_column(Date)
    school_id: Mapped[int | None] = mapped_column()
    network_id: Mapped[int | None] = mapped_column()
    programme_id: Mapped[int] = mapped_column()
    language: Mapped[str] = mapped_column(String(8))
    first: Mapped[int] = mapped_column(SmallInteger)


class FacilitatorFact(db.Model):
    """A facilitator leading an offering of a facilitated programme that is not over yet."""

    __tablename__ = "analytics_facilitator_facts"
    __table_args__ = (Index("ix_analytics_facilitator_facts_offering", "offering_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column()
    user_id: Mapped[int] = mapped_column()
    school_id: Mapped[int | None] = mapped_column()
    network_id: Mapped[int | None] = mapped_column()
    programme_id: Mapped[int] = mapped_column()
    seats_taken: Mapped[int] = mapped_column()
    share: Mapped[float] = mapped_column(Float)  # capacity / the offering's facilitators


class SessionCube(_Cube, db.Model):
    """Session facts summed by period, programme, network and language."""

    __tablename__ = "analytics_session_cube"
    __table_args__ = (Index("ix_analytics_session_cube_period", "shape", "grain", "period_start"),)

    network_id: Mapped[int | None] = mapped_column()
    programme_id: Mapped[int | None] = mapped_column()
    language: Mapped[str | None] = mapped_column(String(8))
    expected: Mapped[int] = mapped_column()
    present: Mapped[int] = mapped_column()
    walk_ins: Mapped[int] = mapped_column()
    answers: Mapped[int] = mapped_column()
    useful: Mapped[int] = mapped_column()
    facilitator: Mapped[int] = mapped_column()
    welcome: Mapped[int] = mapped_column()


class SeriesCube(_Cube, db.Model):
    """Series facts summed by the period of their last session."""

    __tablename__ = "analytics_series_cube"
    __table_args__ = (Index("ix_analytics_series_cube_period", "shape", "grain", "period_start"),)

    network_id: Mapped[int | None] = mapped_column()
    programme_id: Mapped[int | None] = mapped_column()
    language: Mapped[str | None] = mapped_column(String(8))
    participants: Mapped[int] = mapped_column()
    completed: Mapped[int] = mapped_column()
    homework: Mapped[int] = mapped_column()
    attended: Mapped[int] = mapped_column()


class VisitCube(_Cube, db.Model):
    """Distinct families by month, for exactly the dimensions a shape names (a family at two
    schools in a month is one family district-wide: these counts never add across rows)."""

    __tablename__ = "analytics_visit_cube"
    __table_args__ = (Index("ix_analytics_visit_cube_period", "shape", "grain", "period_start"),)

    school_id: Mapped[int | None] = mapped_column()
    network_id: Mapped[int | None] = mapped_column()
    programme_id: Mapped[int | None] = mapped_column()
    language: Mapped[str | None] = mapped_column(String(8))
    families: Mapped[int] = mapped_column()
    new: Mapped[int] = mapped_column()  # of them, at an event for the first time
