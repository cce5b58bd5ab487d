"""Bring the roll-ups up to date: all of them, or only the cases and days that changed.

An incremental pass re-derives the facts of the cases that changed and re-sums only the weeks
and months those cases fall in (by intake and by end), so its cost follows the number of
changes, not the size of the district. What changed comes from:
- the change queue, written by the ORM in the same transaction as the change itself;
- ids past the last pass (rows loaded in bulk, without the ORM);
- time passing: a service-level target whose due date has gone by turns "missed", a meeting
  whose time has come counts as held (`review_on`, `flip_at`);
- `since`, to re-derive everything touched since an instant (a repair after hand edits).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    delete,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError

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
from portal.analytics.models import (
    CaseCube,
    CaseFact,
    Change,
    DurationCube,
    MeetingCube,
    MeetingFact,
    QuickLogCube,
    QuickLogDay,
    RefreshState,
)
from portal.analytics.shapes import SHAPES, Shape
from portal.analytics.sql import (
    days_between,
    earliest,
    local_date,
    next_period,
    period_start,
    start_of,
)
from portal.concerns.models import Case, CaseEntry, Meeting, QuickLog
from portal.extensions import db
from portal.timeutil import district_today, utcnow

# Past this many changed cases, rebuilding everything is quicker than case by case.
FULL_ABOVE = 20_000
CHUNK = 500  # ids per IN (...) list
CASE_MEASURES = (
    "cases",
    "resolved",
    "escalated",
    "ack_met",
    "ack_total",
    "fc_met",
    "fc_total",
    "res_met",
    "res_total",
    "ended",
)

facts = CaseFact.__table__
meeting_facts = MeetingFact.__table__
log_days = QuickLogDay.__table__


@dataclass(frozen=True)
class RefreshReport:
    full: bool
    cases: int  # cases whose facts were derived again
    quick_log_days: int
    seconds: float

    def __str__(self) -> str:
        kind = "full refresh" if self.full else "refresh"
        return (
            f"{kind}: {self.cases} cases, {self.quick_log_days} days of calls "
            f"in {self.seconds:.2f} s"
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
    return RefreshReport(full, counted[0], counted[1], time.monotonic() - began)


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
    }


def _full(now: datetime, today: date) -> tuple[int, int]:
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
            _sum_shape(shape, grain, None)
    _finish(now, ids, full=True)
    return db.session.scalar(select(func.count()).select_from(facts)) or 0, (
        db.session.scalar(select(func.count(func.distinct(log_days.c.day)))) or 0
    )


def _incremental(state, now: datetime, today: date, since: datetime | None):
    queued = db.session.execute(
        select(Change.id, Change.case_id, Change.quick_log_day, Change.school_id)
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
        *(_touched_since(since) if since else ()),
    ):
        if query is not None:
            case_ids.update(db.session.scalars(query))
    if len(case_ids) > FULL_ABOVE:
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
        _refresh_shape(shape, touched | {"log": days})
    for chunk in _chunks([row.id for row in queued]):
        db.session.execute(delete(Change).where(Change.id.in_(chunk)))
    _finish(now, ids, full=False)
    return len(case_ids), len(days)


def _touched_since(since: datetime) -> list[Select]:
    return [
        select(cases.c.id).where(cases.c.created_at >= since),
        select(CaseEntry.case_id).where(CaseEntry.created_at >= since).distinct(),
        select(meetings.c.case_id).where(
            or_(meetings.c.recorded_at >= since, meetings.c.scheduled_for.between(since, utcnow()))
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
    tables = [facts, meeting_facts, log_days, *{shape.table for shape in SHAPES}]
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


# --- Facts -------------------------------------------------------------------------------


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


# --- Cubes -------------------------------------------------------------------------------


def _within(column: ColumnElement, grain: str, starts: Iterable[date] | None) -> ColumnElement:
    """The column falls in one of the periods starting on `starts` (None: any period)."""
    if starts is None:
        return column.is_not(None)
    if grain == "day":
        return column.in_(sorted(starts))
    ranges = [
        column.between(start, next_period(start, grain) - timedelta(days=1))
        for start in sorted(starts)
    ]
    return or_(*ranges) if ranges else false()


@dataclass(frozen=True)
class Sums:
    """How a cube is summed from the facts, and which touched days move its sums."""

    rows: Callable[..., Select]  # (grain, starts, dims) -> rows of (period_start, *keys, *m)
    keys: tuple[str, ...]  # grouped by in every shape, beside the shape's dimensions
    measures: tuple[str, ...]
    touched_by: tuple[str, ...]


def _sum_shape(shape: Shape, grain: str, starts: set[date] | None) -> None:
    how = SUMS[shape.model]
    if grain == "year":  # twelve of the shape's own months, already summed
        t = shape.table.c
        sub = (
            select(
                period_start(t.period_start, "year").label("period_start"),
                *(t[name] for name in (*shape.dims, *how.keys, *how.measures)),
            )
            .where(
                t.shape == shape.name, t.grain == "month", _within(t.period_start, grain, starts)
            )
            .subquery()
        )
    else:
        sub = how.rows(grain, starts, shape.dims).subquery()
    keys = [sub.c.period_start, *(sub.c[name] for name in (*shape.dims, *how.keys))]
    summed = (
        select(
            literal(shape.name), literal(grain), *keys, *(func.sum(sub.c[m]) for m in how.measures)
        )
        .group_by(*keys)
        .order_by(sub.c.period_start)  # one stretch of time is then a run of neighbouring pages
    )
    columns = ["shape", "grain", "period_start", *shape.dims, *how.keys, *how.measures]
    db.session.execute(insert(shape.table).from_select(columns, summed))


def _refresh_shape(shape: Shape, touched: dict[str, set[date]]) -> None:
    days = set().union(*(touched[key] for key in SUMS[shape.model].touched_by))
    t = shape.table.c
    for grain in shape.grains:
        starts = sorted({start_of(day, grain) for day in days})
        for chunk in _chunks(starts):
            db.session.execute(
                delete(shape.table).where(
                    t.shape == shape.name, t.grain == grain, t.period_start.in_(chunk)
                )
            )
            _sum_shape(shape, grain, set(chunk))


def _case_rows(grain: str, starts: set[date] | None, dims: tuple[str, ...]) -> Select:
    f = facts.c
    zero = literal(0)
    keep = [f[d] for d in dims]
    by_intake = select(
        period_start(f.received_on, grain).label("period_start"),
        *keep,
        literal(1).label("cases"),
        *(f[m] for m in CASE_MEASURES[1:-1]),
        zero.label("ended"),
    ).where(_within(f.received_on, grain, starts))
    by_end = select(
        period_start(f.ended_on, grain).label("period_start"),
        *keep,
        *(zero.label(m) for m in CASE_MEASURES[:-1]),
        literal(1).label("ended"),
    ).where(_within(f.ended_on, grain, starts))
    return union_all(by_intake, by_end)


def _duration_rows(grain: str, starts: set[date] | None, dims: tuple[str, ...]) -> Select:
    f = facts.c
    parts = []
    for measure, column in (("meeting", f.meeting_days), ("resolution", f.resolution_days)):
        parts.append(
            select(
                period_start(f.received_on, grain).label("period_start"),
                *(f[d] for d in dims),
                literal(measure).label("measure"),
                column.label("days"),
                literal(1).label("cases"),
            ).where(column.is_not(None), _within(f.received_on, grain, starts))
        )
    return union_all(*parts)


def _meeting_rows(grain: str, starts: set[date] | None, dims: tuple[str, ...]) -> Select:
    m = meeting_facts.c
    return select(
        period_start(m.day, grain).label("period_start"),
        *(m[d] for d in dims),
        literal(1).label("meetings"),
    ).where(m.held == 1, _within(m.day, grain, starts))


def _log_rows(grain: str, starts: set[date] | None, dims: tuple[str, ...]) -> Select:
    d = log_days.c
    return select(
        period_start(d.day, grain).label("period_start"), *(d[k] for k in dims), d.calls
    ).where(_within(d.day, grain, starts))


SUMS = {
    CaseCube: Sums(_case_rows, (), CASE_MEASURES, ("intake", "end")),
    DurationCube: Sums(_duration_rows, ("measure", "days"), ("cases",), ("intake",)),
    MeetingCube: Sums(_meeting_rows, (), ("meetings",), ("meeting",)),
    QuickLogCube: Sums(_log_rows, (), ("calls",), ("log",)),
}
