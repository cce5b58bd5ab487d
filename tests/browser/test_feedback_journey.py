"""A parent answers the survey after a session on a phone, in Spanish; axe on every page."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from portal.extensions import db
from portal.families.models import ContactMethod, FamilyContact
from portal.programmes.feedback import feedback_url
from portal.programmes.models import (
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
    SessionFeedback,
)
from tests.browser.test_concern_journeys import assert_accessible_in, phone_page  # noqa: F401
from tests.browser.test_journeys import assert_clean

pytestmark = pytest.mark.browser


@pytest.fixture
def survey_link(live_app):  # noqa: ANN001, ANN201
    """A Spanish-speaking parent's link to the survey of a session held this afternoon."""
    with live_app.app_context():
        programme = db.session.scalars(
            select(Programme).where(Programme.code == "healthy-meals")
        ).one()
        offering = Offering(
            programme=programme,
            capacity=10,
            language=OfferingLanguage.SPANISH,
            status=OfferingStatus.OPEN,
            location="Cafetería",
        )
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
        offering.sessions.append(
            OfferingSession(
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                topic_en="Cooking on a budget",
                topic_es="Cocinar con poco dinero",
            )
        )
        registration = Registration(
            offering=offering,
            contact=FamilyContact(
                name="Marisol Vega", phone="+17205550188", contact_method=ContactMethod.TEXT
            ),
            status=RegistrationStatus.REGISTERED,
            code_hash=hashlib.sha256(b"survey-journey").hexdigest(),
            language="es",
            holds_seat=True,
        )
        db.session.add_all([offering, registration])
        db.session.commit()
        offering_id = offering.id
        with live_app.test_request_context():
            url = feedback_url(registration, offering.sessions[0])
    yield url.split("/workshops/", 1)[1], offering_id
    with live_app.app_context():
        db.session.execute(delete(Registration).where(Registration.offering_id == offering_id))
        db.session.execute(delete(Offering).where(Offering.id == offering_id))
        db.session.commit()


def test_spanish_parent_answers_the_survey_on_a_phone(phone_page, survey_link, live_app):  # noqa: F811
    page = phone_page
    path, offering_id = survey_link
    page.goto(f"{page.base}/workshops/{path}")
    assert "Cocinar con poco dinero" in page.inner_text("main")
    assert_accessible_in(page, "es")

    page.get_by_role("button", name="Enviar mi respuesta").click()  # nothing chosen yet
    assert page.locator("#error-summary").is_visible()
    assert_accessible_in(page, "es")

    for group in page.locator("fieldset").all():
        group.get_by_label("4", exact=False).first.check()
    page.locator("textarea").fill("Las recetas fueron muy prácticas.")
    page.get_by_role("button", name="Enviar mi respuesta").click()
    page.wait_for_load_state()
    assert page.locator("p[role=status]").is_visible()
    assert_accessible_in(page, "es")

    page.reload()  # later on: answered, nothing to change
    assert page.locator("textarea").count() == 0 and page.locator("fieldset").count() == 0
    assert_accessible_in(page, "es")
    assert_clean(page, expected_statuses=(422,))
    with live_app.app_context():
        [answer] = db.session.scalars(
            select(SessionFeedback)
            .join(SessionFeedback.session)
            .where(OfferingSession.offering_id == offering_id)
        ).all()
        assert (answer.rating_useful, answer.comment) == (4, "Las recetas fueron muy prácticas.")
