"""Case volumes: figures 1-6 of the dashboards, from the roll-ups, each with its plain twin.

A figure and its `plain_` twin differ only in where the sums come from (roll-ups or the base
tables); both end in the same function that sorts, labels and suppresses.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func

from portal.analytics import base
from portal.analytics.filters import Filters, Scope, Selection, select_for
from portal.analytics.labels import names
from portal.analytics.query import CALLS, CASES, read, sums
from portal.analytics.sql import month_start, next_period, period_start, week_start
from portal.analytics.tables import SMALL, Table, count, part, rate, table
from portal.timeutil import district_today

PERIODS = ("week", "month")
DIMENSIONS = {
    "tier": "tier",
    "category": "category_id",
    "school": "school_id",
    "network": "network_id",
    "channel": "channel",
    "language": "language",
}
LEVELS = (("acknowledged", "ack"), ("first_contact", "fc"), ("resolved", "res"))
LEVEL_MEASURES = tuple(f"{key}_{part}" for _, key in LEVELS for part in ("met", "total"))
DAY = timedelta(days=1)
WEEK = timedelta(days=7)


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise ValueError(f"period must be week or month, not {period!r}")


def _plain(value: Any) -> Any:
    """Enum members read from the base tables as their code strings."""
    return str(value) if isinstance(value, str) else value


# 1. New cases by week or month, by tier -------------------------------------------------


def new_cases(f: Filters, s: Scope, period: str = "week") -> Table:
    """(period_start, tier, cases): cases received, by ISO week or month and tier."""
    _check_period(period)
    sel = select_for(f, s)
    rows = [] if sel.empty else sums(CASES, sel, ("tier",), ("cases",), period=period)
    return _new_cases(rows, sel)


def plain_new_cases(f: Filters, s: Scope, period: str = "week") -> Table:
    _check_period(period)
    sel = select_for(f, s)
    tier = base.cases.c.tier
    day = period_start(base.cases.c.received_on, period)
    rows = (
        []
        if sel.empty
        else read(base.from_cases(day, tier, func.count(), sel=sel).group_by(day, tier))
    )
    return _new_cases(rows, sel)


def _new_cases(rows: list, sel: Selection) -> Table:
    kept = sorted((start, tier, n) for start, tier, n in rows if n)
    return table(
        ("period_start", "tier", "cases"),
        [(start, tier, count(n, sel.suppress)) for start, tier, n in kept],
    )


# 2. Cases by one dimension ---------------------------------------------------------------


def cases_by(f: Filters, s: Scope, dimension: str = "tier") -> Table:
    """(label, cases) by tier, category, school, network, channel or language."""
    sel = select_for(f, s)
    column = DIMENSIONS[dimension]
    rows = [] if sel.empty else sums(CASES, sel, (column,), ("cases",))
    return _cases_by(rows, sel, dimension)


def plain_cases_by(f: Filters, s: Scope, dimension: str = "tier") -> Table:
    sel = select_for(f, s)
    DIMENSIONS[dimension]  # noqa: B018 - the same KeyError as the figure for a bad dimension
    key = (
        base.schools.c.network_id if dimension == "network" else base.cases.c[DIMENSIONS[dimension]]
    )
    rows = [] if sel.empty else read(base.from_cases(key, func.count(), sel=sel).group_by(key))
    return _cases_by(rows, sel, dimension)


def _cases_by(rows: list, sel: Selection, dimension: str) -> Table:
    kept = [(_plain(key), n) for key, n in rows if n]
    if dimension in ("category", "school", "network"):
        lookup = names(dimension, [key for key, _ in kept])
        kept = [(lookup.get(key), n) for key, n in kept]
    kept.sort(key=lambda row: (-row[1], row[0] is None, str(row[0])))
    return table(("label", "cases"), [(label, count(n, sel.suppress)) for label, n in kept])


# 3. Open backlog ---------------------------------------------------------------------------


def open_backlog(f: Filters, s: Scope) -> Table:
    """(day, open_cases) at the end of each week in the range and on its last day: cases
    received by then and not yet resolved or closed, whenever they were received."""
    sel = select_for(f, s)
    if sel.empty:
        return _backlog(sel, 0, {})
    measures = ("cases", "ended")
    ((opened, ended),) = sums(CASES, sel, (), measures, span=(None, sel.start - DAY))
    weekly = sums(CASES, sel, (), measures, period="week")
    return _backlog(sel, (opened or 0) - (ended or 0), {w: o - e for w, o, e in weekly})


def plain_open_backlog(f: Filters, s: Scope) -> Table:
    sel = select_for(f, s)
    if sel.empty:
        return _backlog(sel, 0, {})
    received = base.cases.c.received_on
    ended = base.ended_on()
    deltas: dict[date, int] = defaultdict(int)
    for day, n in read(
        base.from_cases(received, func.count(), sel=sel, dated=False)
        .where(received <= sel.end)
        .group_by(received)
    ):
        deltas[day] += n
    for day, n in read(
        base.from_cases(ended, func.count(), sel=sel, dated=False)
        .where(ended <= sel.end)
        .group_by(ended)
    ):
        deltas[day] -= n
    before = sum(n for day, n in deltas.items() if day < sel.start)
    weekly: dict[date, int] = defaultdict(int)
    for day, n in deltas.items():
        if day >= sel.start:
            weekly[week_start(day)] += n
    return _backlog(sel, before, weekly)


def _backlog(sel: Selection, before: int, weekly: dict[date, int]) -> Table:
    rows, open_cases = [], before
    week = week_start(sel.start)
    while week <= sel.end:
        open_cases += weekly.get(week, 0)
        rows.append((min(week + WEEK - DAY, sel.end), count(open_cases, sel.suppress)))
        week += WEEK
    return table(("day", "open_cases"), rows)


# 4. Service levels -------------------------------------------------------------------------


def service_levels(f: Filters, s: Scope) -> Table:
    """(measure, within_target, total, rate) for acknowledged, first_contact and resolved.

    Each target is judged against the due date stored on the case (business days on the
    district calendar, set at intake): met when done on or before it. A target still pending
    and not yet due is left out until it is met or missed.
    """
    sel = select_for(f, s)
    values = [] if sel.empty else list(sums(CASES, sel, (), LEVEL_MEASURES)[0])
    return _levels(values, sel)


def plain_service_levels(f: Filters, s: Scope) -> Table:
    sel = select_for(f, s)
    targets = base.targets(district_today())
    totals = [func.sum(targets[key][i]) for _, key in LEVELS for i in (0, 1)]
    values = [] if sel.empty else list(read(base.from_cases(*totals, sel=sel))[0])
    return _levels(values, sel)


def _levels(values: list, sel: Selection) -> Table:
    values = [v or 0 for v in values] or [0] * len(LEVEL_MEASURES)
    rows = []
    for i, (measure, _) in enumerate(LEVELS):
        met, total = values[2 * i], values[2 * i + 1]
        rows.append(
            (
                measure,
                part(met, total, sel.suppress),
                count(total, sel.suppress),
                rate(met, total, sel.suppress),
            )
        )
    return table(("measure", "within_target", "total", "rate"), rows)


# 5. Quick-log volume -----------------------------------------------------------------------


def quick_log_volume(f: Filters, s: Scope, period: str = "week") -> Table:
    """(period_start, calls): Tier 1 calls answered on the spot, by week or month."""
    _check_period(period)
    sel = select_for(f, s)
    if sel.empty or sel.tier not in (None, 1):
        return _calls([], sel)
    return _calls(sums(CALLS, sel, (), ("calls",), period=period, ignore=frozenset({"tier"})), sel)


def plain_quick_log_volume(f: Filters, s: Scope, period: str = "week") -> Table:
    _check_period(period)
    sel = select_for(f, s)
    day = period_start(base.quick_log_day(), period)
    rows = [] if sel.empty else read(base.from_quick_logs(day, func.count(), sel=sel).group_by(day))
    return _calls(rows, sel)


def _calls(rows: list, sel: Selection) -> Table:
    return table(
        ("period_start", "calls"),
        [(start, count(n, sel.suppress)) for start, n in sorted(rows) if n],
    )


# 6. Rising topics --------------------------------------------------------------------------


def _months(sel: Selection) -> tuple[date, date, date]:
    """The range's last whole month, the first of the three before, and the end of it.

    Whole: a month still under way (the default range ends today) has had a week or two of
    cases against three full months, so every topic looked as if it were falling."""
    this = month_start(sel.end)
    if next_period(this, "month") - DAY != sel.end:
        this = month_start(this - DAY)
    first = this
    for _ in range(3):
        first = month_start(first - DAY)
    return this, first, next_period(this, "month") - DAY


def rising_topics(f: Filters, s: Scope) -> Table:
    """(category, this_month, previous_three_avg, change) for the range's last whole month
    against the average of the three months before, biggest rise first."""
    sel = select_for(f, s)
    if sel.empty:
        return _rising([], sel)
    this, first, last = _months(sel)
    rows = sums(CASES, sel, ("category_id",), ("cases",), period="month", span=(first, last))
    return _rising(rows, sel)


def plain_rising_topics(f: Filters, s: Scope) -> Table:
    sel = select_for(f, s)
    if sel.empty:
        return _rising([], sel)
    this, first, last = _months(sel)
    month = period_start(base.cases.c.received_on, "month")
    category = base.cases.c.category_id
    query = (
        base.from_cases(month, category, func.count(), sel=sel, dated=False)
        .where(base.cases.c.received_on.between(first, last))
        .group_by(month, category)
    )
    return _rising(read(query), sel)


def _rising(rows: list, sel: Selection) -> Table:
    this = _months(sel)[0] if not sel.empty else None
    current: dict[int, int] = defaultdict(int)
    before: dict[int, int] = defaultdict(int)
    for month, category, n in rows:
        (current if month == this else before)[category] += n
    lookup = names("category", [*current, *before])
    found = []
    for category in {*current, *before}:
        now, earlier = current[category], before[category]
        if now or earlier:
            found.append((lookup.get(category), now, earlier, now - earlier / 3))
    found.sort(key=lambda row: (-row[3], str(row[0])))
    shown = []
    for label, now, earlier, change in found:
        hidden = sel.suppress and (now < SMALL or earlier < SMALL)
        average = None if sel.suppress and earlier < SMALL else round(earlier / 3, 2)
        shown.append(
            (label, count(now, sel.suppress), average, None if hidden else round(change, 2))
        )
    return table(("category", "this_month", "previous_three_avg", "change"), shown)
