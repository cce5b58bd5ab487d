"""What each measure means, in SQL over the base tables.

The refresh derives the facts from these expressions, and the `plain_` twins of the figures
compute straight from them, so a roll-up and its plain twin can only differ in how they sum.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from portal.analytics.filters import Selection
from portal.analytics.sql import days_between, earliest, local_date, next_day
from portal.concerns.models import Case, Meeting, QuickLog, Status
from portal.schools.models import School
from portal.timeutil import district_datetime

cases = Case.__table__
meetings = Meeting.__table__
quick_logs = QuickLog.__table__
schools = School.__table__
ENDED = (Status.RESOLVED, Status.CLOSED)


def target(due: ColumnElement, done_at: ColumnElement, today: date):
    """(met, total, review_on) for one service-level target of a case.

    Met: done on or before its due date (district dates; the due dates were set in business
    days at intake). Counted in the total once done, or once overdue without being done; a
    target still pending counts in neither, and is looked at again the day after it falls due.
    """
    met = case(
        (and_(due.is_not(None), done_at.is_not(None), local_date(done_at) <= due), 1), else_=0
    )
    total = case((due.is_(None), 0), (done_at.is_not(None), 1), (due < today, 1), else_=0)
    review = case((and_(due.is_not(None), done_at.is_(None), due >= today), next_day(due)))
    return met, total, review


def targets(today: date):
    c = cases.c
    return {
        "ack": target(c.acknowledge_due, c.acknowledged_at, today),
        "fc": target(c.first_contact_due, c.first_contact_at, today),
        "res": target(c.resolve_due, c.resolved_at, today),
    }


def ended_on() -> ColumnElement:
    """The district date a resolved or closed case ended (the earlier of the two); else NULL."""
    c = cases.c
    return case((c.status.in_(ENDED), earliest(local_date(c.resolved_at), local_date(c.closed_at))))


def resolved() -> ColumnElement:
    return case((cases.c.status.in_(ENDED), 1), else_=0)


def escalated() -> ColumnElement:
    return case((cases.c.escalation_target.is_not(None), 1), else_=0)


def resolution_days() -> ColumnElement:
    c = cases.c
    return case(
        (c.resolved_at.is_not(None), days_between(local_date(c.resolved_at), c.received_on))
    )


def held(now: datetime) -> ColumnElement:
    """A meeting counts as held once its outcome is recorded or its time has passed."""
    return or_(meetings.c.outcome.is_not(None), meetings.c.scheduled_for <= now)


def first_meeting_held(now: datetime, case_ids: list[int] | None = None):
    """Each case's earliest meeting held, as a subquery of (case_id, at)."""
    query = select(meetings.c.case_id, func.min(meetings.c.scheduled_for).label("at")).where(
        held(now)
    )
    if case_ids is not None:
        query = query.where(meetings.c.case_id.in_(case_ids))
    return query.group_by(meetings.c.case_id).subquery("first_held")


def utc_window(column: ColumnElement, start: date, end: date) -> list[ColumnElement]:
    """The UTC instants of the district days start..end, so that an index on `column` helps."""
    return [
        column >= district_datetime(start, time.min),
        column < district_datetime(end + timedelta(days=1), time.min),
    ]


def case_where(sel: Selection, *, dated: bool = True) -> list[ColumnElement]:
    """The filters on cases (their network through their school)."""
    c = cases.c
    columns = {
        "school_id": c.school_id,
        "network_id": schools.c.network_id,
        "tier": c.tier,
        "category_id": c.category_id,
        "language": c.language,
    }
    where = [columns[name] == value for name, value in sel.dims().items()]
    if dated:
        where.append(c.received_on.between(sel.start, sel.end))
    return where


def from_cases(*columns, sel: Selection, dated: bool = True) -> Select:
    return (
        select(*columns)
        .select_from(cases.outerjoin(schools, schools.c.id == cases.c.school_id))
        .where(*case_where(sel, dated=dated))
    )


def meeting_day() -> ColumnElement:
    return local_date(meetings.c.scheduled_for)


def from_meetings(*columns, sel: Selection, now: datetime) -> Select:
    """Meetings held on the filters' days, whose case passes the filters."""
    return (
        select(*columns)
        .select_from(
            meetings.join(cases, cases.c.id == meetings.c.case_id).outerjoin(
                schools, schools.c.id == cases.c.school_id
            )
        )
        .where(
            held(now),
            *utc_window(meetings.c.scheduled_for, sel.start, sel.end),
            meeting_day().between(sel.start, sel.end),
            *case_where(sel, dated=False),
        )
    )


def quick_log_day() -> ColumnElement:
    return local_date(quick_logs.c.created_at)


def from_quick_logs(*columns, sel: Selection) -> Select:
    """Calls logged on the filters' days; a quick log is a Tier 1 inquiry by definition."""
    q = quick_logs.c
    filters = {
        "school_id": q.school_id,
        "network_id": schools.c.network_id,
        "category_id": q.category_id,
        "language": q.language,
    }
    where = [filters[k] == v for k, v in sel.dims().items() if k in filters]
    if sel.tier not in (None, 1):
        where.append(q.id.is_(None))  # never true: Tier 2 and 3 have no quick logs
    return (
        select(*columns)
        .select_from(quick_logs.outerjoin(schools, schools.c.id == q.school_id))
        .where(
            *utc_window(q.created_at, sel.start, sel.end),
            quick_log_day().between(sel.start, sel.end),
            *where,
        )
    )
