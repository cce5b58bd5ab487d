"""Trainer-of-trainers: the school leaders waiting for a training, and certifying facilitators.

Seed 004: school leaders and liaisons are trained in groups of up to 15; completing the
trainer-of-trainers offering certifies them to lead Parenting Partners at their schools, and
more leaders wait, in order, for the next training.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.audit.services import record
from portal.auth.models import User
from portal.extensions import db
from portal.programmes.models import (
    FacilitatorCertification,
    Offering,
    OfferingStatus,
    Programme,
    Registration,
    TrainingWaitlistEntry,
    WaitlistStatus,
)
from portal.programmes.trainings import register_person
from portal.timeutil import utcnow


class TrainingError(ValueError):
    """The waitlist or certification cannot take this change."""


def waiting() -> list[TrainingWaitlistEntry]:
    """School leaders waiting for a training, first first."""
    return list(
        db.session.scalars(
            select(TrainingWaitlistEntry)
            .where(TrainingWaitlistEntry.status == WaitlistStatus.WAITING)
            .order_by(TrainingWaitlistEntry.added_at, TrainingWaitlistEntry.id)
            .options(selectinload(TrainingWaitlistEntry.school))
        )
    )


def add_to_waitlist(
    *, name: str, email: str, school_id: int, note: str, actor_id: int, ip: str | None
) -> tuple[TrainingWaitlistEntry, bool]:
    """Add a leader at the end of the list; someone already waiting keeps their place."""
    email = email.strip().lower()
    existing = db.session.scalar(
        select(TrainingWaitlistEntry).where(
            func.lower(TrainingWaitlistEntry.email) == email,
            TrainingWaitlistEntry.status == WaitlistStatus.WAITING,
        )
    )
    if existing is not None:
        return existing, False
    entry = TrainingWaitlistEntry(
        name=name, email=email, school_id=school_id, note=note, added_by_id=actor_id
    )
    db.session.add(entry)
    db.session.flush()
    record("training_waitlist.added", actor_id=actor_id, target=entry, ip=ip)
    db.session.commit()
    return entry, True


def withdraw(entry: TrainingWaitlistEntry, *, actor_id: int, ip: str | None) -> None:
    if entry.status != WaitlistStatus.WAITING:
        raise TrainingError(entry.status.value)
    entry.status = WaitlistStatus.WITHDRAWN
    record("training_waitlist.withdrawn", actor_id=actor_id, target=entry, ip=ip)
    db.session.commit()


def training_offerings() -> list[Offering]:
    """Trainer-of-trainers offerings that can still take people."""
    return list(
        db.session.scalars(
            select(Offering)
            .join(Programme)
            .where(
                Programme.certifies_facilitators.is_(True),
                Offering.status == OfferingStatus.OPEN,
            )
            .order_by(Offering.id)
        )
    )


@dataclass(frozen=True)
class Enrolled:
    entry: TrainingWaitlistEntry
    registration: Registration


def enrol_next(
    offering: Offering, count: int, *, actor_id: int, ip: str | None, today
) -> list[Enrolled]:  # noqa: ANN001
    """Register the first `count` waiting leaders for a trainer-of-trainers offering, in order.

    Leaders take seats like anyone else; when the training is full the rest stay where they
    are on the list.
    """
    if not offering.programme.certifies_facilitators:
        raise TrainingError("not a trainer-of-trainers offering")
    if offering.status != OfferingStatus.OPEN:
        raise TrainingError(offering.status.value)
    enrolled: list[Enrolled] = []
    for entry in waiting()[:count]:
        if offering.seats_left <= 0:
            break  # the rest keep their place for the next training
        user = db.session.scalar(select(User).where(func.lower(User.email) == entry.email))
        outcome = register_person(
            offering,
            name=entry.name,
            email=entry.email,
            language=user.preferred_language if user else "en",
            user_id=user.id if user else None,
            today=today,
            by_staff=True,
            registered_by_id=actor_id,
        )
        registration = outcome.registration
        if outcome.waitlisted:
            break  # the last seat went to someone else a moment ago: they keep their place
        entry.status = WaitlistStatus.ENROLLED
        entry.registration_id = registration.id
        entry.enrolled_at = utcnow()
        record(
            "training_waitlist.enrolled",
            actor_id=actor_id,
            target=entry,
            ip=ip,
            detail={"offering": offering.id},
        )
        db.session.commit()
        db.session.refresh(offering)
        enrolled.append(Enrolled(entry, registration))
    return enrolled


def certify(
    offering: Offering,
    completers: list[Registration],
    *,
    actor_id: int,
    ip: str | None,
    commit: bool = True,
) -> int:
    """Certify those who completed a trainer-of-trainers offering; returns how many are new."""
    if not offering.programme.certifies_facilitators:
        return 0
    added = 0
    for registration in completers:
        exists = db.session.scalar(
            select(FacilitatorCertification.id).where(
                FacilitatorCertification.contact_id == registration.contact_id
            )
        )
        if exists is not None:
            continue
        user_id = registration.user_id
        if user_id is None and registration.contact.email:
            user_id = db.session.scalar(
                select(User.id).where(func.lower(User.email) == registration.contact.email.lower())
            )
        if user_id is not None and db.session.scalar(
            select(FacilitatorCertification.id).where(FacilitatorCertification.user_id == user_id)
        ):
            continue
        certification = FacilitatorCertification(
            contact_id=registration.contact_id,
            user_id=user_id,
            offering_id=offering.id,
            certified_by_id=actor_id,
        )
        db.session.add(certification)
        db.session.flush()
        record("facilitator.certified", actor_id=actor_id, target=certification, ip=ip)
        added += 1
    if commit:
        db.session.commit()
    return added
