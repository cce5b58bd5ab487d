"""A family finds a food bank in Spanish on a phone; a social worker keeps a listing current."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete

from portal.auth.roles import Role
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.resources.models import Resource
from portal.timeutil import district_today
from tests.browser.test_concern_journeys import assert_accessible_in, phone_page  # noqa: F401
from tests.browser.test_journeys import assert_blur_searches_nothing, assert_clean
from tests.conftest import demo_email

pytestmark = pytest.mark.browser


@pytest.fixture
def directory(live_app):  # noqa: ANN001, ANN201
    """The demo listings in the live database (loading them again adds nothing)."""
    from portal.resources.demo import load_demo_resources

    with live_app.test_request_context():
        load_demo_resources(district_today())
    yield
    with live_app.app_context():
        db.session.execute(delete(Resource).where(Resource.name_en == "Northside Tool Library"))
        db.session.commit()


def test_family_finds_a_food_bank_in_spanish_on_a_phone(phone_page, directory):  # noqa: F811
    page = phone_page
    page.goto(page.base + "/")
    # On a phone the menu is folded away: open it and follow the directory's entry.
    page.get_by_role("button", name=re.compile("menú", re.I)).click()
    page.get_by_role("link", name="Ayuda en la comunidad", exact=True).click()
    page.wait_for_url(re.compile(r"/resources$"))
    assert_accessible_in(page, "es")
    page.get_by_label("Necesito").select_option("food")
    page.wait_for_url(re.compile(r"need=food"))
    results = page.locator("#resource-results")
    expect(results).not_to_contain_text("Centro de Consejería Raíces")
    page.get_by_label("Buscar", exact=True).fill("westwood")  # no accent, no capital: found
    page.wait_for_url(re.compile(r"q=westwood"))
    expect(results.locator("li")).to_have_count(1)
    card = results.locator("li").first
    expect(card).to_contain_text("Banco de Alimentos Comunitario de Westwood")
    expect(card).to_contain_text("El personal habla: inglés, español")
    assert_accessible_in(page, "es")
    card.get_by_role("link", name="Banco de Alimentos Comunitario de Westwood").click()
    page.wait_for_url(re.compile(r"/resources/westwood-community-food-bank$"))
    main = page.locator("main")
    expect(main).to_contain_text("Comida gratis una vez por semana")
    expect(main).to_contain_text("Martes")
    expect(page.get_by_role("link", name="(720) 555-0101")).to_have_attribute(
        "href", "tel:+17205550101"
    )
    website = page.get_by_role("link", name=re.compile(r"example\.org"))
    expect(website).to_have_attribute("rel", "noopener noreferrer")
    assert_accessible_in(page, "es")
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # A listing nobody has checked in a year tells the family so, gently.
    page.goto(page.base + "/resources/globeville-mobile-market")
    expect(page.get_by_role("note")).to_contain_text("Por favor, llame antes de ir")
    assert_accessible_in(page, "es")
    assert_clean(page)


def test_tapping_a_result_after_typing_sends_no_second_search(phone_page, directory):  # noqa: F811
    """The search box's own change event (it loses focus as the family taps a result) redrew
    the list a second time, under the tap, and the tap was lost now and then."""
    page = phone_page
    page.goto(page.base + "/resources")
    search = page.get_by_label("Buscar", exact=True)
    search.fill("westwood")
    page.wait_for_url(re.compile(r"q=westwood"))
    expect(page.locator("#resource-results li")).to_have_count(3)
    assert_blur_searches_nothing(page, search, "/resources")
    page.get_by_label("Necesito").select_option("food")  # the choices still search at once
    page.wait_for_url(re.compile(r"need=food"))
    expect(page.locator("#resource-results li")).to_have_count(1)
    assert_clean(page)


def test_search_works_without_javascript(browser, live_server, directory):
    context = browser.new_context(java_script_enabled=False, locale="es-MX")
    page = context.new_page()
    try:
        page.goto(live_server + "/resources")
        page.get_by_label("Necesito").select_option("immigration")
        page.get_by_label("El personal habla").select_option("vi")
        page.get_by_role("button", name="Buscar").click()
        page.wait_for_url(re.compile(r"need=immigration.*language=vi"))
        expect(page.locator("#resource-results")).to_contain_text("Clases de Ciudadanía")
        # (No axe here: it runs as a script, and this page is the one axe saw with scripts.)
    finally:
        context.close()


def test_social_worker_adds_a_listing_and_fixes_a_mistake(page, directory):
    page.goto(page.base + "/sign-in")
    page.get_by_label("Email address").fill(demo_email(Role.SOCIAL_WORKER))
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()
    page.wait_for_url(re.compile(r"/account$"))
    page.get_by_role("link", name="Resource listings").click()
    page.wait_for_url(re.compile(r"/resources/manage$"))
    assert_accessible_in(page, "en")
    page.get_by_role("link", name=re.compile(r"Not checked in a year")).click()
    expect(page.locator("tbody")).to_contain_text("Globeville Mobile Market")
    assert_accessible_in(page, "en")
    page.get_by_role("link", name="New listing").click()
    assert_accessible_in(page, "en")
    page.get_by_label("Name in English").fill("Northside Tool Library")
    page.get_by_label("Name in Spanish").fill("Biblioteca de Herramientas del Norte")
    page.get_by_label("What they offer, in English").fill("Borrow tools for home repairs.")
    page.get_by_label("Food").check()  # a slip: it is not food
    page.get_by_label("Spanish", exact=True).check()
    page.get_by_label("Monday: Opens", exact=True).fill("18:00")
    page.get_by_label("Monday: Closes", exact=True).fill("02:00")
    page.get_by_label("Website").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save listing").click()
    # The Spanish description is missing and the web address is refused; nothing typed is lost.
    expect(page.locator("#error-summary")).to_contain_text("Describe the service in Spanish.")
    expect(page.locator("#error-summary")).to_contain_text("Enter a web address")
    expect(page.get_by_label("Name in English")).to_have_value("Northside Tool Library")
    expect(page.get_by_label("Monday: Closes", exact=True)).to_have_value("02:00")
    assert_accessible_in(page, "en")
    page.get_by_label("What they offer, in Spanish").fill(
        "Preste herramientas para arreglos en casa."
    )
    page.get_by_label("Food").uncheck()
    page.get_by_label("Family wellness").check()
    page.get_by_label("Website").fill("toollibrary.example.org")
    page.get_by_role("button", name="Save listing").click()
    page.wait_for_url(re.compile(r"/resources/northside-tool-library$"))
    expect(page.locator("main")).to_contain_text("6:00\u202fPM to 2:00\u202fAM the next day")
    expect(page.locator("main")).to_contain_text("Family wellness")
    assert_accessible_in(page, "en")
    assert_clean(page, expected_statuses=(422,))
