"""A parent finds a workshop and registers in Spanish on a phone; axe on every page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
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
from tests.browser.test_journeys import assert_clean

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
    page.get_by_label("Escuela").select_option(label="Goldrick Elementary")
    page.wait_for_url(re.compile(r"school=\d+"))
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
