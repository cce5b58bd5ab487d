"""The fact rows, derived in SQL from the base tables: one per case, per meeting, and per
(district day, school, category, language) of quick-logged calls."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, case, func, select

from portal.analytics.base import (
    cases,
    ended_on,
    escalated,
    first_meeting_held,
    held,
    meetings,
    quick_log_day,
    quick_logs,
    resolution_days,
    resolved,
    schools,
    targets,
    utc_window,
)
from portal.analytics.sql import days_between, earliest, local_date


def case_facts(now: datetime, today: date, case_ids: list[int] | None = None) -> Select:
    """One row per case, in FACT_COLUMNS order."""
    c = cases.c
    first = first_meeting_held(now, case_ids)
    ack, fc, res = (targets(today)[key] for key in ("ack", "fc", "res"))
    query = select(
        c.id,
        c.received_on,
        c.school_id,
        schools.c.network_id,
        c.category_id,
        c.tier,
        c.channel,
        c.language,
        ended_on(),
        resolved(),
        escalated(),
        *ack[:2],
        *fc[:2],
        *res[:2],
        days_between(local_date(first.c.at), c.received_on),
        resolution_days(),
        earliest(earliest(ack[2], fc[2]), res[2]),
    ).select_from(
        cases.outerjoin(schools, schools.c.id == c.school_id).outerjoin(
            first, first.c.case_id == c.id
        )
    )
    if case_ids is not None:
        query = query.where(c.id.in_(case_ids))
    return query


FACT_COLUMNS = [
    "case_id",
    "received_on",
    "school_id",
    "network_id",
    "category_id",
    "tier",
    "channel",
    "language",
    "ended_on",
    "resolved",
    "escalated",
    "ack_met",
    "ack_total",
    "fc_met",
    "fc_total",
    "res_met",
    "res_total",
    "meeting_days",
    "resolution_days",
    "review_on",
]


def meeting_rows(now: datetime, case_ids: list[int] | None = None) -> Select:
    """One row per meeting, in MEETING_COLUMNS order."""
    m, c = meetings.c, cases.c
    pending = ~held(now)
    query = select(
        m.id,
        m.case_id,
        local_date(m.scheduled_for),
        c.school_id,
        schools.c.network_id,
        c.category_id,
        c.tier,
        c.language,
        m.kind,
        m.outcome,
        case((pending, 0), else_=1),
        case((pending, m.scheduled_for)),
    ).select_from(
        meetings.join(cases, c.id == m.case_id).outerjoin(schools, schools.c.id == c.school_id)
    )
    if case_ids is not None:
        query = query.where(m.case_id.in_(case_ids))
    return query


MEETING_COLUMNS = [
    "meeting_id",
    "case_id",
    "day",
    "school_id",
    "network_id",
    "category_id",
    "tier",
    "language",
    "kind",
    "outcome",
    "held",
    "flip_at",
]


def log_day_rows(days: list[date] | None = None) -> Select:
    """Calls by district day, school (and network), category and language."""
    q = quick_logs.c
    day = quick_log_day().label("day")
    keys = (q.school_id, schools.c.network_id, q.category_id, q.language)
    query = select(day, *keys, func.count()).select_from(
        quick_logs.outerjoin(schools, schools.c.id == q.school_id)
    )
    if days is not None:
        # The UTC window first, so that the created_at index narrows the rows.
        query = query.where(*utc_window(q.created_at, min(days), max(days)), day.in_(days))
    return query.group_by(day, *keys)


LOG_DAY_COLUMNS = ["day", "school_id", "network_id", "category_id", "language", "calls"]
