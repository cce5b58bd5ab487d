"""Setting up participants and moving sessions in time, for the survey and reminder tests."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.families.models import ContactMethod, FamilyContact
from portal.families.services import ContactInput
from portal.programmes import registration as reg
from portal.programmes.models import (
    Attendance,
    Offering,
    OfferingSession,
    OfferingStatus,
    Registration,
    RegistrationStatus,
)
from portal.timeutil import utcnow
from tests.programmes.test_registration import TODAY


def enrol(
    app: Flask,
    offering_id: int,
    name: str,
    *,
    phone: str | None = None,
    email: str | None = None,
    language: str = "en",
    children: int = 0,
) -> int:
    """Register someone the way the public form does; their registration id."""
    with app.app_context():
        outcome = reg.register(
            offering_id,
            reg.RegistrationInput(
                contact=ContactInput(
                    name=name,
                    phone=phone,
                    email=email,
                    language=language,
                    contact_method=ContactMethod.EMAIL if email else ContactMethod.TEXT,
                ),
                language=language,
                children_count=children,
            ),
            today=TODAY,
        )
        return outcome.registration.id


def enrol_staff(app: Flask, offering_id: int, user, language: str = "en") -> int:  # noqa: ANN001
    """A staff member (a liaison at a district training) taking part, linked to their account."""
    with app.app_context():
        contact = FamilyContact(
            name=user.name,
            email=user.email,
            language=language,
            contact_method=ContactMethod.EMAIL,
        )
        registration = Registration(
            offering_id=offering_id,
            contact=contact,
            status=RegistrationStatus.REGISTERED,
            code_hash=hashlib.sha256(f"staff-{user.id}".encode()).hexdigest(),
            language=language,
            holds_seat=True,
            user_id=user.id,
        )
        db.session.add(registration)
        db.session.commit()
        return registration.id


def sessions_of(app: Flask, offering_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(OfferingSession.id)
                .where(OfferingSession.offering_id == offering_id)
                .order_by(OfferingSession.starts_at)
            )
        )


def move_session(app: Flask, session_id: int, starts_at: datetime, hours: float = 2) -> None:
    """The session now starts at `starts_at` and lasts `hours`."""
    with app.app_context():
        session = db.session.get(OfferingSession, session_id)
        session.starts_at = starts_at
        session.ends_at = starts_at + timedelta(hours=hours)
        db.session.commit()


def set_status(app: Flask, offering_id: int, status: OfferingStatus) -> None:
    with app.app_context():
        db.session.get(Offering, offering_id).status = status
        db.session.commit()


def check_in(app: Flask, session_id: int, registration_id: int, present: bool = True) -> None:
    with app.app_context():
        db.session.add(
            Attendance(
                session_id=session_id,
                registration_id=registration_id,
                checked_in_at=utcnow() if present else None,
            )
        )
        db.session.commit()
