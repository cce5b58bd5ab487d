"""Who sees what: scope by role, the superintendent's network, analysts' small-count rule."""

from __future__ import annotations

from dataclasses import replace

import pytest

from portal.analytics import cases, mediation
from portal.analytics.filters import NO_NETWORK, NoDashboardAccess, Scope, select_for
from portal.analytics.refresh import refresh
from portal.auth.roles import Role
from portal.concerns.models import Status
from tests.analytics.conftest import OCTOBER, d, utc

ANALYST = Scope(suppress_small=True)
TRANSPORT = "Bus and transportation"
BULLYING = "Bullying and safety at school"


def test_scope_for_each_role(district, make_user):
    assert Scope.for_user(make_user(Role.SENIOR_MANAGER)) == Scope()
    assert Scope.for_user(make_user(Role.PROGRAMME_STAFF)) == Scope()
    assert Scope.for_user(make_user(Role.ADMIN)) == Scope()
    assert Scope.for_user(make_user(Role.ANALYST)) == Scope(suppress_small=True)
    leader = make_user(Role.SUPERINTENDENT, network_id=district.ne)
    assert Scope.for_user(leader) == Scope(network_id=district.ne)
    # A district-wide role held beside it sees the whole district.
    both = make_user(Role.SUPERINTENDENT, Role.SENIOR_MANAGER)
    assert Scope.for_user(both) == Scope()


def test_a_superintendent_who_leads_no_network_sees_nothing(ledger, make_user):
    scope = Scope.for_user(make_user(Role.SUPERINTENDENT))
    assert scope.network_id == NO_NETWORK
    refresh()
    assert cases.new_cases(OCTOBER, scope).rows == []
    assert cases.plain_new_cases(OCTOBER, scope).rows == []


@pytest.mark.parametrize("role", [Role.LIAISON, Role.SPECIALIST, Role.FAMILY, Role.CASEWORKER])
def test_other_roles_have_no_dashboard_scope(district, make_user, role):
    with pytest.raises(NoDashboardAccess):
        Scope.for_user(make_user(role))


def test_the_scopes_network_overrides_the_filter(district):
    f = replace(OCTOBER, network_id=district.ne)
    assert select_for(f, Scope(network_id=district.nw)).network_id == district.nw
    assert select_for(f, Scope()).network_id == district.ne


@pytest.fixture
def crowd(district, make_case):
    """Twelve transport cases at school 101 (ten resolved in two days), three bullying cases
    there (one escalated), and five transport cases at 201 the week after."""
    for n in range(12):
        resolved = n < 10
        make_case(
            d(10, 6), district.transport, district.s101,
            status=Status.RESOLVED if resolved else Status.IN_PROGRESS,
            resolved_at=utc(d(10, 8), 18) if resolved else None,
        )  # fmt: skip
    for n in range(3):
        make_case(
            d(10, 7), district.bullying, district.s101,
            escalation_target="superintendent" if n == 0 else None,
        )  # fmt: skip
    for _ in range(5):
        make_case(d(10, 14), district.transport, district.s201)
    refresh()
    return district


def both(module, name, f, s, **kwargs):
    figure = getattr(module, name)(f, s, **kwargs)
    assert figure == getattr(module, f"plain_{name}")(f, s, **kwargs)
    return figure.rows


def test_analysts_see_counts_under_ten_as_none(crowd):
    assert both(cases, "cases_by", OCTOBER, ANALYST, dimension="category") == [
        (TRANSPORT, 17),
        (BULLYING, None),
    ]
    assert both(cases, "new_cases", OCTOBER, ANALYST, period="week") == [
        (d(10, 6), 2, 15),
        (d(10, 13), 2, None),
    ]
    # Everyone else sees the real numbers.
    assert both(cases, "cases_by", OCTOBER, Scope(), dimension="category") == [
        (TRANSPORT, 17),
        (BULLYING, 3),
    ]


def test_analysts_see_no_rate_over_a_small_count(crowd):
    assert both(mediation, "resolution_by", OCTOBER, ANALYST, by="school") == [
        # 10 of 15 resolved: hidden too, with its rate, as 15 - 10 would give back the 5 not
        # resolved. 1 escalated: hidden, and so is its rate, which would give the count back.
        ("César Chávez Elementary", 15, None, None, None, None),
        # 5 cases: every count and every rate hidden.
        ("Montbello Community Elementary", None, None, None, None, None),
    ]
    assert both(mediation, "resolution_by", OCTOBER, Scope(), by="school")[1] == (
        "Montbello Community Elementary", 5, 0, 0.0, 0, 0.0
    )  # fmt: skip


def test_analysts_see_no_percentile_of_fewer_than_ten_cases(crowd):
    assert both(mediation, "time_to", OCTOBER, ANALYST) == [
        ("intake_to_meeting", None, None),
        ("intake_to_resolution", 2.0, 2.0),  # ten cases, two days each
    ]
    school = replace(OCTOBER, school_id=crowd.s201)
    assert both(cases, "service_levels", school, ANALYST) == [
        ("acknowledged", None, None, None),
        ("first_contact", None, None, None),
        ("resolved", None, None, None),
    ]


def test_analysts_see_small_topics_hidden(crowd):
    assert both(cases, "rising_topics", OCTOBER, ANALYST) == [
        (TRANSPORT, 17, None, None),  # nothing in the three months before: fewer than ten
        (BULLYING, None, None, None),
    ]


def test_a_count_beside_its_whole_is_hidden_when_the_rest_is_small():
    from portal.analytics.tables import part, rate

    # 124 cases, 122 resolved: the 2 others would be a subtraction away.
    assert part(122, 124, True) is None and rate(122, 124, True) is None
    assert part(100, 124, True) == 100 and rate(100, 124, True) == pytest.approx(100 / 124)
    assert part(122, 124, False) == 122  # everyone else sees every number
    assert part(5, 124, True) is None  # small itself, as before
