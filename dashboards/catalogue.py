"""Which dashboards exist, who sees each, and the figures on them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.analytics import attendance, cases, mediation
from portal.analytics.filters import Filters, Scope
from portal.analytics.tables import Table
from portal.auth.roles import Role

Query = Callable[[Filters, Scope, str], Table]

LEADERSHIP = frozenset({Role.SENIOR_MANAGER, Role.SUPERINTENDENT, Role.ANALYST})


@dataclass(frozen=True)
class FigureSpec:
    """One figure: its query, how to draw it, and how to read its numbers."""

    key: str
    title: Any
    query: Query
    chart: str  # "bar" (x categories), "hbar" (labels down the side), "line" (time), "pie"
    x: str
    y: tuple[str, ...]
    percent: tuple[str, ...] = ()  # columns that are fractions, shown as percentages
    description: Any = ""
    series: str | None = None  # a long table: one trace per value of this column


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: Any
    description: Any
    roles: frozenset[Role]
    filters: tuple[str, ...]
    figures: tuple[FigureSpec, ...]

    def figure(self, key: str) -> FigureSpec | None:
        return next((f for f in self.figures if f.key == key), None)


def _plain(function: Callable[[Filters, Scope], Table]) -> Query:
    return lambda f, s, language: function(f, s)


ATTENDANCE = Dashboard(
    slug="attendance",
    title=_l("Liaison event attendance"),
    description=_l(
        "Events by school and liaison, who registered and who came, new and returning "
        "families, survey ratings, series completion, facilitators and Title I reach."
    ),
    roles=LEADERSHIP | {Role.PROGRAMME_STAFF},
    filters=("dates", "network", "school", "language", "programme"),
    figures=(
        FigureSpec(
            "show_up",
            _l("Registered and checked in, by month"),
            _plain(attendance.show_up),
            "line",
            "month",
            ("registered", "checked_in", "walk_ins"),
            description=_l("Seats expected at each session, those who came, and walk-ins."),
        ),
        FigureSpec(
            "show_up_rate",
            _l("Show-up rate, by month"),
            _plain(attendance.show_up),
            "line",
            "month",
            ("show_up_rate",),
            percent=("show_up_rate",),
        ),
        FigureSpec(
            "new_vs_returning",
            _l("New and returning families, by month"),
            _plain(attendance.new_vs_returning),
            "bar",
            "month",
            ("new_families", "returning_families"),
        ),
        FigureSpec(
            "events_by_school",
            _l("Events by school"),
            lambda f, s, language: attendance.events_by(f, s, "school"),
            "hbar",
            "school",
            ("events",),
        ),
        FigureSpec(
            "events_by_liaison",
            _l("Events by liaison"),
            lambda f, s, language: attendance.events_by(f, s, "liaison"),
            "hbar",
            "liaison",
            ("events",),
        ),
        FigureSpec(
            "survey_ratings",
            _l("Survey ratings by programme (1 to 5)"),
            lambda f, s, language: attendance.survey_ratings(f, s, language),
            "hbar",
            "programme",
            ("useful", "facilitator", "welcome"),
        ),
        FigureSpec(
            "completion",
            _l("Series completion and homework, by programme"),
            lambda f, s, language: attendance.completion(f, s, language),
            "hbar",
            "programme",
            ("completion_rate", "homework_rate"),
            percent=("completion_rate", "homework_rate"),
        ),
        FigureSpec(
            "facilitator_load",
            _l("Facilitator load now: seats each one leads (at most 40)"),
            _plain(attendance.facilitator_load),
            "hbar",
            "facilitator",
            ("committed", "parents"),
        ),
        FigureSpec(
            "title_one",
            _l("Title I schools reached"),
            _plain(attendance.title_one_coverage),
            "pie",
            "status",
            ("schools",),
        ),
    ),
)

CASE_FILTERS = ("dates", "network", "school", "tier", "category", "language")


def _q(function: Callable[..., Table], **options: Any) -> Query:
    return lambda f, s, language: function(f, s, **options)


CASES = Dashboard(
    slug="cases",
    title=_l("Case volumes"),
    description=_l(
        "New cases by week and month, by tier, category, school, network, channel and "
        "language; the open backlog; service levels met; Tier 1 calls; rising topics."
    ),
    roles=LEADERSHIP,
    filters=CASE_FILTERS,
    figures=(
        FigureSpec(
            "new_by_week",
            _l("New cases by week, by tier"),
            _q(cases.new_cases, period="week"),
            "bar",
            "period_start",
            ("cases",),
            series="tier",
        ),
        FigureSpec(
            "new_by_month",
            _l("New cases by month, by tier"),
            _q(cases.new_cases, period="month"),
            "bar",
            "period_start",
            ("cases",),
            series="tier",
        ),
        FigureSpec(
            "backlog",
            _l("Open backlog"),
            _q(cases.open_backlog),
            "line",
            "day",
            ("open_cases",),
            description=_l("Cases received and not yet resolved, at the end of each week."),
        ),
        FigureSpec(
            "service_levels",
            _l("Service levels met (business days)"),
            _q(cases.service_levels),
            "bar",
            "measure",
            ("rate",),
            percent=("rate",),
        ),
        *(
            FigureSpec(
                f"by_{name}", title, _q(cases.cases_by, dimension=name), "hbar", "label", ("cases",)
            )
            for name, title in (
                ("category", _l("Cases by category")),
                ("tier", _l("Cases by tier")),
                ("channel", _l("Cases by channel")),
                ("language", _l("Cases by language")),
                ("network", _l("Cases by network")),
                ("school", _l("Cases by school")),
            )
        ),
        FigureSpec(
            "quick_logs",
            _l("Tier 1 calls logged, by week"),
            _q(cases.quick_log_volume, period="week"),
            "line",
            "period_start",
            ("calls",),
        ),
        FigureSpec(
            "rising",
            _l("Rising topics: the last full month against the three before"),
            _q(cases.rising_topics),
            "hbar",
            "category",
            ("this_month", "previous_three_avg"),
        ),
    ),
)

MEDIATION = Dashboard(
    slug="mediation",
    title=_l("Mediation outcomes"),
    description=_l(
        "Meetings and mediations held, their outcomes, resolution and escalation rates by "
        "school and network, and the days from intake to a meeting and to resolution."
    ),
    roles=LEADERSHIP,
    filters=CASE_FILTERS,
    figures=(
        FigureSpec(
            "held",
            _l("Meetings and mediations held, by month"),
            _q(mediation.meetings_held, period="month"),
            "bar",
            "period_start",
            ("meetings",),
            series="kind",
        ),
        FigureSpec(
            "outcomes", _l("Outcomes"), _q(mediation.outcome_mix), "pie", "outcome", ("meetings",)
        ),
        FigureSpec(
            "time_to",
            _l("Days from intake (median and 90th percentile)"),
            _q(mediation.time_to),
            "bar",
            "measure",
            ("median_days", "p90_days"),
        ),
        FigureSpec(
            "by_network",
            _l("Resolution and escalation by network"),
            _q(mediation.resolution_by, by="network"),
            "hbar",
            "label",
            ("resolution_rate", "escalation_rate"),
            percent=("resolution_rate", "escalation_rate"),
        ),
        FigureSpec(
            "by_school",
            _l("Resolution and escalation by school"),
            _q(mediation.resolution_by, by="school"),
            "hbar",
            "label",
            ("resolution_rate", "escalation_rate"),
            percent=("resolution_rate", "escalation_rate"),
        ),
    ),
)

DASHBOARDS: dict[str, Dashboard] = {d.slug: d for d in (CASES, MEDIATION, ATTENDANCE)}


def visible_to(user: Any) -> list[Dashboard]:
    return [d for d in DASHBOARDS.values() if user.has_role(*d.roles)]
