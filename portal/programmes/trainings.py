"""Staff as participants: liaisons at district trainings and the PLG, leaders at trainings.

Seed 002: the district tracks attendance at each liaison event and asks a short survey
afterwards. A staff participant is registered like a family (seat, waitlist, door check-in,
survey link), with the registration tied to their account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.auth.models import User
from portal.extensions import db
from portal.families.models import ContactMethod
from portal.families.services import ContactInput
from portal.programmes import registration as reg
from portal.programmes.models import (
    Attendance,
    Audience,
    Offering,
    OfferingStatus,
    Programme,
    Registration,
)


def register_person(
    offering: Offering,
    *,
    name: str,
    email: str,
    language: str,
    user_id: int | None,
    today: date,
    by_staff: bool = False,
    registered_by_id: int | None = None,
) -> reg.Outcome:
    """Register a staff member or school leader by email, and send them the confirmation."""
    outcome = reg.place(
        offering.id,
        reg.RegistrationInput(
            contact=ContactInput(
                name=name,
                email=email.strip().lower(),
                language=language,
                contact_method=ContactMethod.EMAIL,
            ),
            language=language,
            by_staff=by_staff,
            registered_by_id=registered_by_id,
        ),
        today=today,
        confirm=True,  # the confirmation is saved with the registration, or neither is
    )
    if user_id is not None and outcome.registration.user_id != user_id:
        outcome.registration.user_id = user_id
    db.session.commit()
    return outcome


def register_staff(
    offering: Offering, user: User, *, today: date, by_staff: bool = False
) -> reg.Outcome:
    """Register a staff member under their account's name, email and language."""
    return register_person(
        offering,
        name=user.name,
        email=user.email,
        language=user.preferred_language,
        user_id=user.id,
        today=today,
        by_staff=by_staff,
    )


def open_trainings() -> list[Offering]:
    """District trainings and PLG meetings that liaisons can sign up for now."""
    return list(
        db.session.scalars(
            select(Offering)
            .join(Programme)
            .where(
                Programme.audience == Audience.LIAISONS,
                Offering.status == OfferingStatus.OPEN,
            )
            .options(selectinload(Offering.sessions), selectinload(Offering.programme))
            .order_by(Offering.id)
        )
    )


@dataclass(frozen=True)
class MyTraining:
    registration: Registration
    attended: int  # sessions they were checked in at


def my_trainings(user: User) -> list[MyTraining]:
    """Every training this person signed up for, newest first, with their attendance."""
    attended = (
        select(Attendance.registration_id, func.count(Attendance.id).label("n"))
        .where(Attendance.checked_in_at.is_not(None))
        .group_by(Attendance.registration_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Registration, func.coalesce(attended.c.n, 0))
        .outerjoin(attended, attended.c.registration_id == Registration.id)
        .where(Registration.user_id == user.id)
        .options(
            selectinload(Registration.offering).selectinload(Offering.sessions),
            selectinload(Registration.offering).selectinload(Offering.programme),
        )
        .order_by(Registration.id.desc())
    )
    return [MyTraining(registration, int(n)) for registration, n in rows]


def cancel_own(registration: Registration, user: User) -> Registration | None:
    """A staff member cancels their own place; a freed seat goes to the next in line."""
    if registration.user_id != user.id:
        raise PermissionError
    promoted = reg.cancel(registration, commit=False)
    if promoted is not None:
        reg.tell_promoted(promoted)
    db.session.commit()  # the cancellation and the message to the one promoted, together
    return promoted
