"""A small fixed set of events, far from the demo data's dates, and a way to call Dash."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.analytics.refresh import refresh
from portal.extensions import db
from portal.families.services import ContactInput
from portal.programmes import attendance
from portal.programmes import registration as reg
from portal.programmes.models import (
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
)
from portal.schools.models import School

# Mondays in March 2031, 6 pm in Denver (MDT from 9 March: 00:00 UTC the next day).
FIRST = datetime(2031, 3, 4, 1, 0, tzinfo=UTC)
MARCH = {"start": date(2031, 3, 1), "end": date(2031, 3, 31)}


@pytest.fixture
def events(app):  # noqa: ANN001, ANN201
    """Healthy Meals at Goldrick, three sessions in March 2031, refreshed into the roll-ups.

    Ana (es), Beto and Carla registered; Dora walked in at the third session.
    Checked in: 1st Ana, Beto; 2nd Ana; 3rd Ana, Beto, Carla and Dora.
    """
    with app.test_request_context():
        programme = db.session.scalars(
            select(Programme).where(Programme.code == "healthy-meals")
        ).one()
        school = db.session.scalars(select(School).where(School.code == "506")).one()
        item = Offering(
            programme=programme,
            school=school,
            capacity=10,
            language=OfferingLanguage.BILINGUAL,
            status=OfferingStatus.OPEN,
            location="Cafeteria",
        )
        for week in range(3):
            item.sessions.append(
                OfferingSession(
                    starts_at=FIRST + timedelta(weeks=week),
                    ends_at=FIRST + timedelta(weeks=week, hours=2),
                )
            )
        db.session.add(item)
        db.session.commit()
        people = {}
        for n, (name, language) in enumerate((("Ana", "es"), ("Beto", "en"), ("Carla", "en"))):
            people[name] = reg.register(
                item.id,
                reg.RegistrationInput(
                    contact=ContactInput(name=name, phone=f"+1720555{8000 + n}"),
                    language=language,
                ),
                today=date(2031, 2, 1),
            ).registration
        sessions = item.sessions
        for session, names in zip(
            sessions, (("Ana", "Beto"), ("Ana",), ("Ana", "Beto", "Carla")), strict=True
        ):
            for name in names:
                attendance.set_checked_in(
                    attendance.Door.of(session), people[name].id, True, actor_id=1
                )
        attendance.walk_in(
            attendance.Door.of(sessions[2]),
            reg.RegistrationInput(contact=ContactInput(name="Dora", phone="+17205558009")),
            actor_id=1,
            today=date(2031, 3, 18),
        )
        refresh()  # the figures read the roll-ups, as the worker would keep them
        return {"offering": item.id, "school": school.id, "network": school.network_id}


def call_dash(  # noqa: ANN201
    client,  # noqa: ANN001
    pathname: str,
    filters: dict[str, object],
    keys: list[str],
    *,
    tables_open: bool = True,
) -> dict:
    """POST the dashboard's callbacks as Dash's renderer would (the URL's, then one per figure);
    the JSON answers merged into one, as the page ends up with them. `tables_open`: whether
    the reader has opened each figure's table ("Show the numbers as a table")."""
    page = client.get(pathname)
    if page.status_code == 403:
        # Not this person's dashboard: the page is refused; the callbacks must be too, so
        # they are posted anyway, with the CSRF cookie from the dashboards' index.
        assert client.get("/dashboards/").status_code == 200
    else:
        assert page.status_code == 200
    token = client.get_cookie("_csrf_token", path="/dashboards/")
    common = {
        "inputs": [
            [
                {"id": {"name": name, "type": "filter"}, "property": "value", "value": value}
                for name, value in filters.items()
            ]
        ],
        "state": [{"id": "url", "property": "pathname", "value": pathname}],
        "changedPropIds": [],
    }
    payloads = [{"output": "url.search", "outputs": {"id": "url", "property": "search"}}]
    for key in keys:
        kinds = (("graph", "figure"), ("table", "children"), ("csv", "href"))
        summary = {"id": {"figure": key, "type": "summary"}, "property": "n_clicks"}
        payloads.append(
            {
                "output": ".."
                + "...".join(f'{{"figure":["MATCH"],"type":"{k}"}}.{p}' for k, p in kinds)
                + "..",
                "outputs": [{"id": {"figure": key, "type": k}, "property": p} for k, p in kinds],
                "state": [*common["state"], {**summary, "value": 1 if tables_open else 0}],
            }
        )
    merged: dict = {"response": {}}
    for payload in payloads:
        response = client.post(
            "/dashboards/_dash-update-component",
            data=json.dumps({**common, **payload}),
            content_type="application/json",
            headers={"X-CSRFToken": token.value if token else ""},
        )
        if response.status_code != 200:
            return {"status": response.status_code, "json": response.get_json(silent=True)}
        merged["response"].update(response.get_json()["response"])
    return {"status": 200, "json": merged}


def table_output(client) -> str:  # noqa: ANN001
    """The output key Dash gave the callback that fills a table when it is opened."""
    dependencies = client.get("/dashboards/_dash-dependencies").get_json()
    return next(
        d["output"]
        for d in dependencies
        if d["output"].startswith('{"figure":["MATCH"],"type":"table"}')
    )


def open_table(  # noqa: ANN201
    client,  # noqa: ANN001
    pathname: str,
    filters: dict[str, object],
    key: str,
    clicks: int = 1,
    output: str | None = None,
):
    """POST what the renderer sends when the reader clicks a figure's "Show the numbers as a
    table" (`clicks` times in all): the response, as the test client gives it."""
    output = output or table_output(client)
    token = client.get_cookie("_csrf_token", path="/dashboards/")
    payload = {
        "output": output,
        "outputs": {"id": {"figure": key, "type": "table"}, "property": output.rsplit(".", 1)[1]},
        "inputs": [
            {"id": {"figure": key, "type": "summary"}, "property": "n_clicks", "value": clicks}
        ],
        "state": [
            [
                {"id": {"name": name, "type": "filter"}, "property": "value", "value": value}
                for name, value in filters.items()
            ],
            {"id": "url", "property": "pathname", "value": pathname},
        ],
        "changedPropIds": [
            json.dumps({"figure": key, "type": "summary"}, separators=(",", ":")) + ".n_clicks"
        ],
    }
    return client.post(
        "/dashboards/_dash-update-component",
        data=json.dumps(payload),
        content_type="application/json",
        headers={"X-CSRFToken": token.value if token else ""},
    )
