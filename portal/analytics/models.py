"""Roll-up tables for the dashboards, and the change queue that keeps them fresh.

Three fact tables hold one narrow row per case, per meeting and per (day, school, category,
language) of quick-logged calls, with district dates and service-level outcomes worked out
once. Cubes sum the facts by day, ISO week or month (`grain`) over a few sets of dimensions
(`shape`, portal/analytics/shapes.py): at 2,000,000 cases over 1,800 schools a cube that kept
every dimension would be as large as the facts, so each shape keeps only a few. Queries read
whole months and weeks from the smallest shape that has the dimensions they need and the odd
days from the facts (portal/analytics/query.py).

Nothing here has a foreign key: the tables are derived, rebuilt at will, and may be read on a
replica.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import chain
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Date, Index, SmallInteger, String, event, insert, inspect, literal, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.util import identity_key

from portal.analytics import sql  # noqa: F401 - SQLite learns the district-date function
from portal.concerns.models import Case, Meeting, QuickLog
from portal.extensions import db
from portal.programmes.models import (
    Attendance,
    Offering,
    OfferingSession,
    Programme,
    Registration,
    SessionFeedback,
)
from portal.schools.models import School
from portal.timeutil import UTCDateTime, utcnow


class RefreshState(db.Model):
    """One row: when the roll-ups were last brought up to date, and how far the ids reached."""

    __tablename__ = "analytics_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    full_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Rows written without the ORM (bulk loads) never reach the change queue: anything past
    # these ids is new to the roll-ups.
    max_case_id: Mapped[int] = mapped_column(default=0)
    max_meeting_id: Mapped[int] = mapped_column(default=0)
    max_quick_log_id: Mapped[int] = mapped_column(default=0)
    max_offering_id: Mapped[int] = mapped_column(default=0)
    max_session_id: Mapped[int] = mapped_column(default=0)
    max_registration_id: Mapped[int] = mapped_column(default=0)
    max_attendance_id: Mapped[int] = mapped_column(default=0)
    max_feedback_id: Mapped[int] = mapped_column(default=0)


class Change(db.Model):
    """A case, a day of quick logs, an offering or a school whose roll-ups must be worked
    out again.

    Written in the same transaction as the change itself (see `_queue_changes`), so a refresh
    never sees a change before it is committed and never misses one that is.
    """

    __tablename__ = "analytics_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column()
    quick_log_day: Mapped[date | None] = mapped_column(Date)
    school_id: Mapped[int | None] = mapped_column()
    offering_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseFact(db.Model):
    """One case as the dashboards count it; flags are 0/1 so that cubes and facts both SUM."""

    __tablename__ = "analytics_case_facts"
    __table_args__ = (
        Index("ix_analytics_case_facts_received_on", "received_on"),
        Index("ix_analytics_case_facts_network_day", "network_id", "received_on"),
        Index("ix_analytics_case_facts_school_day", "school_id", "received_on"),
        Index("ix_analytics_case_facts_ended_on", "ended_on"),
        Index("ix_analytics_case_facts_review_on", "review_on"),
        # A category asked for beside a school grouping: the days a cube leaves to the facts.
        Index("ix_analytics_case_facts_category_day", "category_id", "received_on"),
    )

    case_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    received_on: Mapped[date] = mapped_column(Date)
    school_id: Mapped[int | None] = mapped_column()
    network_id: Mapped[int | None] = mapped_column()
    category_id: Mapped[int] = mapped_column()
    tier: Mapped[int] = mapped_column(SmallInteger)
    channel: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(8))
    # The district date the case was resolved or closed, whichever came first; open: NULL.
    ended_on: Mapped[date | None] = mapped_column(Date)
    resolved: Mapped[int] = mapped_column(SmallInteger)
    escalated: Mapped[int] = mapped_column(SmallInteger)
    # Service levels: total counts a target that is met or missed; a pending one counts in
    # neither until it is met or its due date passes (then `review_on` brings it back).
    ack_met: Mapped[int] = mapped_column(SmallInteger)
    ack_total: Mapped[int] = mapped_column(SmallInteger)
    fc_met: Mapped[int] = mapped_column(SmallInteger)
    fc_total: Mapped[int] = mapped_column(SmallInteger)
    res_met: Mapped[int] = mapped_column(SmallInteger)
    res_total: Mapped[int] = mapped_column(SmallInteger)
    meeting_days: Mapped[int | None] = mapped_column()  # intake to first meeting held
    resolution_days: Mapped[int | None] = mapped_column()  # intake to resolution
    review_on: Mapped[date | None] = mapped_column(Date)  # a pending target turns missed


class MeetingFact(db.Model):
    """One meeting, dated by its district day, with its case's dimensions."""

    __tablename__ = "analytics_meeting_facts"
    __table_args__ = (
        Index("ix_analytics_meeting_facts_day", "day"),
        Index("ix_analytics_meeting_facts_network_day", "network_id", "day"),
        Index("ix_analytics_meeting_facts_school_day", "school_id", "day"),
        Index("ix_analytics_meeting_facts_case_id", "case_id"),
        Index("ix_analytics_meeting_facts_flip_at", "flip_at"),
    )

    meeting_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column()
    day: Mapped[date] = mapped_column(Date)
    school_id: Mapped[int | None] = mapped_column()
    network_id: Mapped[int | None] = mapped_column()
    category_id: Mapped[int] = mapped_column()
    tier: Mapped[int] = mapped_column(SmallInteger)
    language: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str | None] = mapped_column(String(28))
    held: Mapped[int] = mapped_column(SmallInteger)  # outcome recorded or its time has passed
    flip_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when it will count as held


