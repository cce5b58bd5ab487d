"""Mediation outcomes: figures 7-10 of the dashboards, from the roll-ups, with plain twins."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import func

from portal.analytics import base
from portal.analytics.cases import _check_period, _plain
from portal.analytics.filters import Filters, Scope, Selection, select_for
from portal.analytics.labels import names
from portal.analytics.query import (
    CASES,
    MEETINGS,
    TO_MEETING,
    TO_RESOLUTION,
    read,
    reading_dialect,
    sums,
)
from portal.analytics.sql import days_between, local_date, period_start
from portal.analytics.tables import NOT_APPLICABLE, SMALL, Table, count, part, rate, table
from portal.concerns.models import MeetingOutcome
from portal.timeutil import utcnow

OUTCOMES = [outcome.value for outcome in MeetingOutcome]


# 7. Meetings held --------------------------------------------------------------------------


def meetings_held(f: Filters, s: Scope, period: str = "week") -> Table:
    """(period_start, kind, meetings): facilitated meetings and mediations held (outcome
    recorded, or their time has passed), by the district day they were scheduled for."""
    _check_period(period)
    sel = select_for(f, s)
    rows = [] if sel.empty else sums(MEETINGS, sel, ("kind",), ("meetings",), period=period)
    return _held(rows, sel)


def plain_meetings_held(f: Filters, s: Scope, period: str = "week") -> Table:
    _check_period(period)
    sel = select_for(f, s)
    day = period_start(base.meeting_day(), period)
    kind = base.meetings.c.kind
    query = base.from_meetings(day, kind, func.count(), sel=sel, now=utcnow()).group_by(day, kind)
    return _held([] if sel.empty else read(query), sel)


def _held(rows: list, sel: Selection) -> Table:
    kept = sorted((start, _plain(kind), n) for start, kind, n in rows if n)
    return table(
        ("period_start", "kind", "meetings"),
        [(start, kind, count(n, sel.suppress)) for start, kind, n in kept],
    )


# 8. Outcome mix ----------------------------------------------------------------------------


def outcome_mix(f: Filters, s: Scope) -> Table:
    """(outcome, meetings): meetings in the range with a recorded outcome, by outcome."""
    sel = select_for(f, s)
    return _mix([] if sel.empty else sums(MEETINGS, sel, ("outcome",), ("meetings",)), sel)


def plain_outcome_mix(f: Filters, s: Scope) -> Table:
    sel = select_for(f, s)
    outcome = base.meetings.c.outcome
    query = (
        base.from_meetings(outcome, func.count(), sel=sel, now=utcnow())
        .where(outcome.is_not(None))
        .group_by(outcome)
    )
    return _mix([] if sel.empty else read(query), sel)


def _mix(rows: list, sel: Selection) -> Table:
    kept = {_plain(outcome): n for outcome, n in rows if outcome is not None and n}
    return table(
        ("outcome", "meetings"),
        [(o, count(kept[o], sel.suppress)) for o in OUTCOMES if o in kept],
    )


# 9. Resolution and escalation by school or network ----------------------------------------


def resolution_by(f: Filters, s: Scope, by: str = "school") -> Table:
    """(label, cases, resolved, resolution_rate, escalated, escalation_rate) of the cases
    received in the range, by school or network; resolved counts resolved and closed."""
    sel = select_for(f, s)
    column = _by(by)
    measures = ("cases", "resolved", "escalated")
    return _resolution([] if sel.empty else sums(CASES, sel, (column,), measures), sel, by)


def plain_resolution_by(f: Filters, s: Scope, by: str = "school") -> Table:
    sel = select_for(f, s)
    key = base.schools.c.network_id if _by(by) == "network_id" else base.cases.c.school_id
    query = base.from_cases(
        key, func.count(), func.sum(base.resolved()), func.sum(base.escalated()), sel=sel
    ).group_by(key)
    return _resolution([] if sel.empty else read(query), sel, by)


def _by(by: str) -> str:
    if by not in ("school", "network"):
        raise ValueError(f"by must be school or network, not {by!r}")
    return f"{by}_id"


def _resolution(rows: list, sel: Selection, by: str) -> Table:
    kept = [(key, n, done or 0, up or 0) for key, n, done, up in rows if n]
    lookup = names(by, [row[0] for row in kept])
    kept = [(lookup.get(key), n, done, up) for key, n, done, up in kept]
    kept.sort(key=lambda row: (-row[1], row[0] is None, str(row[0])))
    hide = sel.suppress
    return table(
        ("label", "cases", "resolved", "resolution_rate", "escalated", "escalation_rate"),
        [
            (
                label,
                count(n, hide),
                part(done, n, hide),
                rate(done, n, hide),
                part(up, n, hide),
                rate(up, n, hide),
            )
            for label, n, done, up in kept
        ],
    )


# 10. Days from intake to a meeting and to resolution -------------------------------------


def time_to(f: Filters, s: Scope) -> Table:
    """(measure, median_days, p90_days) in calendar days, for the cases received in the
    range: to their first meeting held, and to their resolution. Percentiles interpolate
    between neighbours, as PostgreSQL's percentile_cont does."""
    sel = select_for(f, s)
    rows = []
    for measure, family in (
        ("intake_to_meeting", TO_MEETING),
        ("intake_to_resolution", TO_RESOLUTION),
    ):
        histogram = [] if sel.empty else sums(family, sel, ("days",), ("n",))
        rows.append((measure, *_percentiles(histogram, sel)))
    return table(("measure", "median_days", "p90_days"), rows)


