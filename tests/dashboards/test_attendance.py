"""Liaison event attendance: each figure against hand-computed numbers, then through Dash."""

from __future__ import annotations

import pytest

from portal.analytics import attendance
from portal.analytics.filters import Filters, Scope
from portal.analytics.tables import NOT_APPLICABLE
from portal.auth.roles import Role
from tests.dashboards.conftest import MARCH, call_dash, open_table, table_output

EVERYONE = Scope()
ANALYST = Scope(suppress_small=True)


@pytest.fixture
def march(events):  # noqa: ANN001, ANN201
    return Filters(start=MARCH["start"], end=MARCH["end"], school_id=events["school"])


def test_show_up_counts_seats_expected_those_who_came_and_walk_ins(app_ctx, march):
    table = attendance.show_up(march, EVERYONE)
    # Three registered × three sessions = 9 seats expected; 2 + 1 + 3 came; Dora walked in.
    assert table.rows == [("2031-03-01", 9, 6, 1, pytest.approx(6 / 9))]


def test_counts_under_ten_are_hidden_from_analysts(app_ctx, march):
    table = attendance.show_up(march, ANALYST)
    assert table.rows == [("2031-03-01", None, None, None, None)]


def test_language_narrows_to_those_who_registered_in_it(app_ctx, events):
    spanish = Filters(
        start=MARCH["start"], end=MARCH["end"], school_id=events["school"], language="es"
    )
    assert attendance.show_up(spanish, EVERYONE).rows == [("2031-03-01", 3, 3, 0, 1.0)]


def test_everyone_is_new_the_first_month(app_ctx, march):
    assert attendance.new_vs_returning(march, EVERYONE).rows == [("2031-03-01", 4, 0)]


def test_completion_takes_every_session_of_a_three_session_series(app_ctx, march):
    # 5 of 6, rounded up, of 3 sessions is 3: only Ana came to all three.
    table = attendance.completion(march, EVERYONE)
    # It sets no homework: its homework rate is not applicable, not "fewer than 10" (None).
    assert table.rows == [("Healthy Meals Challenge", 4, 1, 0.25, NOT_APPLICABLE)]


def test_events_by_school(app_ctx, march):
    table = attendance.events_by(march, EVERYONE, "school")
    assert table.rows == [("Goldrick Elementary", 1)]


def test_a_superintendent_of_another_network_sees_none_of_it(app_ctx, events):
    other = Scope(network_id=events["network"] + 1000)
    march = Filters(start=MARCH["start"], end=MARCH["end"], network_id=events["network"])
    assert attendance.show_up(march, other).rows == []


def test_outside_the_range_there_is_nothing(app_ctx, events):
    from datetime import date

    april = Filters(start=date(2031, 4, 1), end=date(2031, 4, 30), school_id=events["school"])
    assert attendance.show_up(april, EVERYONE).rows == []


def test_the_callback_answers_figures_tables_and_links(as_role, events):
    client = as_role(Role.PROGRAMME_STAFF)
    filters = {"start": "2031-03-01", "end": "2031-03-31", "school": events["school"]}
    answer = call_dash(client, "/dashboards/attendance", filters, ["show_up", "events_by_school"])
    assert answer["status"] == 200, answer
    response = answer["json"]["response"]
    assert response["url"]["search"].startswith("?start=2031-03-01&end=2031-03-31")
    graph = response['{"figure":"show_up","type":"graph"}']["figure"]
    assert graph["data"][0]["y"] == [9]
    table = str(response['{"figure":"show_up","type":"table"}']["children"])
    assert "66.7" in table or "66,7" in table
    link = response['{"figure":"events_by_school","type":"csv"}']["href"]
    assert link.startswith("/dashboards/export/attendance/events_by_school.csv?start=2031-03-01")
    csv = client.get(link)
    assert csv.status_code == 200
    assert "Goldrick Elementary,1" in csv.get_data(as_text=True)


