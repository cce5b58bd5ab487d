"""An open offering with sessions, as programme staff would set one up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.programmes.models import (
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
)
from portal.schools.models import School


@pytest.fixture
def offering(app):  # noqa: ANN001, ANN201
    """Healthy Meals Challenge at Goldrick, bilingual, three seats, three weekly sessions."""

    def make(capacity: int = 3, status: OfferingStatus = OfferingStatus.OPEN) -> int:
        with app.app_context():
            programme = db.session.scalars(
                select(Programme).where(Programme.code == "healthy-meals")
            ).one()
            school = db.session.scalars(select(School).where(School.code == "506")).one()
            item = Offering(
                programme=programme,
                school=school,
                capacity=capacity,
                language=OfferingLanguage.BILINGUAL,
                status=status,
                location="Cafeteria",
                childcare_offered=True,
            )
            first = datetime(2027, 1, 12, 1, 0, tzinfo=UTC)  # Monday 6 pm in Denver
            for week, topic in enumerate(
                ["Planning meals together", "Cooking on a budget", "Dinner-table talk"]
            ):
                item.sessions.append(
                    OfferingSession(
                        starts_at=first + timedelta(weeks=week),
                        ends_at=first + timedelta(weeks=week, hours=2),
                        topic_en=topic,
                        topic_es=f"Tema {week + 1}",
                    )
                )
            db.session.add(item)
            db.session.commit()
            return item.id

    return make
