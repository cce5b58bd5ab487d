"""Cases by school or network with a tier or a category asked for read a cube shape, not the
facts, and still equal their plain twins."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.dialects import sqlite

from portal.analytics import cases, mediation
from portal.analytics.filters import Filters, Scope, select_for
from portal.analytics.query import CASES
from portal.analytics.refresh import refresh

ALL = Scope()
YEAR = (date(2025, 1, 1), date(2025, 12, 31))  # whole months and a whole year
MONTHS = (date(2025, 9, 1), date(2025, 10, 31))  # whole months only


def sources(f: Filters, group_by: str) -> str:
    """The SQL the planner writes for cases by `group_by` under these filters."""
    frame = CASES.frame(select_for(f, ALL), dims=(group_by,), measures=("cases",), coarsest="year")
    return str(frame.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


@pytest.mark.parametrize(
    ("group_by", "extra", "shape"),
    [
        ("school_id", "tier", "schtier"),
        ("school_id", "category", "schcat"),
        ("school_id", "both", "schcat"),
        ("network_id", "tier", "network"),
        ("network_id", "category", "netcat"),
        ("network_id", "both", "netcat"),
        ("category_id", "network", "netcat"),  # a superintendent's categories
    ],
)
def test_a_grouping_with_a_tier_or_category_reads_a_cube(ledger, group_by, extra, shape):
    k = ledger
    asked = {
        "tier": {"tier": 2},
        "category": {"category_id": k.transport},
        "both": {"tier": 2, "category_id": k.transport},
        "network": {"network_id": k.nw},
    }[extra]
    start, end = YEAR if shape == "schcat" else MONTHS
    sql = sources(Filters(start=start, end=end, **asked), group_by)
    assert f"'{shape}'" in sql
    assert "analytics_case_facts" not in sql  # no day of the range is left to the facts


def test_a_range_cut_inside_a_year_reads_its_days_from_the_facts(ledger):
    f = Filters(start=date(2025, 10, 1), end=date(2025, 10, 31), category_id=ledger.transport)
    sql = sources(f, "school_id")
    assert "analytics_case_facts" in sql and "'schcat'" not in sql


@pytest.mark.parametrize("start, end", [YEAR, MONTHS, (date(2025, 10, 6), date(2025, 10, 20))])
def test_the_new_shapes_equal_the_plain_twins(ledger, start, end):
    refresh()
    k = ledger
    for extra in (
        {"tier": 2},
        {"tier": 1},
        {"category_id": k.transport},
        {"category_id": k.bullying, "tier": 3},
        {"network_id": k.nw, "category_id": k.transport},
    ):
        f = Filters(start=start, end=end, **extra)
        for dimension in ("school", "network", "category"):
            shown = cases.cases_by(f, ALL, dimension=dimension)
            assert shown == cases.plain_cases_by(f, ALL, dimension=dimension), (dimension, f)
        for by in ("school", "network"):
            shown = mediation.resolution_by(f, ALL, by=by)
            assert shown == mediation.plain_resolution_by(f, ALL, by=by), (by, f)
    by_school = cases.cases_by(Filters(start=YEAR[0], end=YEAR[1], tier=2), ALL, "school")
    assert sum(by_school.column("cases")) == 4 + 4  # October's Tier 2, and the four before
