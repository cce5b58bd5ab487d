"""Bring the roll-ups up to date: all of them, or only the cases and days that changed.

An incremental pass re-derives the facts of the cases that changed and re-sums only the days,
weeks, months and years those cases fall in (by intake and by end), so its cost follows the
number of changes, not the size of the district. What changed comes from:
- the change queue, written by the ORM in the same transaction as the change itself;
- ids past the last pass (rows loaded in bulk, without the ORM);
- time passing: a service-level target whose due date has gone by turns "missed", a meeting
  whose time has come counts as held (`review_on`, `flip_at`);
- `since`, to re-derive everything touched since an instant (a repair after hand edits).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from portal.analytics import attendance_refresh
from portal.analytics.base import cases, meetings, quick_logs, schools
from portal.analytics.cubes import refresh_shape, sum_shape
from portal.analytics.facts import (
    FACT_COLUMNS,
    LOG_DAY_COLUMNS,
    MEETING_COLUMNS,
    case_facts,
    log_day_rows,
    meeting_rows,
)
from portal.analytics.models import CaseFact, Change, MeetingFact, QuickLogDay, RefreshState
from portal.analytics.shapes import SHAPES
from portal.analytics.sql import local_date
from portal.concerns.models import Case, CaseEntry, Meeting, QuickLog
from portal.extensions import db
from portal.timeutil import district_today, utcnow

facts = CaseFact.__table__
meeting_facts = MeetingFact.__table__
log_days = QuickLogDay.__table__

# Past this many changed cases, rebuilding everything is quicker than case by case.
FULL_ABOVE = 20_000
CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class RefreshReport:
    full: bool
    cases: int  # cases whose facts were derived again
    quick_log_days: int
    seconds: float
    offerings: int = 0  # offerings whose attendance roll-ups were derived again

    def __str__(self) -> str:
        kind = "full refresh" if self.full else "refresh"
        return (
            f"{kind}: {self.cases} cases, {self.quick_log_days} days of calls, "
            f"{self.offerings} offerings in {self.seconds:.2f} s"
        )


def refresh(*, full: bool = False, since: datetime | None = None) -> RefreshReport:
    """Update the roll-ups and commit; the first refresh of a database is always full."""
    began = time.monotonic()
    now, today = utcnow(), district_today()
    state = _claim(now)
    if full or state.full_at is None:
        counted = _full(now, today)
        full = True
    else:
        counted = _incremental(state, now, today, since)
        if counted is None:  # too much changed: rebuild instead
            counted = _full(now, today)
            full = True
    db.session.commit()
    if full:
        _vacuum()
    return RefreshReport(full, counted[0], counted[1], time.monotonic() - began, counted[2])


def _claim(now: datetime):
    """Lock the state row for this transaction: two refreshes never run at once."""
    for _ in range(2):
        claimed = db.session.execute(
            update(RefreshState).where(RefreshState.id == 1).values(started_at=now)
        ).rowcount
        if not claimed:
            try:
                with db.session.begin_nested():
                    db.session.execute(insert(RefreshState).values(id=1, started_at=now))
            except IntegrityError:
                continue  # another refresh created it first: lock it as usual
        return db.session.execute(select(RefreshState.__table__).where(RefreshState.id == 1)).one()
    raise RuntimeError("the analytics state row could not be claimed")


def _max_ids() -> dict[str, int]:
    return {
        "max_case_id": db.session.scalar(select(func.max(Case.id))) or 0,
        "max_meeting_id": db.session.scalar(select(func.max(Meeting.id))) or 0,
        "max_quick_log_id": db.session.scalar(select(func.max(QuickLog.id))) or 0,
        **attendance_refresh.max_ids(),
    }


def _full(now: datetime, today: date) -> tuple[int, int, int]:
    # The queue first: a change committed after this delete keeps its row for the next pass,
    # and one committed before it is in the base tables read below.
    db.session.execute(delete(Change))
    if db.session.get_bind().dialect.name == "postgresql":
        # Millions of rows are sorted and grouped below: in memory, not in temporary files.
        db.session.execute(text("SET LOCAL work_mem = '256MB'"))
    ids = _max_ids()
    for table in (facts, meeting_facts, log_days, *{shape.table for shape in SHAPES}):
        db.session.execute(delete(table))
    # Written in network and date order: a superintendent's network, or one stretch of days,
    # is then a run of neighbouring pages (PostgreSQL keeps rows in the order they arrive).
    rows = case_facts(now, today).order_by(schools.c.network_id, cases.c.received_on)
    db.session.execute(insert(facts).from_select(FACT_COLUMNS, rows))
    rows = meeting_rows(now).order_by(schools.c.network_id, meetings.c.scheduled_for)
    db.session.execute(insert(meeting_facts).from_select(MEETING_COLUMNS, rows))
    rows = log_day_rows().order_by("day")
    db.session.execute(insert(log_days).from_select(LOG_DAY_COLUMNS, rows))
    for shape in SHAPES:
        for grain in shape.grains:
            sum_shape(shape, grain, None)
    offerings = attendance_refresh.full()
    _finish(now, ids, full=True)
    return (
        db.session.scalar(select(func.count()).select_from(facts)) or 0,
        db.session.scalar(select(func.count(func.distinct(log_days.c.day)))) or 0,
        offerings,
    )


def _incremental(state, now: datetime, today: date, since: datetime | None):
    queued = db.session.execute(
        select(
            Change.id, Change.case_id, Change.quick_log_day, Change.school_id, Change.offering_id
        )
    ).all()
    ids = _max_ids()
    fresh = db.session.scalar(
        select(func.count()).select_from(cases).where(cases.c.id > state.max_case_id)
    )
    if fresh > FULL_ABOVE:
        return None
    case_ids = {row.case_id for row in queued if row.case_id}
    moved = {row.school_id for row in queued if row.school_id}
    for query in (
        select(cases.c.id).where(cases.c.school_id.in_(moved)) if moved else None,
        select(cases.c.id).where(cases.c.id > state.max_case_id),
        select(meetings.c.case_id).where(meetings.c.id > state.max_meeting_id),
        select(facts.c.case_id).where(facts.c.review_on <= today),
        select(meeting_facts.c.case_id).where(meeting_facts.c.flip_at <= now),
        *(_touched_since(since, now) if since else ()),
    ):
        if query is not None:
            case_ids.update(db.session.scalars(query))
    if len(case_ids) > FULL_ABOVE:
        return None
    offering_ids = attendance_refresh.changed_offerings(
        state, (row.offering_id for row in queued if row.offering_id), moved, since
    )
    if not attendance_refresh.incremental(offering_ids):
        return None
    days = {row.quick_log_day for row in queued if row.quick_log_day}
    days.update(_new_log_days(state.max_quick_log_id, since))
    if moved:  # a school's calls are summed under its network too
        days.update(
            db.session.scalars(
                select(log_days.c.day).where(log_days.c.school_id.in_(moved)).distinct()
            )
        )

    touched = _derive_cases(sorted(case_ids), now, today)
    _sum_logs(days)
    for shape in SHAPES:
        refresh_shape(shape, touched | {"log": days})
    for chunk in _chunks([row.id for row in queued]):
        db.session.execute(delete(Change).where(Change.id.in_(chunk)))
    _finish(now, ids, full=False)
    return len(case_ids), len(days), len(offering_ids)


def _touched_since(since: datetime, now: datetime) -> list[Select]:
    return [
        select(cases.c.id).where(cases.c.created_at >= since),
        select(CaseEntry.case_id).where(CaseEntry.created_at >= since).distinct(),
        select(meetings.c.case_id).where(
            or_(meetings.c.recorded_at >= since, meetings.c.scheduled_for.between(since, now))
        ),
    ]


def _new_log_days(max_id: int, since: datetime | None) -> set[date]:
    day = local_date(quick_logs.c.created_at)
    new = quick_logs.c.id > max_id
    if since:
        new = or_(new, quick_logs.c.created_at >= since)
    return set(db.session.scalars(select(day).where(new).distinct()))


def _derive_cases(case_ids: list[int], now: datetime, today: date) -> dict[str, set[date]]:
    """Replace these cases' facts; return the days whose sums they were part of, then and now."""
    touched: dict[str, set[date]] = {"intake": set(), "end": set(), "meeting": set()}

    def note(chunk: list[int]) -> None:
        for received, ended in db.session.execute(
            select(facts.c.received_on, facts.c.ended_on).where(facts.c.case_id.in_(chunk))
        ):
            touched["intake"].add(received)
            if ended:
                touched["end"].add(ended)
        touched["meeting"].update(
            db.session.scalars(
                select(meeting_facts.c.day).where(meeting_facts.c.case_id.in_(chunk)).distinct()
            )
        )

    for chunk in _chunks(case_ids):
        note(chunk)
        db.session.execute(delete(facts).where(facts.c.case_id.in_(chunk)))
        db.session.execute(delete(meeting_facts).where(meeting_facts.c.case_id.in_(chunk)))
        db.session.execute(insert(facts).from_select(FACT_COLUMNS, case_facts(now, today, chunk)))
        db.session.execute(
            insert(meeting_facts).from_select(MEETING_COLUMNS, meeting_rows(now, chunk))
        )
        note(chunk)
    return touched


def _sum_logs(days: set[date]) -> None:
    """Count the calls of these district days again."""
    for chunk in _chunks(sorted(days)):
        db.session.execute(delete(log_days).where(log_days.c.day.in_(chunk)))
        db.session.execute(insert(log_days).from_select(LOG_DAY_COLUMNS, log_day_rows(chunk)))


def _vacuum() -> None:
    """After a rebuild: reclaim the rows it replaced and give the planner fresh statistics."""
    if db.engine.dialect.name != "postgresql":
        return
    tables = [
        facts,
        meeting_facts,
        log_days,
        *{shape.table for shape in SHAPES},
        *attendance_refresh.tables(),
    ]
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:  # VACUUM cannot run inside a transaction
            # TRUNCATE false: giving the emptied pages back would wait for every open reader.
            connection.execute(text(f"VACUUM (ANALYZE, TRUNCATE false) {table.name}"))


def _finish(now: datetime, ids: dict[str, int], *, full: bool) -> None:
    values = {"refreshed_at": now, **ids}
    if full:
        values["full_at"] = now
    db.session.execute(update(RefreshState).where(RefreshState.id == 1).values(**values))


def _chunks(items: list) -> Iterator[list]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]
