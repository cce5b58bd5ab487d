"""Summing the facts into the cube shapes, for every period or only some."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    ColumnElement,
    Select,
    delete,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
)

from portal.analytics.models import (
    CaseCube,
    CaseFact,
    DurationCube,
    MeetingCube,
    MeetingFact,
    QuickLogCube,
    QuickLogDay,
)
from portal.analytics.shapes import Shape
from portal.analytics.sql import next_period, period_start, start_of
from portal.extensions import db

CHUNK = 500  # periods per IN (...) list
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


def sum_shape(shape: Shape, grain: str, starts: set[date] | None) -> None:
    how = SUMS[shape.model]
    if grain == "year" and "month" in shape.grains:  # twelve of its own months, already summed
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


def refresh_shape(shape: Shape, touched: dict[str, set[date]]) -> None:
    days = set().union(*(touched[key] for key in SUMS[shape.model].touched_by))
    t = shape.table.c
    for grain in shape.grains:
        starts = sorted({start_of(day, grain) for day in days})
        for i in range(0, len(starts), CHUNK):
            chunk = starts[i : i + CHUNK]
            db.session.execute(
                delete(shape.table).where(
                    t.shape == shape.name, t.grain == grain, t.period_start.in_(chunk)
                )
            )
            sum_shape(shape, grain, set(chunk))


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
