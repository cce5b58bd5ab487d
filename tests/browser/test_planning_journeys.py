"""Programme staff plan an event, open it and move its session; axe on every page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from portal.extensions import db
from portal.programmes.models import Offering
from tests.browser.test_concern_journeys import assert_accessible_in, watched_page
from tests.browser.test_journeys import assert_clean

pytestmark = pytest.mark.browser

TITLE = "Family reading night (browser test)"


@pytest.fixture
def cleanup(live_app):  # noqa: ANN001, ANN201
    yield
    with live_app.app_context():
        db.session.execute(delete(Offering).where(Offering.title_en == TITLE))
        db.session.commit()


def test_programme_staff_plan_open_and_move_an_event(browser, live_server, live_app, cleanup):
    from portal.auth.roles import Role
    from portal.demo import DEMO_PASSWORD
    from tests.conftest import demo_email

    with watched_page(
        browser, live_server, locale="en-US", viewport={"width": 1280, "height": 900}
    ) as page:
        page.goto(page.base + "/sign-in")
        page.get_by_label("Email address").fill(demo_email(Role.PROGRAMME_STAFF))
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/account$"))
        lang = page.get_attribute("html", "lang")
        if lang != "en":  # the demo account may speak Spanish: plan in English
            page.get_by_role("button", name="English").first.click()
            page.wait_for_load_state()
        page.goto(page.base + "/programmes/")
        assert_accessible_in(page, "en")
        page.get_by_role("link", name="New offering").click()
        page.wait_for_url(re.compile(r"/offerings/new$"))
        assert_accessible_in(page, "en")
        page.get_by_label("Programme").select_option(label="School family event")
        page.get_by_label("Host school").select_option(index=2)
        page.get_by_label("Title in English").fill(TITLE)
        page.get_by_label("Capacity (seats)").fill("80")
        page.locator("#location").fill("Gym")
        page.get_by_label("Day").fill("2027-04-08")
        page.get_by_label("Starts").fill("17:30")
        page.get_by_label("Ends").fill("19:00")
        page.get_by_role("button", name="Save as a draft").click()
        page.wait_for_url(re.compile(r"/programmes/offerings/\d+$"))
        assert "Draft" in page.inner_text("main")
        assert_accessible_in(page, "en")
        page.get_by_role("button", name="Open to families").click()
        page.wait_for_url(re.compile(r"/programmes/offerings/\d+$"))
        assert "Open: families can find it and register." in page.inner_text("main")
        page.get_by_role("link", name=re.compile("^Move")).first.click()
        page.wait_for_url(re.compile(r"/move$"))
        assert_accessible_in(page, "en")
        page.get_by_label("Day").fill("2027-04-15")
        page.get_by_role("button", name="Save and tell everyone").click()
        page.wait_for_url(re.compile(r"/programmes/offerings/\d+$"))
        assert "April 15, 2027" in page.inner_text("main") or "Apr 15" in page.inner_text("main")
        page.goto(page.base + "/programmes/facilitators")
        assert_accessible_in(page, "en")
        page.goto(page.base + "/programmes/trainer-waitlist")
        assert_accessible_in(page, "en")
        assert_clean(page)
    with live_app.app_context():
        saved = db.session.scalars(select(Offering).where(Offering.title_en == TITLE)).one()
        assert saved.status.value == "open"
        assert (
            saved.sessions[0].starts_at.date().isoformat() == "2027-04-15"
        )  # 5:30 pm MDT is 23:30 UTC
