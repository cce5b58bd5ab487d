"""Which dimensions each cube keeps (its shapes), and at which grains.

Measured on 2,000,000 cases over ten years and 1,800 schools: a shape earns its place when it
is much smaller than the facts it sums. The planner reads the first shape, in this order,
that has every dimension a figure filters or groups by; the refresh keeps all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.analytics.models import CaseCube, DurationCube, MeetingCube, QuickLogCube


@dataclass(frozen=True)
class Shape:
    model: type
    name: str
    dims: tuple[str, ...]
    grains: tuple[str, ...]

    @property
    def table(self):
        return self.model.__table__


# In the order the refresh sums them: a year is summed from the shape's own months.
EVERY_GRAIN = ("day", "week", "month", "year")
WEEK_MONTH = ("week", "month", "year")
MONTH_YEAR = ("month", "year")

CASE_SHAPES = (
    # The whole district by tier: tiny even by day, so no range edge goes to the facts.
    Shape(CaseCube, "tier", ("tier",), EVERY_GRAIN),
    Shape(CaseCube, "language", ("tier", "language"), WEEK_MONTH),
    Shape(CaseCube, "category", ("tier", "category_id"), WEEK_MONTH),
    Shape(CaseCube, "network", ("network_id", "tier"), WEEK_MONTH),
    Shape(CaseCube, "netlang", ("network_id", "tier", "language"), WEEK_MONTH),
    Shape(CaseCube, "detail", ("tier", "category_id", "language", "channel"), WEEK_MONTH),
    Shape(CaseCube, "school", ("school_id", "network_id"), WEEK_MONTH),
    # Language access: results by school for the families of one language.
    Shape(CaseCube, "schlang", ("school_id", "network_id", "language"), MONTH_YEAR),
    # By network or by school with a tier or a category asked for (a superintendent's
    # categories too). Kept last: the planner reaches them only when nothing smaller fits.
    Shape(CaseCube, "netcat", ("network_id", "tier", "category_id"), MONTH_YEAR),
    Shape(CaseCube, "schtier", ("school_id", "network_id", "tier"), MONTH_YEAR),
    # By month this would be nearly as large as the facts: whole years here, the rest of a
    # range from the facts through their category index.
    Shape(CaseCube, "schcat", ("school_id", "network_id", "tier", "category_id"), ("year",)),
)
DURATION_SHAPES = (
    Shape(DurationCube, "all", (), WEEK_MONTH),
    # Days multiply the rows: by week these would be nearly as large as the facts.
    Shape(DurationCube, "tier", ("tier",), MONTH_YEAR),
    Shape(DurationCube, "language", ("language",), MONTH_YEAR),
    Shape(DurationCube, "detail", ("tier", "category_id", "language"), MONTH_YEAR),
)
MEETING_SHAPES = (
    Shape(MeetingCube, "kind", ("kind", "outcome"), WEEK_MONTH),
    Shape(MeetingCube, "language", ("language", "kind", "outcome"), WEEK_MONTH),
    Shape(MeetingCube, "tier", ("tier", "kind", "outcome"), WEEK_MONTH),
    Shape(
        MeetingCube, "detail", ("tier", "category_id", "language", "kind", "outcome"), WEEK_MONTH
    ),
)
QUICK_LOG_SHAPES = (
    Shape(QuickLogCube, "network", ("network_id",), WEEK_MONTH),
    Shape(QuickLogCube, "language", ("language",), WEEK_MONTH),
    Shape(QuickLogCube, "category", ("category_id",), WEEK_MONTH),
    Shape(QuickLogCube, "detail", ("network_id", "category_id", "language"), WEEK_MONTH),
)
SHAPES = CASE_SHAPES + DURATION_SHAPES + MEETING_SHAPES + QUICK_LOG_SHAPES
