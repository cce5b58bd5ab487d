"""A parent finds a workshop and registers in Spanish on a phone; axe on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from portal.extensions import db
from portal.programmes.models import (
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
)
from portal.schools.models import School
from tests.browser.test_concern_journeys import assert_accessible_in, phone_page  # noqa: F401
from tests.browser.test_journeys import assert_blur_searches_nothing, assert_clean

pytestmark = pytest.mark.browser


@pytest.fixture
def two_seats(live_app):  # noqa: ANN001, ANN201
    with live_app.app_context():
        programme = db.session.scalars(
            select(Programme).where(Programme.code == "parenting-partners")
        ).one()
        school = db.session.scalars(select(School).where(School.code == "506")).one()
        offering = Offering(
            programme=programme,
            school=school,
            capacity=2,
            language=OfferingLanguage.SPANISH,
            status=OfferingStatus.OPEN,
            location="Biblioteca",
            childcare_offered=True,
        )
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14)
        for week in range(6):
            offering.sessions.append(
                OfferingSession(
                    starts_at=start + timedelta(weeks=week),
                    ends_at=start + timedelta(weeks=week, hours=2),
                    topic_en=f"Workshop {week + 1}",
                    topic_es=f"Taller {week + 1}",
                )
            )
        db.session.add(offering)
        db.session.commit()
        offering_id = offering.id
    yield offering_id
    with live_app.app_context():
        db.session.execute(delete(Registration).where(Registration.offering_id == offering_id))
        db.session.execute(delete(Offering).where(Offering.id == offering_id))
        db.session.commit()


def test_spanish_parent_registers_on_a_phone(phone_page, two_seats):  # noqa: F811
    page = phone_page
    page.goto(page.base + "/workshops?school=")
    assert_accessible_in(page, "es")
    page.get_by_label("Escuela").fill("goldrick")  # typed, no capital: still found
    page.wait_for_url(re.compile(r"school=goldrick"))
    card = page.locator("#workshop-results li").first
    assert "Quedan 2 plazas" in card.inner_text()
    assert_accessible_in(page, "es")
    card.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/workshops/\d+$"))
    assert "Taller 1" in page.inner_text("main")
    assert_accessible_in(page, "es")
    page.get_by_label("Su nombre").fill("Guadalupe Ramírez")
    page.get_by_label("Número de teléfono").fill("720 555 0188")
    page.get_by_label("Niños que necesitan cuidado").fill("2")
    page.get_by_label("Sus edades").fill("3 y 6")
    page.get_by_role("button", name="Inscribirme").click()
    page.wait_for_url(re.compile(r"/workshops/registered$"))
    assert "Gracias por inscribirse" in page.inner_text("h1")
    assert page.get_by_role("link", name="Añadir las sesiones a mi calendario").count() == 1
    assert_accessible_in(page, "es")
    assert_clean(page)


def test_tapping_a_workshop_after_typing_a_school_sends_no_second_search(phone_page, two_seats):  # noqa: F811
    """The school box's own change event (it loses focus as the parent taps a workshop) redrew
    the list a second time, under the tap, which could then be lost."""
    page = phone_page
    page.goto(page.base + "/workshops?school=")
    school = page.get_by_label("Escuela")
    school.fill("goldrick")
    page.wait_for_url(re.compile(r"school=goldrick"))
    expect(page.locator("#workshop-results li").first).to_contain_text("Quedan 2 plazas")
    assert_blur_searches_nothing(page, school, "/workshops")
    page.get_by_label("Idioma").select_option("es")  # the choices still search at once
    page.wait_for_url(re.compile(r"language=es"))
    assert_clean(page)


@pytest.fixture
def six_families(live_app, two_seats):  # noqa: ANN001, ANN201
    """The two-seat offering grown to eight seats with six registered families."""
    from portal.families.services import ContactInput
    from portal.programmes import registration as reg

    with live_app.app_context():
        offering = db.session.get(Offering, two_seats)
        offering.capacity = 8
        db.session.commit()
        for n in range(6):
            reg.register(
                two_seats,
                reg.RegistrationInput(
                    contact=ContactInput(
                        name=f"Familia {'ABCDEF'[n]} Hernández", phone=f"+1720555{7100 + n}"
                    ),
                    children_count=n % 2,
                ),
                today=datetime.now(UTC).date(),
            )
        session_id = db.session.scalars(
            select(OfferingSession.id)
            .where(OfferingSession.offering_id == two_seats)
            .order_by(OfferingSession.starts_at)
        ).first()
    return f"/events/{two_seats}/sessions/{session_id}"


@contextmanager
def liaison_at_the_door(browser, base: str, door: str) -> Iterator[object]:
    """A liaison signed in on a tablet, in Spanish, at the door of one session."""
    from portal.auth.roles import Role
    from portal.demo import DEMO_PASSWORD
    from tests.browser.test_concern_journeys import watched_page
    from tests.conftest import demo_email

    with watched_page(
        browser, base, locale="es-MX", viewport={"width": 768, "height": 1024}
    ) as page:
        page.goto(page.base + "/sign-in")
        page.get_by_label("Correo electrónico").fill(demo_email(Role.LIAISON))
        page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/account$"))
        page.goto(page.base + door)
        yield page


def test_liaison_runs_the_door_on_a_tablet(browser, live_server, six_families):
    with liaison_at_the_door(browser, live_server, six_families) as page:
        assert_accessible_in(page, "es")
        for letter in "ABCDE":
            page.get_by_label("Buscar por nombre o teléfono").fill(f"Familia {letter}")
            row = page.locator("#roster li").filter(has_text=f"Familia {letter} Hernández")
            row.get_by_role("button", name=re.compile("Registrar llegada")).click()
            row.get_by_role("button", name=re.compile("Llegó")).wait_for()
        counts = page.locator("#door-counts dd").all_inner_texts()
        assert counts[:2] == ["6", "5"]
        assert_accessible_in(page, "es")
        for name, phone in [("Marta Solís", "720 555 7201"), ("Jorge Lara", "720 555 7202")]:
            page.locator("#name").fill(name)
            page.get_by_label("Número de teléfono").fill(phone)
            page.get_by_role("button", name="Inscribir y registrar llegada").click()
            page.get_by_role("status").filter(has_text=name).wait_for()
            # Answered in place: the new row on the list, checked in, and an empty form.
            row = page.locator("#roster li").filter(has_text=name)
            row.get_by_role("button", name=re.compile("Llegó")).wait_for()
            assert page.locator("#name").input_value() == ""
            expect(page.locator("#name")).to_be_focused()  # ready for the next person
        counts = page.locator("#door-counts dd").all_inner_texts()
        assert counts[:3] == ["8", "7", "2"]
        assert_accessible_in(page, "es")
        assert_clean(page)


SEARCH = re.compile(r"/sessions/\d+\?q=")
CHECK_IN = re.compile(r"/check-in/\d+$")


def wait_until_held(page, held: list, what: str) -> None:
    """Until the route handler has caught the request (it runs while the page waits)."""
    deadline = datetime.now(UTC) + timedelta(seconds=5)
    while not held and datetime.now(UTC) < deadline:
        page.wait_for_timeout(20)
    assert held, f"{what} never went out"


def test_a_list_read_before_a_check_in_is_not_shown_after_it(browser, live_server, six_families):
    """The liaison taps a row before the search they typed has come back."""
    with liaison_at_the_door(browser, live_server, six_families) as page:
        held = []
        page.route(SEARCH, lambda route: held.append(route) if not held else route.continue_())
        page.get_by_label("Buscar por nombre o teléfono").fill("Familia F")
        wait_until_held(page, held, "the search")
        before = held[0].fetch()  # the list as the server has it before the check-in
        row = page.locator("#roster li").filter(has_text="Familia F Hernández")
        row.get_by_role("button", name=re.compile("Registrar llegada")).click()
        row.get_by_role("button", name=re.compile("Llegó")).wait_for()
        # The old list arrives now: it is not shown, the search is asked again instead.
        with page.expect_response(
            lambda response: SEARCH.search(response.url) and response.request != held[0].request,
            timeout=5000,
        ):
            held[0].fulfill(response=before)
        row.get_by_role("button", name=re.compile("Llegó")).wait_for()
        expect(page.locator("#roster li")).to_have_count(1)
        assert page.locator("#door-counts dd").all_inner_texts()[:2] == ["6", "1"]
        assert_clean(page)


def test_a_search_waits_for_the_check_in_being_saved(browser, live_server, six_families):
    """The liaison taps a row, then types before the check-in has come back."""
    with liaison_at_the_door(browser, live_server, six_families) as page:
        held, searches = [], []
        page.route(CHECK_IN, lambda route: held.append(route))
        page.on("request", lambda request: SEARCH.search(request.url) and searches.append(request))
        row = page.locator("#roster li").filter(has_text="Familia E Hernández")
        row.get_by_role("button", name=re.compile("Registrar llegada")).click()
        wait_until_held(page, held, "the check-in")
        page.get_by_label("Buscar por nombre o teléfono").fill("Familia E")
        page.wait_for_timeout(600)  # three times the search's typing delay
        assert searches == []  # it waits: the server has not saved the check-in yet
        with page.expect_response(SEARCH, timeout=5000):
            held[0].continue_()
        row.get_by_role("button", name=re.compile("Llegó")).wait_for()
        expect(page.locator("#roster li")).to_have_count(1)
        assert page.locator("#door-counts dd").all_inner_texts()[:2] == ["6", "1"]
        assert_clean(page)


def test_a_check_in_answered_after_the_list_was_drawn_again(browser, live_server, six_families):
    """A known family walks in while a check-in is on its way: the list is drawn again
    under it, and the check-in's answer still finds its row, and searching still works."""
    with liaison_at_the_door(browser, live_server, six_families) as page:
        held = []
        page.route(CHECK_IN, lambda route: held.append(route))
        row = page.locator("#roster li").filter(has_text="Familia F Hernández")
        row.get_by_role("button", name=re.compile("Registrar llegada")).click()
        wait_until_held(page, held, "the check-in")
        page.locator("#name").fill("Familia A Hernández")
        page.get_by_label("Número de teléfono").fill("720 555 7100")
        page.get_by_role("button", name="Inscribir y registrar llegada").click()
        page.get_by_role("status").filter(has_text="Familia A Hernández").wait_for()
        held[0].continue_()
        row.get_by_role("button", name=re.compile("Llegó")).wait_for()
        page.get_by_label("Buscar por nombre o teléfono").fill("Familia B")
        expect(page.locator("#roster li")).to_have_count(1)
        assert page.locator("#door-counts dd").all_inner_texts()[:3] == ["6", "2", "0"]
        assert_clean(page)
