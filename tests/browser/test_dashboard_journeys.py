"""Dashboards in a real browser: both languages, a filter change, no CSP or console errors."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_concern_journeys import assert_accessible_in, watched_page
from tests.browser.test_journeys import assert_clean

pytestmark = pytest.mark.browser


def _sign_in(page, role) -> None:  # noqa: ANN001
    from portal.demo import DEMO_PASSWORD
    from tests.conftest import demo_email

    page.goto(page.base + "/sign-in")
    page.locator("#email").fill(demo_email(role))
    page.locator("#password").fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/account$"))


def _charts_drawn(page) -> None:  # noqa: ANN001
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    page.wait_for_load_state("networkidle")


HEADINGS = {
    "cases": ("Case volumes", "Volumen de casos"),
    "mediation": ("Mediation outcomes", "Resultados de la mediación"),
    "attendance": ("Liaison event attendance", "Asistencia a los eventos de los enlaces"),
}


@pytest.mark.parametrize("slug", list(HEADINGS))
@pytest.mark.parametrize("locale,lang", [("en-US", "en"), ("es-MX", "es")])
def test_each_dashboard_filters_and_redraws(browser, live_server, live_app, locale, lang, slug):
    from portal.auth.roles import Role

    with watched_page(
        browser, live_server, locale=locale, viewport={"width": 1280, "height": 900}
    ) as page:
        _sign_in(page, Role.SENIOR_MANAGER if slug != "attendance" else Role.PROGRAMME_STAFF)
        if page.get_attribute("html", "lang") != lang:
            # The account's own language wins over the browser's: switch to the one tested.
            page.locator(".language-switch button").first.click()
            page.wait_for_load_state()
        page.goto(page.base + f"/dashboards/{slug}")
        _charts_drawn(page)
        heading = HEADINGS[slug][1 if lang == "es" else 0]
        assert page.locator("h1").inner_text() == heading
        assert_accessible_in(page, lang)
        # Plotly's own toolbar speaks the page's language too (its locale is served locally).
        toolbar = page.locator(".modebar-btn").first.get_attribute("data-title")
        assert toolbar.startswith("Descargar" if lang == "es" else "Download")
        # ... and has no button that uploads the chart to Plotly's cloud.
        titles = page.locator(".modebar-btn").evaluate_all("bs => bs.map(b => b.dataset.title)")
        assert titles and not [t for t in titles if re.search("share|compartir|cloud", t, re.I)]
        # One button a chart (the picture), not ten stops for a keyboard to get past.
        charts = page.locator(".js-plotly-plot").count()
        assert len(titles) == charts
        page.get_by_role("textbox", name="Desde" if lang == "es" else "From").fill("2026-08-01")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"start=2026-08-01"))
        _charts_drawn(page)
        page.get_by_text(
            "Ver las cifras en una tabla" if lang == "es" else "Show the numbers as a table"
        ).first.click()
        # Built when opened: the table arrives from its own callback.
        page.locator("table caption").first.wait_for(state="visible")
        assert_accessible_in(page, lang)
        assert_clean(page)


def test_back_and_the_language_switch_keep_the_view_the_address_shows(
    browser, live_server, live_app
):
    from portal.auth.roles import Role

    with watched_page(
        browser, live_server, locale="en-US", viewport={"width": 1280, "height": 900}
    ) as page:
        _sign_in(page, Role.SENIOR_MANAGER)
        page.goto(page.base + "/dashboards/cases?start=2026-01-05&end=2026-06-30")
        _charts_drawn(page)
        # A senior manager's many links fit a 1,280-pixel window: nothing to scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        start = page.locator("input[id*='start']")
        first = start.input_value()
        start.fill("2026-03-02")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"start=2026-03-02"))
        _charts_drawn(page)
        # Back: the address, the box and the charts all go back to the first view.
        page.go_back()
        page.wait_for_url(re.compile(r"start=2026-01-05"))
        _charts_drawn(page)
        assert page.locator("input[id*='start']").input_value() == first
        # A filter changed, then the other language: the same view, in it.
        start = page.locator("input[id*='start']")
        start.fill("2026-04-06")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"start=2026-04-06"))
        page.locator(".language-switch button").first.click()
        page.wait_for_load_state()
        _charts_drawn(page)
        assert re.search(r"/dashboards/cases\?start=2026-04-06", page.url)
        assert page.locator("input[id*='start']").input_value() == "2026-04-06"
        assert_clean(page)
