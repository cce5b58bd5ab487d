"""Reading the roll-ups: whole months and weeks from a cube, the odd days from the facts.

A date range is cut into the months that lie wholly inside it, then the weeks wholly inside
what is left, then single days. They are read from the first cube shape that holds every
dimension the figure filters or groups by, at the grains it keeps; what it does not keep (most
often the days at either end), and any figure no shape can answer, from the fact tables. A
school filter goes to the facts directly: one school is a small slice of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Subquery,
    Table,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)

from portal.analytics.filters import Selection
from portal.analytics.models import CaseFact, MeetingFact, QuickLogDay
from portal.analytics.shapes import (
    CASE_SHAPES,
    DURATION_SHAPES,
    MEETING_SHAPES,
    QUICK_LOG_SHAPES,
    Shape,
)
from portal.analytics.sql import next_period, period_start, start_of
from portal.extensions import db

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Part:
    grain: str  # month | week | day
    lo: date | None  # None: from the first day there is
    hi: date


LEVELS = ("year", "month", "week")


def split(lo: date | None, hi: date, coarsest: str, grains: tuple[str, ...]) -> list[Part]:
    """Cut [lo, hi] into whole years, then whole months, then whole ISO weeks, then days,
    using only the grains the cube keeps and none coarser than `coarsest`."""
    levels = [g for g in LEVELS[LEVELS.index(coarsest) :] if g in grains]
    return _cut(lo, hi, levels)


def _cut(lo: date | None, hi: date, levels: list[str]) -> list[Part]:
    if lo is not None and lo > hi:
        return []
    if not levels:
        return [Part("day", lo, hi)]
    grain, finer = levels[0], levels[1:]
    first = (
        lo if lo is None or lo == start_of(lo, grain) else next_period(start_of(lo, grain), grain)
    )
    after = next_period(start_of(hi, grain), grain)
    stop = after if hi == after - DAY else start_of(hi, grain)  # the first day not covered
    if first is not None and first >= stop:
        return _cut(lo, hi, finer)
    head = [] if first is None else _cut(lo, first - DAY, finer)
    return [*head, Part(grain, first, stop - DAY), *_cut(stop, hi, finer)]


@dataclass(frozen=True)
class Source:
    """One table as the planner sees it: its date, its columns by name, fixed conditions."""

    table: Table
    date: ColumnElement
    columns: Mapping[str, ColumnElement]
    where: tuple[ColumnElement, ...] = ()
    measures: frozenset[str] = frozenset()  # what it adds to (facts dated by one event)
    grains: tuple[str, ...] = ()  # a cube's; facts are read day by day

    @property
    def dims(self) -> frozenset[str]:
        return frozenset(self.columns) - self.measures

    def within(self, parts: list[Part]) -> ColumnElement:
        conditions = []
        for part in parts:
            span = self.date <= part.hi if part.lo is None else self.date.between(part.lo, part.hi)
            if self.grains:
                span = (self.table.c.grain == part.grain) & span
            conditions.append(span)
        return or_(*conditions) if conditions else false()


def _shape(shape: Shape, measures: dict[str, str], *where: ColumnElement, keys=()) -> Source:
    """A cube's shape as a source; `measures` maps the figure's names to the cube's columns."""
    t = shape.table.c
    columns = {name: t[name] for name in (*shape.dims, *keys)}
    columns.update({name: t[column] for name, column in measures.items()})
    return Source(
        shape.table,
        t.period_start,
        columns,
        (t.shape == shape.name, *where),
        frozenset(measures),
        shape.grains,
    )


def _facts(model: type, date_name: str, measures: dict[str, Any], *where, dims=()) -> Source:
    table = model.__table__
    columns = {name: table.c[name] for name in dims}
    columns.update({name: _expr(value) for name, value in measures.items()})
    provides = frozenset(name for name, value in measures.items() if not _is_zero(value))
    return Source(table, table.c[date_name], columns, tuple(where), provides)


def _expr(value: Any) -> ColumnElement:
    return value if isinstance(value, ColumnElement) else literal(value)


def _is_zero(value: Any) -> bool:
    return isinstance(value, int) and value == 0


@dataclass(frozen=True)
class Family:
    """Where one kind of count lives: its fact tables and its cubes, smallest cube first."""

    facts: tuple[Source, ...]
    cubes: tuple[Source, ...] = field(default=())

    def frame(
        self,
        sel: Selection,
        *,
        dims: tuple[str, ...],
        measures: tuple[str, ...],
        coarsest: str,
        span: tuple[date | None, date] | None = None,
        ignore: frozenset[str] = frozenset(),
    ) -> Subquery:
        """Rows of (d, *dims, *measures) whose sums answer the figure over `span` (both ends
        included; an open start means from the first day there is), by default the filters'."""
        lo, hi = span or (sel.start, sel.end)
        wanted = {k: v for k, v in sel.dims().items() if k not in ignore}
        needed = set(wanted) | set(dims)
        cube = None
        if "school_id" not in wanted:
            cube = next((c for c in self.cubes if needed <= c.dims), None)
        parts = split(lo, hi, coarsest, cube.grains) if cube else [Part("day", lo, hi)]
        from_cube = [p for p in parts if cube and p.grain in cube.grains]
        days = [p for p in parts if p not in from_cube]
        selects: list[Select] = []
        if from_cube:
            selects.append(self._select(cube, from_cube, wanted, dims, measures))
        if days:
            for source in self.facts:
                if source.measures & set(measures):
                    selects.append(self._select(source, days, wanted, dims, measures))
        if not selects:  # nothing asked of any source: an empty frame of the right shape
            selects.append(self._select(self.facts[0], [], wanted, dims, measures))
        return (union_all(*selects) if len(selects) > 1 else selects[0]).subquery("frame")

    @staticmethod
    def _select(source, parts, wanted, dims, measures) -> Select:
        c = source.columns
        return select(
            source.date.label("d"),
            *(c[name].label(name) for name in dims),
            *(c.get(name, literal(0)).label(name) for name in measures),
        ).where(source.within(parts), *source.where, *(c[k] == v for k, v in wanted.items()))


