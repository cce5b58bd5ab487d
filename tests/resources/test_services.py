"""The directory's rules: open now, search, staleness, web addresses, saving."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.resources import hours, services
from portal.resources.models import Need, Resource
from tests.conftest import DEMO_TODAY
from tests.resources.conftest import listing

MONDAY = datetime(2026, 11, 23)  # a Monday, district wall-clock time


def at(day_offset: int, clock: str) -> datetime:
    hh, mm = map(int, clock.split(":"))
    return MONDAY + timedelta(days=day_offset, hours=hh, minutes=mm)


def found(flt: services.DirectoryFilter, local_now: datetime = MONDAY) -> list[str]:
    query = services.search(flt, local_now=local_now, language="en")
    return [r.name_en for r in db.session.scalars(query)]


@pytest.fixture
def week(app_ctx):  # noqa: ANN001, ANN201
    """A day service, a shelter open past midnight, a 24-hour line, appointments only."""
    return {
        "day": listing("Day Pantry", openings=((0, "09:00", "12:00"), (0, "13:00", "17:00"))),
        "night": listing("Night Shelter", needs=(Need.HOUSING,), openings=((6, "19:00", "07:00"),)),
        "always": listing(
            "Crisis Line", needs=(Need.MENTAL_HEALTH,), openings=((2, "00:00", "00:00"),)
        ),
        "appointments": listing("Lawyer", needs=(Need.LEGAL,), by_appointment=True),
    }


@pytest.mark.parametrize(
    ("moment", "open_names"),
    [
        (at(0, "08:59"), set()),
        (at(0, "09:00"), {"Day Pantry"}),
        (at(0, "12:30"), set()),  # the lunch break between two openings
        (at(0, "16:59"), {"Day Pantry"}),
        (at(0, "17:00"), set()),
        (at(6, "18:59"), set()),
        (at(6, "23:30"), {"Night Shelter"}),
        (at(7, "06:59"), {"Night Shelter"}),  # Sunday night runs into Monday morning
        (at(7, "07:00"), set()),
        (at(2, "00:00"), {"Crisis Line"}),
        (at(2, "23:59"), {"Crisis Line"}),
        (at(3, "00:00"), set()),
    ],
)
def test_open_now_in_python_and_in_sql_agree(week, moment, open_names):
    in_python = {r.name_en for r in week.values() if hours.is_open_at(r, moment)}
    in_sql = set(found(services.DirectoryFilter(open_now=True), moment))
    assert in_python == in_sql == open_names


def test_appointment_only_listing_is_never_open_but_still_listed(week):
    assert not hours.is_open_at(week["appointments"], at(0, "10:00"))
    assert "Lawyer" in found(services.DirectoryFilter())


def test_closing_time_and_next_opening(week):
    assert hours.closes_at(week["day"], at(0, "10:00")) == 12 * 60
    assert hours.next_opening(week["day"], at(0, "12:30")) == (0, 13 * 60, 0)
    assert hours.next_opening(week["day"], at(0, "18:00")) == (0, 9 * 60, 7)
    assert hours.next_opening(week["night"], at(5, "10:00")) == (6, 19 * 60, 1)
    assert hours.closes_at(week["always"], at(2, "10:00")) is None  # all day: nothing to say


def test_week_reads_in_the_language(week):
    english = hours.week(week["night"], "en")
    spanish = hours.week(week["night"], "es")
    assert english[6].name == "Sunday" and spanish[6].name == "Domingo"
    assert english[6].spans == [("7:00\u202fPM", "7:00\u202fAM", True, False)]
    assert spanish[6].spans == [("19:00", "7:00", True, False)]
    assert hours.week(week["always"], "en")[2].spans[0][3] is True


def test_overlapping_or_empty_openings_are_refused():
    from datetime import time

    with pytest.raises(ValueError, match="overlapping"):
        hours.check_openings(
            [hours.Opening(0, time(9), time(12)), hours.Opening(0, time(11), time(14))]
        )
    with pytest.raises(ValueError, match="empty"):
        hours.check_openings([hours.Opening(0, time(9), time(9))])


def test_search_folds_case_and_accents_in_both_languages(app_ctx, demo_listings):
    assert "La Esperanza Family Clinic" in found(services.DirectoryFilter(text="CLINICA"))
    assert "La Esperanza Family Clinic" in found(services.DirectoryFilter(text="clínica familiar"))
    # Every word must match: "comida" alone finds more than "comida caliente".
    assert found(services.DirectoryFilter(text="almuerzo caliente")) == [
        "Five Points Community Kitchen"
    ]
    assert found(services.DirectoryFilter(text="100% _ %")) == []  # wildcards are literal


def test_filters_by_need_language_and_neighbourhood(app_ctx, demo_listings):
    food = found(services.DirectoryFilter(need=Need.FOOD))
    assert "Westwood Community Food Bank" in food and "Raíces Counseling Center" not in food
    # A listing meeting several needs appears under each.
    assert "Montbello Family Resource Center" in food
    assert "Montbello Family Resource Center" in found(services.DirectoryFilter(need=Need.HOUSING))
    vietnamese = found(services.DirectoryFilter(language="vi"))
    assert "Federal Boulevard Grocery Share" in vietnamese
    assert "Westwood Community Food Bank" not in vietnamese
    montbello = found(services.DirectoryFilter(neighbourhood="montbello"))
    assert montbello and all(
        "Montbello" in n or "Immunization" in n or "African" in n for n in montbello
    )
    assert "Berkeley Winter Coat Drive" not in found(services.DirectoryFilter())  # archived


def test_spanish_readers_get_listings_in_spanish_alphabetical_order(app_ctx, demo_listings):
    query = services.search(
        services.DirectoryFilter(need=Need.FOOD), local_now=MONDAY, language="es"
    )
    names = [r.name_es for r in db.session.scalars(query)]
    assert names == sorted(names, key=str.lower)


@pytest.mark.parametrize(
    "args",
    [
        {"need": "weapons", "language": "xx", "open": "maybe"},
        {"q": "a\x00b" * 100, "neighbourhood": "n" * 500},
        {"need": ["food", "legal"]},
    ],
)
def test_parse_filter_ignores_what_it_does_not_know(args):
    from werkzeug.datastructures import MultiDict

    flt = services.parse_filter(MultiDict(args))
    assert flt.need in (None, Need.FOOD) and flt.language == "" and len(flt.text) <= 100
    assert "\x00" not in flt.text and len(flt.neighbourhood) <= 80


def test_stale_after_a_year_and_when_never_checked(app_ctx):
    fresh = listing("Fresh", verified=DEMO_TODAY - timedelta(days=365))
    old = listing("Old", verified=DEMO_TODAY - timedelta(days=366))
    never = listing("Never", verified=None)
    assert not fresh.is_stale(DEMO_TODAY)
    assert old.is_stale(DEMO_TODAY) and never.is_stale(DEMO_TODAY)
    stale = db.session.scalars(services.staff_list(today=DEMO_TODAY, show="stale")).all()
    assert {"Old", "Never"} <= {r.name_en for r in stale} and fresh not in stale
    before = services.stale_count(DEMO_TODAY)
    services.mark_verified(old, today=DEMO_TODAY, actor_id=None, ip=None)
    assert services.stale_count(DEMO_TODAY) == before - 1


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://pantry.example.org/hours?x=1", "https://pantry.example.org/hours?x=1"),
        ("http://pantry.example.org", "http://pantry.example.org"),
        ("www.pantry.example.org", "https://www.pantry.example.org"),
        ("", ""),
    ],
)
def test_website_accepted(typed, stored):
    assert services.clean_website(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.org",
        "https://user:secret@example.org",
        "https://localhost",
        "https://exa mple.org",
        "https://" + "a" * 300 + ".org",
        "mailto:someone@example.org",
    ],
)
def test_website_refused(typed):
    with pytest.raises(services.InvalidWebsite):
        services.clean_website(typed)


def test_saving_is_audited_and_the_address_survives_a_rename(app_ctx):
    resource = listing("Corner Pantry", openings=((1, "10:00", "12:00"),))
    slug = resource.slug
    assert slug == "corner-pantry"
    twin = listing("Corner Pantry")
    assert twin.slug == "corner-pantry-2"
    data = services.ResourceInput(
        name_en="Corner Pantry & Kitchen",
        name_es="Despensa y Cocina de la Esquina",
        description_en="Groceries and hot meals.",
        description_es="Víveres y comidas calientes.",
        needs=frozenset({Need.FOOD, Need.FAMILY_WELLNESS}),
        languages=frozenset({"es", "vi"}),
    )
    services.save_resource(resource, data, actor_id=None, ip="203.0.113.9")
    db.session.expire_all()
    saved = db.session.get(Resource, resource.id)
    assert saved.slug == slug
    assert saved.needs == [Need.FOOD, Need.FAMILY_WELLNESS]
    assert saved.languages == ["es", "vi"]
    assert saved.hours == []
    assert "cocina de la esquina" in saved.search_text
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.target_type == "resources", AuditEvent.target_id == str(resource.id)
        )
    ).all()
    assert sorted(actions) == ["resource.changed", "resource.created"]


def test_archived_listings_leave_the_public_directory_and_the_picker(app_ctx):
    resource = listing("Closing Pantry")
    assert resource in services.active_resources(Need.FOOD)
    assert resource not in services.active_resources(Need.LEGAL)
    services.archive(resource, actor_id=None, ip=None)
    assert resource not in services.active_resources()
    assert services.public_resource(resource.slug) is None
    services.restore(resource, actor_id=None, ip=None)
    assert services.public_resource(resource.slug) is resource


def test_language_names_come_in_the_readers_language():
    assert services.language_name("vi", "es") == "vietnamita"
    assert services.language_name("vi", "en") == "Vietnamese"
    assert services.autonym("vi") == "Tiếng Việt"
    assert services.language_name("asl", "es") == "lengua de señas americana"
