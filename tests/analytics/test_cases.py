"""Case volumes (figures 1-6) against the hand-worked ledger in conftest.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from portal.analytics import cases
from portal.analytics.filters import Filters, Scope
from portal.analytics.refresh import refresh
from portal.analytics.tables import NOT_APPLICABLE
from tests.analytics.conftest import OCTOBER, d

ALL = Scope()
TRANSPORT = "Bus and transportation"
BULLYING = "Bullying and safety at school"


@pytest.fixture
def refreshed(ledger):
    refresh()
    return ledger


def both(name: str, f: Filters, s: Scope, **kwargs):
    """The figure, after checking that its plain twin agrees."""
    figure = getattr(cases, name)(f, s, **kwargs)
    assert figure == getattr(cases, f"plain_{name}")(f, s, **kwargs)
    return figure.rows


def test_new_cases_by_week_and_month(refreshed):
    assert both("new_cases", OCTOBER, ALL, period="week") == [
        (d(10, 6), 1, 1),
        (d(10, 6), 2, 2),
        (d(10, 13), 2, 1),
        (d(10, 13), 3, 1),
        (d(10, 20), 2, 1),
    ]
    assert both("new_cases", OCTOBER, ALL, period="month") == [
        (d(10, 1), 1, 1),
        (d(10, 1), 2, 4),
        (d(10, 1), 3, 1),
    ]


def test_new_cases_columns_are_stable_keys(refreshed):
    assert cases.new_cases(OCTOBER, ALL).columns == ("period_start", "tier", "cases")


def test_cases_by_each_dimension(refreshed):
    assert both("cases_by", OCTOBER, ALL, dimension="tier") == [(2, 4), (1, 1), (3, 1)]
    assert both("cases_by", OCTOBER, ALL, dimension="category") == [(TRANSPORT, 4), (BULLYING, 2)]
    assert both("cases_by", OCTOBER, ALL, dimension="school") == [
        ("César Chávez Elementary", 2),
        ("Montbello Community Elementary", 2),
        ("Sunnyside Elementary", 1),
        (None, 1),  # no school recorded
    ]
    assert both("cases_by", OCTOBER, ALL, dimension="network") == [
        ("Northwest Network", 3),
        ("Northeast Network", 2),
        (None, 1),
    ]
    assert both("cases_by", OCTOBER, ALL, dimension="channel") == [
        ("phone", 2),
        ("web", 2),
        ("email", 1),
        ("liaison", 1),
    ]
    assert both("cases_by", OCTOBER, ALL, dimension="language") == [("es", 3), ("en", 2), ("vi", 1)]


def test_category_names_follow_the_viewers_language(app, refreshed):
    with app.test_request_context(headers={"Accept-Language": "es"}):
        rows = cases.cases_by(OCTOBER, ALL, dimension="category").rows
    assert rows == [("Autobús y transporte", 4), ("Acoso escolar y seguridad en la escuela", 2)]


def test_open_backlog_counts_cases_not_ended_by_each_week_end(refreshed):
    assert both("open_backlog", OCTOBER, ALL) == [
        (d(10, 5), 0),  # the earlier cases all ended before October
        (d(10, 12), 3),  # C1-C3
        (d(10, 19), 3),  # + C4, C5; C1 ended 10-16, C3 on 10-13 (resolved before closed)
        (d(10, 26), 4),  # + C6
        (d(10, 31), 4),  # the range's last day
    ]


def test_open_backlog_counts_cases_received_before_the_range(refreshed):
    f = Filters(start=d(10, 13), end=d(10, 19))
    assert both("open_backlog", f, ALL) == [(d(10, 19), 3)]
    f = Filters(start=d(10, 13), end=d(10, 15))
    # C1 and C2 from before the range are open; C3 ended on the 13th; C4 and C5 came in.
    assert both("open_backlog", f, ALL) == [(d(10, 15), 4)]


def test_service_levels_against_stored_due_dates_in_district_days(refreshed):
    # C6's targets are all still pending: it counts in no total. C1 was acknowledged at 03:00
    # UTC the day after its due date, 21:00 on the due date in Denver: on time.
    assert both("service_levels", OCTOBER, ALL) == [
        ("acknowledged", 2, 4, 0.5),
        ("first_contact", 1, 4, 0.25),
        ("resolved", 1, 5, 0.2),
    ]


def test_service_levels_of_an_empty_selection(refreshed):
    f = Filters(start=date(2024, 1, 1), end=date(2024, 1, 31))
    # Nothing to divide: no rate at all, which is not "fewer than 10" (None).
    assert both("service_levels", f, ALL) == [
        ("acknowledged", 0, 0, NOT_APPLICABLE),
        ("first_contact", 0, 0, NOT_APPLICABLE),
        ("resolved", 0, 0, NOT_APPLICABLE),
    ]


def test_quick_log_volume_by_district_day(refreshed):
    # Q2 was logged at 05:00 UTC on the 7th: the 6th in Denver. Q4 is in November.
    assert both("quick_log_volume", OCTOBER, ALL, period="week") == [(d(10, 6), 2), (d(10, 13), 1)]
    assert both("quick_log_volume", OCTOBER, ALL, period="month") == [(d(10, 1), 3)]
    spanish = replace(OCTOBER, language="es")
    assert both("quick_log_volume", spanish, ALL, period="week") == [(d(10, 6), 1), (d(10, 13), 1)]


def test_quick_logs_are_tier_1(refreshed):
    assert both("quick_log_volume", replace(OCTOBER, tier=1), ALL) == [
        (d(10, 6), 2),
        (d(10, 13), 1),
    ]
    assert both("quick_log_volume", replace(OCTOBER, tier=2), ALL) == []


def test_rising_topics_this_month_against_the_three_before(refreshed):
    assert both("rising_topics", OCTOBER, ALL) == [
        (TRANSPORT, 4, 0.33, 3.67),
        (BULLYING, 2, 0.67, 1.33),
        ("Attendance and absences", 0, 0.33, -0.33),
    ]


def test_language_filter(refreshed):
    spanish = replace(OCTOBER, language="es")
    assert both("cases_by", spanish, ALL, dimension="tier") == [(2, 2), (1, 1)]
    assert both("new_cases", spanish, ALL, period="month") == [(d(10, 1), 1, 1), (d(10, 1), 2, 2)]


def test_network_scope(refreshed):
    northwest = Scope(network_id=refreshed.nw)
    assert both("new_cases", OCTOBER, northwest, period="month") == [
        (d(10, 1), 1, 1),
        (d(10, 1), 2, 2),
    ]
    assert both("cases_by", OCTOBER, northwest, dimension="school") == [
        ("César Chávez Elementary", 2),
        ("Sunnyside Elementary", 1),
    ]


def test_superintendent_scope_wins_over_the_network_filter(refreshed):
    northwest = Scope(network_id=refreshed.nw)
    asks_for_northeast = replace(OCTOBER, network_id=refreshed.ne)
    assert both("cases_by", asks_for_northeast, northwest, dimension="network") == [
        ("Northwest Network", 3)
    ]
    a_northeast_school = replace(OCTOBER, school_id=refreshed.s201)
    assert both("cases_by", a_northeast_school, northwest, dimension="school") == []
    assert both("open_backlog", a_northeast_school, northwest)[-1] == (d(10, 31), 0)


def test_school_filter(refreshed):
    school = replace(OCTOBER, school_id=refreshed.s101)
    assert both("cases_by", school, ALL, dimension="category") == [(BULLYING, 1), (TRANSPORT, 1)]
    assert both("service_levels", school, ALL)[0] == ("acknowledged", 1, 2, 0.5)


def test_bad_period_or_dimension_is_refused(refreshed):
    with pytest.raises(ValueError):
        cases.new_cases(OCTOBER, ALL, period="day")
    with pytest.raises(KeyError):
        cases.cases_by(OCTOBER, ALL, dimension="colour")


def test_a_backwards_range_is_empty(refreshed):
    backwards = Filters(start=d(10, 31), end=d(10, 1))
    assert both("new_cases", backwards, ALL) == []
    assert both("open_backlog", backwards, ALL) == []
    assert both("cases_by", backwards, ALL, dimension="tier") == []


def test_rising_topics_of_a_range_ending_mid_month_take_the_last_whole_month(refreshed):
    # A range ending on 12 November: November is under way, so October, the last whole month,
    # is set against the three before it, as for a range ending on 31 October.
    november = replace(OCTOBER, end=date(2025, 11, 12))
    assert both("rising_topics", november, ALL) == both("rising_topics", OCTOBER, ALL)