_f = CaseFact.__table__.c
_CASE_DIMS = ("school_id", "network_id", "tier", "category_id", "language", "channel")
_COHORT = {
    "cases": 1,
    "resolved": _f.resolved,
    "escalated": _f.escalated,
    "ack_met": _f.ack_met,
    "ack_total": _f.ack_total,
    "fc_met": _f.fc_met,
    "fc_total": _f.fc_total,
    "res_met": _f.res_met,
    "res_total": _f.res_total,
}
_CASE_MEASURES = {name: name for name in (*_COHORT, "ended")}
CASES = Family(
    facts=(
        _facts(CaseFact, "received_on", {**_COHORT, "ended": 0}, dims=_CASE_DIMS),
        _facts(
            CaseFact,
            "ended_on",
            {**dict.fromkeys(_COHORT, 0), "ended": 1},
            _f.ended_on.is_not(None),
            dims=_CASE_DIMS,
        ),
    ),
    cubes=tuple(_shape(shape, _CASE_MEASURES) for shape in CASE_SHAPES),
)


def _durations(measure: str, column: ColumnElement) -> Family:
    """Cases by the days they took (intake to a meeting, or to resolution), by intake date."""
    facts = _facts(
        CaseFact,
        "received_on",
        {"n": 1},
        column.is_not(None),
        dims=("school_id", "network_id", "tier", "category_id", "language"),
    )
    return Family(
        (replace(facts, columns={**facts.columns, "days": column}),),
        tuple(
            _shape(shape, {"n": "cases"}, shape.table.c.measure == measure, keys=("days",))
            for shape in DURATION_SHAPES
        ),
    )


TO_MEETING = _durations("meeting", _f.meeting_days)
TO_RESOLUTION = _durations("resolution", _f.resolution_days)

_m = MeetingFact.__table__.c
MEETINGS = Family(
    facts=(
        _facts(
            MeetingFact,
            "day",
            {"meetings": 1},
            _m.held == 1,
            dims=("school_id", "network_id", "tier", "category_id", "language", "kind", "outcome"),
        ),
    ),
    cubes=tuple(_shape(shape, {"meetings": "meetings"}) for shape in MEETING_SHAPES),
)

_q = QuickLogDay.__table__.c
CALLS = Family(
    facts=(
        _facts(
            QuickLogDay,
            "day",
            {"calls": _q.calls},
            dims=("school_id", "network_id", "category_id", "language"),
        ),
    ),
    cubes=tuple(_shape(shape, {"calls": "calls"}) for shape in QUICK_LOG_SHAPES),
)


def read(statement: Select, params: Mapping[str, Any] | None = None) -> list[Any]:
    """Run a read on the analytics engine (ANALYTICS_DATABASE_URL), else the main session;
    `params`: values for the statement's bound parameters."""
    engine = db.engines.get("analytics")
    if engine is None:
        return _run(db.session, statement, params)
    with engine.connect() as connection:
        return _run(connection, statement, params)


def _run(executor, statement: Select, params: Mapping[str, Any] | None = None) -> list[Any]:
    # PostgreSQL's JIT is off on every connection (portal.jit_off): no SET here.
    # The session's connection, or the analytics engine's.
    connection = executor if isinstance(executor, Connection) else executor.connection()
    dbapi = connection.connection.dbapi_connection
    threshold = getattr(dbapi, "prepare_threshold", None)
    if threshold is None:  # SQLite, or preparing off already
        return list(connection.execute(statement, params).all())
    # Planned for the values asked, every time. psycopg prepares a statement run five times on
    # a connection, and PostgreSQL then settles on a generic plan that ignores the values: for
    # a network's ten years of events, 2.6 ms slower than planning it for them
    # (bench/dashboards.py). The portal's other statements keep being prepared.
    dbapi.prepare_threshold = None
    try:
        return list(connection.execute(statement, params).all())
    finally:
        dbapi.prepare_threshold = threshold


def reading_dialect() -> str:
    """postgresql or sqlite: the engine that `read` runs on."""
    engine = db.engines.get("analytics")
    return (engine or db.session.get_bind()).dialect.name


def sums(
    family: Family,
    sel: Selection,
    dims: tuple[str, ...],
    measures: tuple[str, ...],
    *,
    period: str | None = None,
    span: tuple[date | None, date] | None = None,
    ignore: frozenset[str] = frozenset(),
) -> list[Any]:
    """Summed measures by dims (and by week or month first, when `period` is given)."""
    frame = family.frame(
        sel, dims=dims, measures=measures, coarsest=period or "year", span=span, ignore=ignore
    )
    keys = [frame.c[name] for name in dims]
    if period:
        keys.insert(0, period_start(frame.c.d, period))
    totals = [func.sum(frame.c[name]) for name in measures]
    query = select(*keys, *totals)
    return read(query.group_by(*keys) if keys else query)
