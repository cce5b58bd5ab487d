"""Reading the roll-ups: whole months and weeks from a cube, the odd days from the facts.

A date range is cut into the months that lie wholly inside it, then the weeks wholly inside
what is left, then single days. Months and weeks are read from the smallest cube that holds
every dimension the figure filters or groups by; the days, and any figure no cube can answer,
from the fact tables. A school filter goes to the facts directly: one school is a small slice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
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
from portal.analytics.models import (
    CaseCube,
    CaseFact,
    CaseSchoolCube,
    DurationCube,
    MeetingCube,
    MeetingFact,
    QuickLogCube,
    QuickLogDay,
)
from portal.analytics.sql import next_period, period_start
from portal.extensions import db

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Part:
    grain: str  # month | week | day
    lo: date | None  # None: from the first day there is
    hi: date


def split(lo: date | None, hi: date, coarsest: str) -> list[Part]:
    """Cut [lo, hi] into whole months (if coarsest is month), whole ISO weeks, and days."""
    parts: list[Part] = []
    rest: list[tuple[date | None, date]] = [(lo, hi)]
    if coarsest == "month":
        first = lo if lo is None or lo.day == 1 else next_period(lo.replace(day=1), "month")
        after = next_period(hi.replace(day=1), "month")
        stop = after if hi == after - DAY else hi.replace(day=1)  # first day not covered
        if first is None or first < stop:
            parts.append(Part("month", first, stop - DAY))
            rest = [(lo, first - DAY)] if first is not None else []
            rest.append((stop, hi))
    for a, b in rest:
        if a is not None and a > b:
            continue
        if a is None:  # only a whole-month prefix is ever open on the left
            raise ValueError("an open range needs month grain")
        monday = a if a.weekday() == 0 else a + timedelta(days=7 - a.weekday())
        end = b + DAY if b.weekday() == 6 else b - timedelta(days=b.weekday())
        if monday < end:
            parts.append(Part("week", monday, end - DAY))
            parts += [Part("day", x, y) for x, y in ((a, monday - DAY), (end, b)) if x <= y]
        else:
            parts.append(Part("day", a, b))
    return parts


@dataclass(frozen=True)
class Source:
    """One table as the planner sees it: its date, its columns by name, fixed conditions."""

    table: Table
    date: ColumnElement
    columns: Mapping[str, ColumnElement]
    where: tuple[ColumnElement, ...] = ()
    measures: frozenset[str] = frozenset()  # what it adds to (facts dated by one event)
    cube: bool = False

    @property
    def dims(self) -> frozenset[str]:
        return frozenset(self.columns) - self.measures

    def within(self, parts: list[Part]) -> ColumnElement:
        conditions = []
        for part in parts:
            span = self.date <= part.hi if part.lo is None else self.date.between(part.lo, part.hi)
            if self.cube:
                span = (self.table.c.grain == part.grain) & span
            conditions.append(span)
        return or_(*conditions) if conditions else false()


def _cube(model: type, measures: tuple[str, ...]) -> Source:
    table = model.__table__
    skip = {"id", "grain", "period_start"}
    columns = {name: col for name, col in table.c.items() if name not in skip}
    return Source(table, table.c.period_start, columns, (), frozenset(measures), cube=True)


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
        parts = split(lo, hi, coarsest) if cube else [Part("day", lo, hi)]
        days = [p for p in parts if p.grain == "day"]
        selects: list[Select] = []
        if cube is not None and len(days) < len(parts):
            selects.append(
                self._select(cube, [p for p in parts if p.grain != "day"], wanted, dims, measures)
            )
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
    cubes=(
        _cube(CaseCube, (*_COHORT, "ended")),
        _cube(CaseSchoolCube, (*_COHORT, "ended")),
    ),
)


def _durations(measure: str, column: ColumnElement) -> Family:
    """Cases by the days they took (intake to a meeting, or to resolution), by intake date."""
    d = DurationCube.__table__.c
    facts = _facts(
        CaseFact,
        "received_on",
        {"n": 1},
        column.is_not(None),
        dims=("school_id", "network_id", "tier", "category_id", "language"),
    )
    cube = Source(
        DurationCube.__table__,
        d.period_start,
        {
            "tier": d.tier,
            "category_id": d.category_id,
            "language": d.language,
            "days": d.days,
            "n": d.cases,
        },
        (d.measure == measure,),
        frozenset({"n"}),
        cube=True,
    )
    return Family((replace(facts, columns={**facts.columns, "days": column}),), (cube,))


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
    cubes=(_cube(MeetingCube, ("meetings",)),),
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
    cubes=(_cube(QuickLogCube, ("calls",)),),
)


def read(statement: Select) -> list[Any]:
    """Run a read on the analytics engine (ANALYTICS_DATABASE_URL), else the main session."""
    engine = db.engines.get("analytics")
    if engine is None:
        return list(db.session.execute(statement).all())
    with engine.connect() as connection:
        return list(connection.execute(statement).all())


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
        sel, dims=dims, measures=measures, coarsest=period or "month", span=span, ignore=ignore
    )
    keys = [frame.c[name] for name in dims]
    if period:
        keys.insert(0, period_start(frame.c.d, period))
    totals = [func.sum(frame.c[name]) for name in measures]
    query = select(*keys, *totals)
    return read(query.group_by(*keys) if keys else query)
