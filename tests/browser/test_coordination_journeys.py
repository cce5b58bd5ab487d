"""Coordination teams and data protection in a real browser: keyboard forms, axe clean."""

from __future__ import annotations

import re

import pytest

from portal.auth.roles import Role
from portal.demo import DEMO_PASSWORD
from tests.browser.test_journeys import assert_accessible, assert_clean
from tests.conftest import demo_email

pytestmark = pytest.mark.browser


def sign_in(page, role: Role) -> None:
    page.goto(page.base + "/sign-in")
    page.get_by_label("Email address").fill(demo_email(role))
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()
    page.wait_for_url(re.compile(r"/account$"))


def test_social_worker_records_a_meeting_with_a_next_step(page):
    sign_in(page, Role.SOCIAL_WORKER)
    page.goto(page.base + "/coordination/")
    assert_accessible(page)
    page.get_by_role("link", name="Record a meeting").click()
    page.wait_for_url(re.compile(r"/coordination/new$"))
    assert_accessible(page)
    # Nothing chosen: the errors come back, accessible, with what was typed.
    page.get_by_label("Decisions").fill("Bus pass for Diego")
    page.get_by_role("button", name="Save the meeting").click()
    page.locator("#error-summary").wait_for()
    assert page.get_by_label("Decisions").input_value() == "Bus pass for Diego"
    assert_accessible(page)

    page.get_by_label("School").select_option(label="Sunnyside Elementary")
    page.get_by_label("Student Attendance Achievement Review Team (SAART)").check()
    page.get_by_label("Date of the meeting").fill("2026-11-20")
    page.get_by_role("button", name="Save the meeting").click()
    page.wait_for_url(re.compile(r"/coordination/\d+$"))
    assert "Sunnyside Elementary" in page.inner_text("main")
    assert_accessible(page)

    page.get_by_label("Family member's name").fill("Lucía Pérez")
    page.get_by_label("Relationship to the student").fill("Grandmother")
    page.get_by_role("button", name="Add family member").click()
    page.get_by_text("Lucía Pérez (Grandmother)").wait_for()

    page.get_by_label("Next step (required)").fill("Confirm the bus pass")
    page.get_by_label("Owner").select_option(label="Tomás Aguilar")
    page.get_by_label("Due date").fill("2000-01-03")
    page.get_by_role("button", name="Add next step").click()
    page.get_by_text("Overdue").first.wait_for()
    assert_accessible(page)

    page.goto(page.base + "/")
    block = page.locator("#team-next-steps")
    assert "Confirm the bus pass" in block.inner_text()
    assert_accessible(page)

    page.goto(page.base + "/coordination/")
    page.get_by_role("button", name="Español").click()
    page.wait_for_url(re.compile(r"/coordination/$"))
    assert page.get_attribute("html", "lang") == "es"
    assert_accessible(page)
    assert_clean(page, expected_statuses=(422,))
    # The choice is saved on the demo account, which later journeys sign in with in English.
    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")


def test_admin_sets_retention_and_looks_for_a_family(page):
    sign_in(page, Role.ADMIN)
    page.goto(page.base + "/admin/retention")
    assert_accessible(page)
    page.get_by_label("Months to keep").first.fill("3")
    page.get_by_role("button", name="Save retention settings").click()
    page.locator("#error-summary").wait_for()
    assert page.get_by_label("Months to keep").first.get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    page.goto(page.base + "/admin/family-records")
    assert_accessible(page)
    page.get_by_label("Phone number or email address").fill("nobody@example.org")
    page.get_by_role("button", name="Find").click()
    page.get_by_text("No family has that phone number or email address.").wait_for()
    assert "nobody" not in page.url  # the lookup was posted, not put in the address
    assert_accessible(page)
    assert_clean(page, expected_statuses=(422,))
