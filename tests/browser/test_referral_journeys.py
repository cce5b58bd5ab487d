"""A liaison refers a Spanish-speaking family; the social worker accepts it and records services.

Headless Chromium, axe on every page. Fields are found by their ids where their labels would
tie the journey to one catalog's wording; the page's language is asserted throughout.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from portal.auth.roles import Role
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.referrals.models import Referral, Status
from portal.resources.models import Resource
from tests.browser.test_concern_journeys import assert_accessible_in, watched_page
from tests.browser.test_journeys import assert_clean
from tests.conftest import demo_email

pytestmark = pytest.mark.browser

STUDENT = "Yaretzi"  # unique in the live database: the journey's referral
SERVICE = "Banco de Alimentos Westwood (browser test)"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def food_bank(live_app):  # noqa: ANN001, ANN201
    """A directory listing to refer the family to; removed with the journey's referral."""
    with live_app.app_context():
        resource = Resource(
            slug="browser-test-food-bank",
            name_en="Westwood Food Bank (browser test)",
            name_es=SERVICE,
            description_en="Groceries every Saturday.",
            description_es="Despensa todos los sábados.",
        )
        db.session.add(resource)
        db.session.commit()
        resource_id = resource.id
    yield resource_id
    with live_app.app_context():
        db.session.execute(delete(Referral).where(Referral.student_first_name == STUDENT))
        db.session.execute(delete(Resource).where(Resource.id == resource_id))
        db.session.commit()


def sign_in(page, email: str) -> None:  # noqa: ANN001
    """The sign-in form; where the role has a second step, the browser fixture types the code."""
    page.goto(page.base + "/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/account$"))


def test_a_liaison_refers_a_family_in_spanish_and_the_social_worker_takes_it(
    browser, live_server, live_app, food_bank
):
    with watched_page(browser, live_server, locale="es-MX", viewport=DESKTOP) as page:
        sign_in(page, demo_email(Role.LIAISON))  # Elvia's account speaks Spanish
        page.goto(page.base + "/referrals/new")
        assert_accessible_in(page, "es")
        assert "1-844-264-5437" in page.inner_text("main")

        # A first try without a reason: 422, everything typed kept, the error announced.
        page.locator("#school").select_option(label="Goldrick Elementary")
        page.locator("#student_first_name").fill(STUDENT)
        page.locator("#student_last_initial").fill("m")
        page.locator("#student_grade").select_option("2")
        page.locator("#name").fill("Araceli Mendoza")
        page.locator("#phone").fill("720-555-0188")
        page.locator("input[name=language][value=es]").check()
        page.locator("#details").fill(
            "La familia perdió su vivienda y duerme en el coche; la niña llega con hambre."
        )
        page.locator("form.referral-form button[type=submit]").click()
        page.get_by_role("alert").wait_for()
        assert page.locator("#student_first_name").input_value() == STUDENT
        assert page.locator("#name").input_value() == "Araceli Mendoza"
        assert_accessible_in(page, "es")

        page.locator("input[name=reasons][value=housing]").check()
        page.locator("input[name=reasons][value=basic_needs]").check()
        page.locator("input[name=urgency][value=priority]").check()
        page.locator("#tried").fill("Le dimos ropa del armario escolar.")
        page.locator("form.referral-form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/referrals/sent/[A-Za-z0-9_-]{22}$"))
        assert f"{STUDENT} M." in page.inner_text("main")
        assert_accessible_in(page, "es")
        # Her list of referrals made: the status, nothing the social worker will write.
        page.goto(page.base + "/referrals/sent")
        assert f"{STUDENT} M." in page.inner_text("main")
        assert_accessible_in(page, "es")
        assert_clean(page, expected_statuses=(422,))

    with live_app.app_context():
        referral = db.session.scalars(
            select(Referral).where(Referral.student_first_name == STUDENT)
        ).one()
        assert referral.contact.language == "es" and referral.mckinney_vento
        token = referral.token

    with watched_page(browser, live_server, locale="en-US", viewport=DESKTOP) as page:
        sign_in(page, demo_email(Role.SOCIAL_WORKER))
        page.goto(page.base + "/referrals/")
        assert_accessible_in(page, "en")
        row = page.locator("table.caseload tr", has_text=f"{STUDENT} M.")
        assert "McKinney-Vento" in row.inner_text()
        row.get_by_role("link", name=f"{STUDENT} M.").click()
        page.wait_for_url(re.compile(rf"/referrals/{token}$"))
        assert_accessible_in(page, "en")

        page.locator("#status-to").select_option("accepted")
        page.get_by_role("button", name="Save step").click()
        page.wait_for_url(re.compile(rf"/referrals/{token}$"))
        assert "Status updated." in page.inner_text("main")
        page.locator("#service-resource").select_option(label="Westwood Food Bank (browser test)")
        page.get_by_role("button", name="Add service").click()
        page.wait_for_url(re.compile(rf"/referrals/{token}$"))
        services = page.locator("#services-heading + ul")
        assert "Westwood Food Bank (browser test)" in services.inner_text()
        page.locator("#note-body").fill("Family staying at a motel on Federal.")
        page.get_by_role("button", name="Add note").click()
        page.wait_for_url(re.compile(rf"/referrals/{token}$"))
        assert "Family staying at a motel on Federal." in page.inner_text("main")
        assert_accessible_in(page, "en")

        page.get_by_role("link", name="See who has read it").click()
        page.wait_for_url(re.compile(rf"/referrals/{token}/access$"))
        assert "Opened the referral" in page.inner_text("main")
        assert_accessible_in(page, "en")
        assert_clean(page)

    with live_app.app_context():
        referral = db.session.get(Referral, referral.id)
        assert referral.status is Status.ACCEPTED
        assert [s.resource_id for s in referral.services] == [food_bank]
