"""The figures of the case-volume, mediation-outcome and attendance dashboards, each beside its
plain twin: lists for the Dash callbacks, the benchmark and the tests to walk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.analytics import attendance, cases, mediation
from portal.analytics.tables import Table


@dataclass(frozen=True)
class Figure:
    number: int  # in the dashboards contract
    name: str
    query: Callable[..., Table]  # (filters, scope, **option) -> Table, from the roll-ups
    plain: Callable[..., Table]  # the same Table from the base tables
    options: tuple[dict[str, Any], ...] = ({},)  # the keyword arguments it takes


def _figure(number: int, module, name: str, *options: dict[str, Any]) -> Figure:
    return Figure(
        number,
        name,
        getattr(module, name),
        getattr(module, f"plain_{name}"),
        tuple(options) or ({},),
    )


PERIODS = ({"period": "week"}, {"period": "month"})
FIGURES = (
    _figure(1, cases, "new_cases", *PERIODS),
    _figure(2, cases, "cases_by", *({"dimension": name} for name in cases.DIMENSIONS)),
    _figure(3, cases, "open_backlog"),
    _figure(4, cases, "service_levels"),
    _figure(5, cases, "quick_log_volume", *PERIODS),
    _figure(6, cases, "rising_topics"),
    _figure(7, mediation, "meetings_held", *PERIODS),
    _figure(8, mediation, "outcome_mix"),
    _figure(9, mediation, "resolution_by", {"by": "school"}, {"by": "network"}),
    _figure(10, mediation, "time_to"),
)

LANGUAGES = ({"language": "en"}, {"language": "es"})
ATTENDANCE_FIGURES = (
    _figure(11, attendance, "show_up"),
    _figure(12, attendance, "new_vs_returning"),
    _figure(13, attendance, "events_by", {"by": "school"}, {"by": "liaison"}),
    _figure(14, attendance, "survey_ratings", *LANGUAGES),
    _figure(15, attendance, "completion", *LANGUAGES),
    _figure(16, attendance, "facilitator_load"),
    _figure(17, attendance, "title_one_coverage"),
)