def plain_time_to(f: Filters, s: Scope) -> Table:
    sel = select_for(f, s)
    first = base.first_meeting_held(utcnow())
    to_meeting = days_between(local_date(first.c.at), base.cases.c.received_on)
    to_resolution = base.resolution_days()
    rows = []
    for measure, days, join in (
        ("intake_to_meeting", to_meeting, True),
        ("intake_to_resolution", to_resolution, False),
    ):
        if sel.empty:
            rows.append((measure, *_percentiles([], sel)))
            continue
        if reading_dialect() == "postgresql":
            query = base.from_cases(
                func.percentile_cont(0.5).within_group(days),
                func.percentile_cont(0.9).within_group(days),
                func.count(days),
                sel=sel,
            )
            if join:
                query = query.join(first, first.c.case_id == base.cases.c.id)
            median, p90, n = read(query)[0]
            if sel.suppress and n < SMALL:
                rows.append((measure, None, None))
            elif not n:
                rows.append((measure, NOT_APPLICABLE, NOT_APPLICABLE))
            else:
                rows.append((measure, median, p90))
            continue
        query = base.from_cases(days, func.count(), sel=sel).where(days.is_not(None))
        if join:
            query = query.join(first, first.c.case_id == base.cases.c.id)
        rows.append((measure, *_percentiles(read(query.group_by(days)), sel)))
    return table(("measure", "median_days", "p90_days"), rows)


def _percentiles(histogram: list, sel: Selection) -> tuple[Any, Any]:
    """Median and 90th percentile; hidden (None) from analysts under ten cases; none to take
    (NOT_APPLICABLE) when there is no case at all, which is not "fewer than 10" to others."""
    counts = sorted((days, n) for days, n in histogram if n)
    total = sum(n for _, n in counts)
    if sel.suppress and total < SMALL:
        return None, None
    if not total:
        return NOT_APPLICABLE, NOT_APPLICABLE
    return _percentile(counts, total, 0.5), _percentile(counts, total, 0.9)


def _percentile(counts: list[tuple[int, int]], total: int, fraction: float) -> float:
    """percentile_cont over a histogram of (value, how many), ascending."""
    position = fraction * (total - 1)
    below, above = math.floor(position), math.ceil(position)

    def nth(k: int) -> int:
        seen = 0
        for value, n in counts:
            seen += n
            if k < seen:
                return value
        return counts[-1][0]

    low, high = nth(below), nth(above)
    return float(low + (high - low) * (position - below))
