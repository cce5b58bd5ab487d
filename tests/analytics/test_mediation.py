"""Mediation outcomes (figures 7-10) against the hand-worked ledger in conftest.py."""

from __future__ import annotations

from dataclasses import replace

import pytest

from portal.analytics import mediation
from portal.analytics.filters import Filters, Scope
from portal.analytics.refresh import refresh
from portal.analytics.tables import NOT_APPLICABLE
from tests.analytics.conftest import OCTOBER, d

ALL = Scope()
ANALYST = Scope(suppress_small=True)


@pytest.fixture
def refreshed(ledger):
    refresh()
    return ledger


def both(name: str, f: Filters, s: Scope, **kwargs):
    figure = getattr(mediation, name)(f, s, **kwargs)
    assert figure == getattr(mediation, f"plain_{name}")(f, s, **kwargs)
    return figure.rows


def test_meetings_held_by_district_day(refreshed):
    # M2 has no outcome but its time has passed: held. M4 is in 2099: not held. M5 was at
    # 03:00 UTC on Monday the 20th, still Sunday the 19th in Denver: the week of the 13th.
    assert both("meetings_held", OCTOBER, ALL, period="week") == [
        (d(10, 6), "facilitated", 1),
        (d(10, 13), "facilitated", 1),
        (d(10, 13), "mediation", 2),
    ]
    assert both("meetings_held", OCTOBER, ALL, period="month") == [
        (d(10, 1), "facilitated", 2),
        (d(10, 1), "mediation", 2),
    ]


def test_outcome_mix_counts_recorded_outcomes_in_a_fixed_order(refreshed):
    assert both("outcome_mix", OCTOBER, ALL) == [
        ("agreement", 1),
        ("no_agreement", 1),
        ("family_absent", 1),
    ]


def test_resolution_and_escalation_by_school(refreshed):
    assert both("resolution_by", OCTOBER, ALL, by="school") == [
        ("César Chávez Elementary", 2, 1, 0.5, 0, 0.0),
        ("Montbello Community Elementary", 2, 0, 0.0, 1, 0.5),
        ("Sunnyside Elementary", 1, 1, 1.0, 0, 0.0),  # closed counts as resolved
        (None, 1, 0, 0.0, 0, 0.0),
    ]


def test_resolution_and_escalation_by_network(refreshed):
    rows = both("resolution_by", OCTOBER, ALL, by="network")
    assert rows == [
        ("Northwest Network", 3, 2, pytest.approx(2 / 3), 0, 0.0),
        ("Northeast Network", 2, 0, 0.0, 1, 0.5),
        (None, 1, 0, 0.0, 0, 0.0),
    ]


def test_time_to_meeting_and_resolution(refreshed):
    # To the first meeting held: C1 4 days, C4 5 (the 19th in Denver), C2 6.
    # To resolution: C3 5 days, C1 10.
    assert both("time_to", OCTOBER, ALL) == [
        ("intake_to_meeting", 5.0, pytest.approx(5.8)),
        ("intake_to_resolution", 7.5, pytest.approx(9.5)),
    ]


def test_time_to_with_nothing_to_measure(refreshed):
    f = replace(OCTOBER, school_id=refreshed.s103, tier=2)
    # No case to measure: nothing to show, which is not "fewer than 10" (None) to a manager.
    assert both("time_to", f, ALL) == [
        ("intake_to_meeting", NOT_APPLICABLE, NOT_APPLICABLE),
        ("intake_to_resolution", NOT_APPLICABLE, NOT_APPLICABLE),
    ]
    # An analyst is told it is fewer than 10, as for any count under ten.
    assert both("time_to", f, ANALYST) == [
        ("intake_to_meeting", None, None),
        ("intake_to_resolution", None, None),
    ]


def test_filters_reach_meetings_through_their_case(refreshed):
    spanish = replace(OCTOBER, language="es")  # C1 is the only Spanish case with meetings
    assert both("meetings_held", spanish, ALL, period="month") == [
        (d(10, 1), "facilitated", 1),
        (d(10, 1), "mediation", 1),
    ]
    northeast = Scope(network_id=refreshed.ne)
    assert both("outcome_mix", OCTOBER, northeast) == [("family_absent", 1)]
    assert both("time_to", OCTOBER, northeast) == [
        ("intake_to_meeting", 5.0, 5.0),
        ("intake_to_resolution", NOT_APPLICABLE, NOT_APPLICABLE),
    ]


def test_bad_grouping_is_refused(refreshed):
    with pytest.raises(ValueError):
        mediation.resolution_by(OCTOBER, ALL, by="category")
