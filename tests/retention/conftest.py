"""Fixed old and recent records, each kind the retention rules cover."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.auth.models import User, UserSession
from portal.auth.roles import Role
from portal.concerns.models import Case, CaseEntry, CaseKind, EntryKind, Status
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.knowledge.models import Category
from portal.outbox.models import Channel, MessageStatus, OutboxMessage
from portal.programmes.models import (
    Offering,
    OfferingLanguage,
    OfferingSession,
    Programme,
    Registration,
    RegistrationStatus,
)
from portal.schools.models import School
from tests.conftest import demo_email

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LONG_AGO = datetime(2015, 6, 1, 12, 0, tzinfo=UTC)
RECENTLY = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


@dataclass
class Fixed:
    old_contact: int  # only old records: anonymised
    mixed_contact: int  # an old case and a recent one: kept
    old_case: int
    old_case_of_mixed: int
    recent_case: int
    open_old_case: int  # opened long ago, never closed: kept
    old_registration: int
    old_message: int
    pending_message: int
    old_session: int


def _contact(name: str, phone: str, email: str, at: datetime) -> FamilyContact:
    contact = FamilyContact(name=name, phone=phone, email=email, created_at=at, updated_at=at)
    db.session.add(contact)
    db.session.flush()
    return contact


def _case(contact: FamilyContact, *, opened: datetime, closed: datetime | None) -> Case:
    case = Case(
        reference=f"FCS-T-{secrets.token_hex(5)}",
        submission_key=secrets.token_hex(16),
        access_salt="s",
        access_code_hash="h" * 64,
        kind=CaseKind.CONCERN,
        tier=2,
        status=Status.CLOSED if closed else Status.IN_PROGRESS,
        category_id=db.session.scalar(select(Category.id).limit(1)),
        school_id=db.session.scalar(select(School.id).where(School.code == "101")),
        contact_id=contact.id,
        student_first_name="Mateo",
        student_grade="3",
        description="Mateo is bullied on the bus, says his mother.",
        received_on=opened.date(),
        created_at=opened,
        closed_at=closed,
        resolved_at=closed,
    )
    case.entries.append(
        CaseEntry(
            kind=EntryKind.INTERNAL_NOTE, body="Called the mother at home.", created_at=opened
        )
    )
    db.session.add(case)
    db.session.flush()
    return case


@pytest.fixture
def fixed(app_ctx, fixed_data) -> Fixed:
    """The fixed records, with an application context left open for service calls."""
    return fixed_data


@pytest.fixture
def fixed_data(app) -> Fixed:
    """The fixed records, made in a context of their own (clients need none left open)."""
    with app.app_context():
        return _make()


def _make() -> Fixed:
    old = _contact("Olga Old", "+17205550101", "olga@example.org", LONG_AGO)
    mixed = _contact("Marta Mixed", "+17205550102", "marta@example.org", RECENTLY)
    old_case = _case(old, opened=LONG_AGO, closed=LONG_AGO + timedelta(days=30))
    old_case_of_mixed = _case(mixed, opened=LONG_AGO, closed=LONG_AGO + timedelta(days=30))
    recent_case = _case(mixed, opened=RECENTLY, closed=RECENTLY + timedelta(days=5))
    open_old = _case(mixed, opened=LONG_AGO, closed=None)

    offering = Offering(
        programme_id=db.session.scalar(select(Programme.id).limit(1)),
        capacity=20,
        seats_taken=1,
        language=OfferingLanguage.ENGLISH,
    )
    offering.sessions.append(
        OfferingSession(starts_at=LONG_AGO, ends_at=LONG_AGO + timedelta(hours=2))
    )
    db.session.add(offering)
    db.session.flush()
    registration = Registration(
        offering_id=offering.id,
        contact_id=old.id,
        code_hash=secrets.token_hex(32),
        children_count=2,
        status=RegistrationStatus.REGISTERED,
        holds_seat=True,
        children_ages="3, 5",
        accommodations="Wheelchair access",
        created_at=LONG_AGO,
    )
    db.session.add(registration)
    messages = [
        OutboxMessage(
            channel=Channel.EMAIL,
            recipient="olga@example.org",
            language="en",
            kind="concern.receipt",
            body="Your case",
            status=status,
            created_at=LONG_AGO,
            sent_at=LONG_AGO if status is MessageStatus.SENT else None,
        )
        for status in (MessageStatus.SENT, MessageStatus.PENDING)
    ]
    db.session.add_all(messages)
    user = db.session.scalar(select(User).where(User.email == demo_email(Role.LIAISON)))
    session = UserSession(
        user_id=user.id, token_hash="t" * 64, created_at=LONG_AGO, last_seen_at=LONG_AGO
    )
    db.session.add(session)
    db.session.commit()
    return Fixed(
        old_contact=old.id,
        mixed_contact=mixed.id,
        old_case=old_case.id,
        old_case_of_mixed=old_case_of_mixed.id,
        recent_case=recent_case.id,
        open_old_case=open_old.id,
        old_registration=registration.id,
        old_message=messages[0].id,
        pending_message=messages[1].id,
        old_session=session.id,
    )


def today() -> date:
    return NOW.date()
