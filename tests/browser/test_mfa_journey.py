"""A social worker sets up two-step sign-in in a real browser, then signs in with a code."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import delete, select

from portal.audit.models import AuditEvent
from portal.auth.models import User, UserSession
from portal.auth.roles import Role
from portal.demo import DEMO_PASSWORD
from portal.extensions import db, limiter
from portal.schools.models import School
from tests.browser.conftest import PageWatch
from tests.browser.test_journeys import assert_accessible, assert_clean

pytestmark = pytest.mark.browser
EMAIL = "new.social.worker@test.example.org"


@pytest.fixture
def new_social_worker(live_app):
    """A social worker whose account was just created: no authenticator app yet."""
    from portal.admin.services import UserInput, create_user

    with live_app.test_request_context():
        school = db.session.scalars(select(School).where(School.code == "101")).one()
        user = create_user(
            UserInput(
                email=EMAIL,
                name="Inés Villarreal",
                preferred_language="en",
                roles=frozenset({Role.SOCIAL_WORKER}),
                school_ids=frozenset({school.id}),
                network_id=None,
                password=DEMO_PASSWORD,
            ),
            actor_id=None,
            ip=None,
            notify=False,
        )
        user_id = user.id
    yield EMAIL
    with live_app.app_context():
        db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
        db.session.execute(delete(AuditEvent).where(AuditEvent.actor_id == user_id))
        db.session.execute(delete(User).where(User.id == user_id))
        db.session.commit()


@pytest.fixture
def plain_page(browser, live_server):
    """A page whose browser does not type codes by itself: the person does."""
    limiter.reset()
    context = browser.new_plain_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch(live_server)
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.console_errors.append(str(error)))
    page.on("request", watch.on_request)
    page.watch = watch
    page.base = live_server
    yield page
    context.close()


def password_step(page, email: str) -> None:
    page.goto(page.base + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()


def test_social_worker_sets_up_mfa_then_signs_in_with_a_code(plain_page, new_social_worker):
    page = plain_page
    password_step(page, new_social_worker)
    page.wait_for_url(re.compile(r"/sign-in/set-up$"))
    assert "Set up two-step sign-in" in page.inner_text("h1")
    assert page.locator(".mfa-qr svg").is_visible()
    assert_accessible(page)
    # Nothing else opens before the app is set up.
    page.goto(page.base + "/account")
    page.wait_for_url(re.compile(r"/sign-in"))
    page.goto(page.base + "/sign-in/set-up")

    # A camera is out of reach here: read the key typed below the QR code, as a person
    # without a camera would, and let pyotp play the authenticator app.
    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    app = pyotp.TOTP(secret)
    page.get_by_label("6-digit code").fill("000000")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.locator("#code-error").wait_for()
    assert page.get_attribute("#code", "aria-invalid") == "true"
    assert_accessible(page)
    page.get_by_label("6-digit code").fill(app.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.locator("#recovery-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have saved them, continue").click()
    page.wait_for_url(re.compile(r"/account$"))
    assert "Two-step sign-in" in page.inner_text("main")

    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url(re.compile(r"/$"))
    password_step(page, new_social_worker)
    page.wait_for_url(re.compile(r"/sign-in/code$"))
    assert_accessible(page)
    # The code used to set up cannot be used again: the app's next one (a phone a little
    # ahead of the server's clock) is accepted.
    page.get_by_label("6-digit code").fill(app.at(time.time() + 30))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/account$"))
    assert "Inés Villarreal" in page.inner_text("main")
    assert "/sign-in/code" not in page.url and secret not in page.url
    assert_clean(page, expected_statuses=(422,))


def test_demo_accounts_sign_in_through_the_code_step(page):
    """The journeys' helper: a demo social worker's browser types the code by itself."""
    from tests.conftest import demo_email

    password_step(page, demo_email(Role.SOCIAL_WORKER))
    page.wait_for_url(re.compile(r"/account$"))
    assert "Tomás Aguilar" in page.inner_text("main")
    assert_clean(page)
