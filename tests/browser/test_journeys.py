"""The key journeys in a real browser: both languages, sign-in, no errors, no leaks, axe clean."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from portal.auth.roles import Role
from portal.demo import DEMO_PASSWORD
from tests.conftest import demo_email

pytestmark = pytest.mark.browser
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, results.generate_report()


def assert_clean(page, *, expected_statuses: tuple[int, ...] = ()) -> None:
    """No console errors (but the browser's note of a status the test provoked on purpose)."""
    unexpected = [
        e
        for e in page.watch.console_errors
        if not any(f"status of {status}" in e for status in expected_statuses)
    ]
    assert unexpected == [], unexpected
    assert page.watch.foreign_requests == [], page.watch.foreign_requests


def assert_blur_searches_nothing(page, box, path: str) -> None:
    """A search box that has answered loses focus, as when the family taps a result: no second
    search goes out (its answer would redraw the list under the tap, and the tap be lost)."""
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    box.blur()
    page.wait_for_timeout(600)
    assert not [url for url in sent if f"{path}?" in url]


def test_family_reads_home_in_both_languages_and_staff_signs_in(page):
    page.goto(page.base + "/")
    assert page.get_attribute("html", "lang") == "en"
    assert "a bridge between your family" in page.inner_text("h1")
    assert_accessible(page)

    # The switch keeps the visitor on the same page.
    page.goto(page.base + "/calendar")
    page.get_by_role("button", name="Español").click()
    page.wait_for_url(re.compile(r"/calendar$"))
    assert page.get_attribute("html", "lang") == "es"
    assert "Calendario escolar" in page.inner_text("h1")
    assert_accessible(page)

    page.goto(page.base + "/")
    assert page.get_attribute("html", "lang") == "es"
    assert_accessible(page)

    # Staff sign-in, in Spanish, with the keyboard only.
    page.get_by_role("link", name="Acceso para el personal").first.click()
    page.wait_for_url(re.compile(r"/sign-in"))
    assert_accessible(page)
    page.get_by_label("Correo electrónico").fill(demo_email(Role.ADMIN))
    page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/account$"))
    # Priya's account is in English: her preference wins once she is signed in.
    assert page.get_attribute("html", "lang") == "en"
    assert "Administrator" in page.inner_text("main")
    assert_accessible(page)
    assert_clean(page)


def test_wrong_password_shows_an_accessible_error(page):
    page.goto(page.base + "/sign-in")
    page.get_by_label("Email address").fill("nobody@test.example.org")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").last.click()
    alert = page.get_by_role("alert")
    assert "do not match an active account" in alert.inner_text()
    assert page.get_attribute("#password", "aria-invalid") == "true"
    assert_accessible(page)
    assert page.watch.foreign_requests == []


def test_admin_filters_users_with_htmx_and_the_url_follows(page):
    page.goto(page.base + "/sign-in")
    page.get_by_label("Email address").fill(demo_email(Role.ADMIN))
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()
    page.wait_for_url(re.compile(r"/account$"))
    page.goto(page.base + "/admin/users")
    assert_accessible(page)
    page.get_by_label("Name or email").fill("Castillo")
    page.wait_for_url(re.compile(r"q=Castillo"))
    results = page.locator("#user-results")
    results.get_by_text("Renée Castillo").wait_for()
    assert "Priya Raman" not in results.inner_text()
    # Back restores the unfiltered list.
    page.go_back()
    page.wait_for_url(re.compile(r"/admin/users$"))
    page.locator("#user-results").get_by_text("Priya Raman").wait_for()

    # A new account with a mistake: the form comes back in place, with the error, nothing lost.
    page.goto(page.base + "/admin/users/new")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Lucía Ñúñez")
    page.get_by_label("Email address").fill("lucia.nunez@test.example.org")
    page.get_by_label("Family liaison").check()
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_role("button", name="Create account").click()
    page.locator("#password-error").wait_for()
    assert page.get_by_label("Full name").input_value() == "Lucía Ñúñez"
    assert_accessible(page)
    page.get_by_label("Password", exact=True).fill("marigold ferry lantern quartz")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/admin/users$"))
    assert "Lucía Ñúñez" in page.inner_text("#flash")
    # The invalid form came back as a 422 fragment, which Chromium notes in the console.
    assert_clean(page, expected_statuses=(422,))


def test_phone_sized_screen_has_a_working_menu(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="es-MX")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server + "/")
    assert page.get_attribute("html", "lang") == "es"
    menu = page.get_by_role("button", name=re.compile("menú", re.I))
    menu.click()
    # Tap only once the menu has finished opening: a tap during Bootstrap's collapse
    # animation can land before the link is in place on a slow machine.
    page.locator("#main-nav.show:not(.collapsing)").wait_for()
    page.get_by_role("link", name="Calendario escolar", exact=True).click()
    page.wait_for_url(re.compile(r"/calendar$"))
    # Skip link: the first Tab reaches it, Enter moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert errors == []
    context.close()