def test_a_closed_table_is_not_built_until_it_is_opened(as_role, events):
    client = as_role(Role.PROGRAMME_STAFF)
    filters = {"start": "2031-03-01", "end": "2031-03-31", "school": events["school"]}
    answer = call_dash(client, "/dashboards/attendance", filters, ["show_up"], tables_open=False)
    response = answer["json"]["response"]
    assert response['{"figure":"show_up","type":"graph"}']["figure"]["data"][0]["y"] == [9]
    closed = str(response['{"figure":"show_up","type":"table"}']["children"])
    assert "Loading the table" in closed and "66.7" not in closed
    opened = open_table(client, "/dashboards/attendance", filters, "show_up", clicks=1)
    assert opened.status_code == 200
    table = str(opened.get_json()["response"])
    assert "66.7" in table and "Registered and checked in, by month" in table
    # Closing it again (a second click) asks for nothing new.
    assert (
        open_table(client, "/dashboards/attendance", filters, "show_up", clicks=2).status_code
        == 204
    )


def test_an_opened_table_keeps_an_analysts_small_counts_hidden(as_role, events):
    client = as_role(Role.ANALYST)
    filters = {"start": "2031-03-01", "end": "2031-03-31", "school": events["school"]}
    client.get("/dashboards/attendance")
    table = str(open_table(client, "/dashboards/attendance", filters, "show_up").get_json())
    assert "fewer than 10" in table
    assert "9" not in table.replace("2031", "")


def test_a_role_without_the_dashboard_cannot_open_a_table(as_role, events):
    output = table_output(as_role(Role.PROGRAMME_STAFF))
    specialist = as_role(Role.SPECIALIST)
    filters = {"start": "2031-03-01", "end": "2031-03-31"}
    answer = open_table(specialist, "/dashboards/attendance", filters, "show_up", output=output)
    assert answer.status_code == 403
    assert b"Registered" not in answer.data


def test_an_analyst_gets_fewer_than_10_in_the_table_and_the_csv(as_role, events):
    client = as_role(Role.ANALYST)
    filters = {"start": "2031-03-01", "end": "2031-03-31", "school": events["school"]}
    answer = call_dash(client, "/dashboards/attendance", filters, ["show_up"])
    table = str(answer["json"]["response"]['{"figure":"show_up","type":"table"}']["children"])
    assert "fewer than 10" in table or "menos de 10" in table
    assert "9" not in table.replace("2031", "")
    csv = client.get(
        f"/dashboards/export/attendance/show_up.csv?start=2031-03-01&end=2031-03-31&school={events['school']}"
    ).get_data(as_text=True)
    assert ",9," not in csv


def test_a_role_without_the_dashboard_gets_403_from_the_callback(as_role, events):
    client = as_role(Role.SPECIALIST)
    assert client.post("/dashboards/_dash-update-component", json={}).status_code == 403
    assert client.get("/dashboards/export/attendance/show_up.csv").status_code == 403


def test_a_rate_would_give_a_hidden_count_back_so_it_is_hidden_too():
    from portal.analytics.tables import rate

    assert rate(3, 12, suppress=True) is None  # 12 × 25 % = 3, a count under 10
    assert rate(30, 120, suppress=True) == 0.25
    assert rate(3, 12, suppress=False) == 0.25


def test_odd_dates_in_the_address_never_break_the_dashboards(as_role):
    from datetime import date

    from dashboards import urlstate

    assert urlstate.default_range(date(2028, 2, 29))[0] < date(2028, 2, 29)
    client = as_role(Role.PROGRAMME_STAFF)
    for query in ("end=9999-12-31", "start=0001-01-01", "start=banana&end=2031-13-45"):
        response = client.get(f"/dashboards/export/attendance/show_up.csv?{query}")
        assert response.status_code == 200, query


def test_the_csv_is_audited_and_never_a_spreadsheet_formula(app, as_role, make_user, events):
    from sqlalchemy import select

    from dashboards.export import _cell
    from portal.audit.models import AuditEvent
    from portal.extensions import db

    assert _cell("=HYPERLINK(1)", {}, "") == "'=HYPERLINK(1)"
    assert _cell("@SUM(A1)", {}, "") == "'@SUM(A1)"
    assert _cell("Goldrick Elementary", {}, "") == "Goldrick Elementary"
    client = as_role(Role.PROGRAMME_STAFF)
    client.get("/dashboards/export/attendance/show_up.csv?start=2031-03-01&end=2031-03-31")
    with app.app_context():
        row = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "dashboard.exported")
        ).first()
        assert row is not None and row.detail["filters"]["start"] == "2031-03-01"
