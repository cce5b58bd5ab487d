"""The case-volume and mediation dashboards through Dash's HTTP endpoint, for each role."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from dashboards.catalogue import DASHBOARDS
from portal.auth.roles import Role
from portal.extensions import db
from tests.concerns.conftest import submit  # noqa: F401 - a fixture, re-exported
from tests.conftest import demo_email
from tests.dashboards.conftest import call_dash

FILTERS = {"start": "2025-11-24", "end": "2026-11-23"}


@pytest.mark.parametrize("slug", ["cases", "mediation"])
@pytest.mark.parametrize(
    "role,status",
    [
        (Role.SENIOR_MANAGER, 200),
        (Role.SUPERINTENDENT, 200),
        (Role.ANALYST, 200),
        (Role.PROGRAMME_STAFF, 403),
    ],
)
def test_every_figure_answers_for_those_allowed(app, as_role, slug, role, status):
    from portal.analytics.refresh import refresh

    with app.app_context():
        refresh(full=True)
    keys = [spec.key for spec in DASHBOARDS[slug].figures]
    answer = call_dash(as_role(role), f"/dashboards/{slug}", FILTERS, keys)
    assert answer["status"] == status
    if status == 200:
        response = answer["json"]["response"]
        for key in keys:
            assert f'{{"figure":"{key}","type":"graph"}}' in response
            link = response[f'{{"figure":"{key}","type":"csv"}}']["href"]
            assert link.startswith(f"/dashboards/export/{slug}/{key}.csv?start=2025-11-24")


def test_a_filed_case_shows_in_the_csv_for_the_senior_manager(app, as_role, submit):  # noqa: F811
    from portal.analytics.refresh import refresh
    from tests.concerns.conftest import MONDAY

    submit()
    with app.app_context():
        refresh(full=True)
    client = as_role(Role.SENIOR_MANAGER)
    day = MONDAY.isoformat()
    csv = client.get(f"/dashboards/export/cases/by_tier.csv?start={day}&end={day}")
    assert csv.status_code == 200
    lines = csv.get_data(as_text=True).strip().splitlines()
    assert lines[1:] in (["Nivel 2,1"], ["Tier 2,1"])  # a concern starts at Tier 2


@pytest.mark.parametrize("slug", ["cases", "mediation"])
def test_tier_and_category_are_filters_kept_in_the_address(app, as_role, slug):
    from portal.knowledge.models import Category

    with app.app_context():
        category = db.session.scalars(select(Category).order_by(Category.id)).first()
        wanted = category.id
        # Typed as the box offers them: a tier's name, a category's name in either language.
        chosen = {**FILTERS, "tier": "Tier 2", "category": category.name_es.upper()}
    answer = call_dash(as_role(Role.SENIOR_MANAGER), f"/dashboards/{slug}", chosen, [])
    assert answer["status"] == 200
    search = answer["json"]["response"]["url"]["search"]
    assert f"tier=2&category={wanted}" in search
    # ... and the page drawn from that address shows them in its boxes.
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from dashboards.pages import render
        from portal.auth.models import User

        email = demo_email(Role.SENIOR_MANAGER)
        user = db.session.scalars(select(User).where(User.email == email)).one()
        boxes = _boxes(render(f"/dashboards/{slug}", search, user))
    assert boxes["tier"] == "Tier 2"
    assert boxes["category"] == category.name_en


def _boxes(component) -> dict[str, str]:  # noqa: ANN001
    """The filter boxes of a page's components, by name, with what each holds."""
    return {_filter_name(c): c.value for c in _components(component) if _filter_name(c)}


def test_what_a_box_holds_that_matches_nothing_is_said_not_ignored(app):
    from dashboards.pages import problems

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert problems({"school": "No such school", "start": "07/01/2026", "end": ""}) == {
            "school": "No school is called “No such school”: the charts show every school.",
            "start": "Write the date as YYYY-MM-DD, for example 2026-07-01.",
        }
        swapped = problems({"start": "2026-06-01", "end": "2026-01-01"})
        assert list(swapped) == ["end"]
        # Names in either language, any case, and numbers are understood: nothing to say.
        assert problems({"tier": "nivel 2", "category": "1", "language": "Español"}) == {}


def test_the_boxes_say_what_they_could_not_use_through_dash(app, as_role):
    client = as_role(Role.SENIOR_MANAGER)
    assert client.get("/dashboards/cases").status_code == 200
    dependencies = client.get("/dashboards/_dash-dependencies").get_json()
    output = next(d["output"] for d in dependencies if '"type":"feedback"' in d["output"])
    names = ["start", "end", "school"]
    values = ["2026-01-01", "2026-06-30", "Sunny"]
    payload = {
        "output": output,
        "outputs": [
            [{"id": {"name": n, "type": "feedback"}, "property": "children"} for n in names],
            [{"id": {"name": n, "type": "filter"}, "property": "className"} for n in names],
        ],
        "inputs": [
            [
                {"id": {"name": n, "type": "filter"}, "property": "value", "value": v}
                for n, v in zip(names, values, strict=True)
            ]
        ],
        "state": [{"id": "url", "property": "pathname", "value": "/dashboards/cases"}],
        "changedPropIds": [],
    }
    token = client.get_cookie("_csrf_token", path="/dashboards/")
    answer = client.post(
        "/dashboards/_dash-update-component",
        data=json.dumps(payload),
        content_type="application/json",
        headers={"X-CSRFToken": token.value},
    )
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "Sunny" in text and "form-control is-invalid" in text
    assert text.count("is-invalid") == 1


def test_a_superintendent_is_told_a_school_is_outside_their_network(app):
    from dashboards.pages import problems
    from portal.schools.models import School

    with app.test_request_context(headers={"Accept-Language": "en"}):
        ours = db.session.scalars(select(School).where(School.network_id.is_not(None))).first()
        theirs = db.session.scalars(
            select(School).where(School.network_id != ours.network_id)
        ).first()
        assert problems({"school": theirs.name}, ours.network_id) == {
            "school": f"{theirs.name} is not in your network: there is nothing of it to show."
        }
        assert problems({"school": ours.name}, ours.network_id) == {}
        assert problems({"school": theirs.name}) == {}  # no network forced: any school


def test_the_date_boxes_do_not_ask_a_phone_for_a_keypad_without_a_hyphen(app):
    from dashboards.pages import render
    from portal.auth.models import User

    with app.test_request_context(headers={"Accept-Language": "en"}):
        email = demo_email(Role.SENIOR_MANAGER)
        user = db.session.scalars(select(User).where(User.email == email)).one()
        page = render("/dashboards/cases", "", user)
        dates = [c for c in _components(page) if _filter_name(c) in ("start", "end")]
    assert len(dates) == 2
    assert all(getattr(box, "inputMode", None) in (None, "text") for box in dates)


def _filter_name(component) -> str | None:  # noqa: ANN001
    ident = getattr(component, "id", None)
    return ident.get("name") if isinstance(ident, dict) and ident.get("type") == "filter" else None


def _components(component):  # noqa: ANN001, ANN202
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            yield from _components(child)
