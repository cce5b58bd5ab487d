"""An open offering with sessions, as programme staff would set one up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

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


# Who is in the `series` fixture: (name, phone, language, sessions checked in).
SERIES_PEOPLE = (
    ("Nguyễn Thị Ōta", "+17205550111", "en", 3),
    ("María José Zoë Núñez", "+17205550122", "es", 3),
    ("Luis Pérez", "+17205550133", "es", 2),
)


@pytest.fixture
def series(app, offering):  # noqa: ANN001, ANN201
    """The Healthy Meals series at Goldrick (3 sessions, 5 of 6 → all 3 needed) with check-ins.

    Two families came to every session, one to two of them; a cancelled registration that
    came to all three must never count.
    """
    from portal.families.services import ContactInput
    from portal.programmes import registration as reg
    from portal.programmes.models import Attendance, Registration

    offering_id = offering(capacity=10)
    with app.app_context():
        sessions = db.session.scalars(
            select(OfferingSession.id)
            .where(OfferingSession.offering_id == offering_id)
            .order_by(OfferingSession.starts_at)
        ).all()
        ids = {}
        for name, phone, language, came in (
            *SERIES_PEOPLE,
            ("Gone Away", "+17205550144", "en", 3),
        ):
            registration = reg.register(
                offering_id,
                reg.RegistrationInput(
                    contact=ContactInput(name=name, phone=phone, language=language),
                    language=language,
                ),
                today=date(2026, 11, 23),
            ).registration
            ids[name] = registration.id
            for session_id in sessions[:came]:
                db.session.add(
                    Attendance(
                        registration_id=registration.id,
                        session_id=session_id,
                        checked_in_at=datetime(2027, 1, 12, 1, 5, tzinfo=UTC),
                    )
                )
        # Homework marked without a check-in: not attendance.
        db.session.add(
            Attendance(
                registration_id=ids["Luis Pérez"], session_id=sessions[2], homework_done=True
            )
        )
        db.session.commit()
        reg.cancel(db.session.get(Registration, ids["Gone Away"]))
    return {"offering": offering_id, "sessions": sessions, "ids": ids}