class QuickLogDay(db.Model):
    """Calls quick-logged on one district day, by school, category and language."""

    __tablename__ = "analytics_quick_log_days"
    __table_args__ = (
        Index("ix_analytics_quick_log_days_day", "day"),
        Index("ix_analytics_quick_log_days_network_day", "network_id", "day"),
        Index("ix_analytics_quick_log_days_school_day", "school_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    school_id: Mapped[int | None] = mapped_column()
    network_id: Mapped[int | None] = mapped_column()
    category_id: Mapped[int] = mapped_column()
    language: Mapped[str] = mapped_column(String(8))
    calls: Mapped[int] = mapped_column()


class _Cube:
    """Sums by period: `grain` is day, week or month, `shape` names the dimensions kept (see
    portal/analytics/shapes.py); the other dimension columns of a row are NULL."""

    id: Mapped[int] = mapped_column(primary_key=True)
    shape: Mapped[str] = mapped_column(String(8))
    grain: Mapped[str] = mapped_column(String(5))
    period_start: Mapped[date] = mapped_column(Date)


class CaseCube(_Cube, db.Model):
    """Case counts by intake period (and ended cases by the period they ended in)."""

    __tablename__ = "analytics_case_cube"
    __table_args__ = (
        Index("ix_analytics_case_cube_period", "shape", "grain", "period_start"),
        Index("ix_analytics_case_cube_network", "network_id", "shape", "grain", "period_start"),
        Index("ix_analytics_case_cube_category", "category_id", "shape", "grain", "period_start"),
    )

    school_id: Mapped[int | None] = mapped_column()
    network_id: Mapped[int | None] = mapped_column()
    tier: Mapped[int | None] = mapped_column(SmallInteger)
    category_id: Mapped[int | None] = mapped_column()
    language: Mapped[str | None] = mapped_column(String(8))
    channel: Mapped[str | None] = mapped_column(String(10))
    cases: Mapped[int] = mapped_column()
    resolved: Mapped[int] = mapped_column()
    escalated: Mapped[int] = mapped_column()
    ack_met: Mapped[int] = mapped_column()
    ack_total: Mapped[int] = mapped_column()
    fc_met: Mapped[int] = mapped_column()
    fc_total: Mapped[int] = mapped_column()
    res_met: Mapped[int] = mapped_column()
    res_total: Mapped[int] = mapped_column()
    ended: Mapped[int] = mapped_column()  # dated by the end, not by intake


class DurationCube(_Cube, db.Model):
    """How many cases (by intake period) took so many days to a meeting or to resolution."""

    __tablename__ = "analytics_duration_cube"
    __table_args__ = (
        Index("ix_analytics_duration_cube_period", "shape", "measure", "grain", "period_start"),
    )

    tier: Mapped[int | None] = mapped_column(SmallInteger)
    category_id: Mapped[int | None] = mapped_column()
    language: Mapped[str | None] = mapped_column(String(8))
    measure: Mapped[str] = mapped_column(String(10))  # meeting | resolution
    days: Mapped[int] = mapped_column()
    cases: Mapped[int] = mapped_column()


class MeetingCube(_Cube, db.Model):
    """Meetings held, by the period of their day, kind, outcome and their case's dimensions."""

    __tablename__ = "analytics_meeting_cube"
    __table_args__ = (Index("ix_analytics_meeting_cube_period", "shape", "grain", "period_start"),)

    tier: Mapped[int | None] = mapped_column(SmallInteger)
    category_id: Mapped[int | None] = mapped_column()
    language: Mapped[str | None] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str | None] = mapped_column(String(28))
    meetings: Mapped[int] = mapped_column()


class QuickLogCube(_Cube, db.Model):
    """Quick-logged calls by period, network, category and language."""

    __tablename__ = "analytics_quick_log_cube"
    __table_args__ = (
        Index("ix_analytics_quick_log_cube_period", "shape", "grain", "period_start"),
        Index(
            "ix_analytics_quick_log_cube_network", "network_id", "shape", "grain", "period_start"
        ),
    )

    network_id: Mapped[int | None] = mapped_column()
    category_id: Mapped[int | None] = mapped_column()
    language: Mapped[str | None] = mapped_column(String(8))
    calls: Mapped[int] = mapped_column()


def _quick_log_day(instant: datetime | None) -> date | None:
    if instant is None:
        return None
    return instant.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def _old(obj: object, attribute: str) -> list:
    return list(inspect(obj).attrs[attribute].history.deleted or ())


_QUEUED = "analytics_queued_offerings"


@event.listens_for(Session, "after_transaction_end")
def _forget_queued(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_QUEUED, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, _previous) -> None:
    # A savepoint rolled back takes its queue rows with it: queue again from here on.
    session.info.pop(_QUEUED, None)


@event.listens_for(Session, "after_flush")
def _queue_changes(session: Session, _context) -> None:
    """Queue what a flush changed, in its own transaction: cases (through their meetings too),
    days of quick logs, offerings (through their sessions, registrations, check-ins and survey
    answers, and their programme's rules), and schools that moved to another network."""
    rows: list[dict] = []
    offering_ids: set[int] = set()
    registration_ids: set[int] = set()
    programme_ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Case):
            if obj in session.dirty and not session.is_modified(obj, include_collections=False):
                continue  # only its timeline grew
            rows.append({"case_id": obj.id})
        elif isinstance(obj, Meeting):
            rows += [{"case_id": cid} for cid in {obj.case_id, *_old(obj, "case_id")} if cid]
        elif isinstance(obj, QuickLog):
            days = {_quick_log_day(obj.created_at), *map(_quick_log_day, _old(obj, "created_at"))}
            rows += [{"quick_log_day": day} for day in days if day]
        elif isinstance(obj, School) and _old(obj, "network_id"):
            rows.append({"school_id": obj.id})
        elif isinstance(obj, Offering):
            offering_ids.add(obj.id)
        elif isinstance(obj, OfferingSession | Registration):
            offering_ids.update({obj.offering_id, *_old(obj, "offering_id")})
        elif isinstance(obj, Attendance | SessionFeedback):
            for rid in {obj.registration_id, *_old(obj, "registration_id")} - {None}:
                known = session.identity_map.get(identity_key(Registration, rid))
                if known is not None:
                    offering_ids.add(known.offering_id)
                else:
                    registration_ids.add(rid)
        elif isinstance(obj, Programme) and any(
            _old(obj, name)
            for name in ("completion_numerator", "completion_denominator", "facilitated")
        ):
            programme_ids.add(obj.id)
    # Queued once per transaction: the refresh reads the whole offering as committed.
    queued = session.info.setdefault(_QUEUED, set())
    offering_ids -= queued
    queued.update(offering_ids)
    connection = session.connection()
    now = utcnow()
    # Check-ins and answers name their registration: its offering is looked up in the same
    # statement that queues it (the door's check-in stays one round trip more, not two).
    for column, key, ids in (
        (Registration.offering_id, Registration.id, registration_ids),
        (Offering.id, Offering.programme_id, programme_ids),
    ):
        if ids:
            found = select(column, literal(now, Change.__table__.c.created_at.type))
            connection.execute(
                insert(Change).from_select(
                    ["offering_id", "created_at"], found.where(key.in_(ids)).distinct()
                )
            )
    rows += [{"offering_id": oid} for oid in sorted(offering_ids - {None})]
    if rows:
        blank = {
            "case_id": None,
            "quick_log_day": None,
            "school_id": None,
            "offering_id": None,
            "created_at": now,
        }
        connection.execute(insert(Change), [{**blank, **row} for row in rows])
