"""Messages around a session: a reminder before it, and the survey link after it.

Both jobs run often (every few minutes) and must never tell anyone twice: each session is
claimed with one conditional UPDATE of its `reminders_sent_at` / `feedback_requested_at`, in
the same transaction as its messages, and every message carries a dedupe key as well. Each
session is committed on its own, so a failure part-way loses nothing already queued.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import InstrumentedAttribute

from portal.extensions import db
from portal.families.messages import message_family
from portal.programmes.feedback import feedback_url
from portal.programmes.models import (
    Attendance,
    Offering,
    OfferingSession,
    OfferingStatus,
    Registration,
    RegistrationStatus,
)

log = logging.getLogger("puente.programmes")

REMIND_AHEAD = timedelta(hours=48)
# A request later than this would ask about a session people have half forgotten.
ASK_WITHIN = timedelta(days=3)
# Offerings whose sessions still happen: an offering that is closed has stopped taking
# registrations, not meeting.
MEETING = (OfferingStatus.OPEN, OfferingStatus.CLOSED)


@dataclass(frozen=True)
class Notified:
    """What one run did: sessions handled, people told, and sessions left for the next run."""

    sessions: int = 0
    people: int = 0
    failed: int = 0

    def __str__(self) -> str:
        text = f"{self.sessions} sessions, {self.people} people"
        return text + (f", {self.failed} sessions failed (see the log)" if self.failed else "")


def send_reminders(now: datetime) -> Notified:
    """Remind everyone holding a seat of sessions starting in the next 48 hours."""
    due = (
        select(OfferingSession.id)
        .join(Offering)
        .where(
            OfferingSession.starts_at > now,
            OfferingSession.starts_at <= now + REMIND_AHEAD,
            OfferingSession.reminders_sent_at.is_(None),
            Offering.status.in_(MEETING),
        )
        .order_by(OfferingSession.starts_at, OfferingSession.id)
    )
    return _each_session(due, OfferingSession.reminders_sent_at, now, _remind)


def request_feedback(now: datetime) -> Notified:
    """Send the survey link to everyone checked in at a session that ended in the last 3 days."""
    due = (
        select(OfferingSession.id)
        .join(Offering)
        .where(
            Offering.status.not_in((OfferingStatus.DRAFT, OfferingStatus.CANCELLED)),
            OfferingSession.ends_at <= now,
            OfferingSession.ends_at > now - ASK_WITHIN,
            OfferingSession.feedback_requested_at.is_(None),
        )
        .order_by(OfferingSession.ends_at, OfferingSession.id)
    )
    return _each_session(due, OfferingSession.feedback_requested_at, now, _ask_for_feedback)


def _each_session(
    due,  # noqa: ANN001 - a Select of session ids
    stamp: InstrumentedAttribute[datetime | None],
    now: datetime,
    tell: Callable[[OfferingSession], int],
) -> Notified:
    sessions = people = failed = 0
    for session_id in list(db.session.scalars(due)):
        # Claim the session: of two runs at once, only one gets rowcount 1 and sends.
        claimed = db.session.execute(
            update(OfferingSession)
            .where(OfferingSession.id == session_id, stamp.is_(None))
            .values({stamp.key: now})
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            db.session.rollback()
            continue
        session = db.session.get(OfferingSession, session_id)
        if session is None:  # deleted between the query and the claim
            db.session.rollback()
            continue
        try:
            told = tell(session)
        except SQLAlchemyError:
            db.session.rollback()
            raise  # the database is away: the caller waits and tries again
        except Exception:
            # One session's bad data (a message that will not render, a malformed address)
            # must not hold up the others. The claim is undone: the next run tries again.
            db.session.rollback()
            log.exception("messages for session %s not queued", session_id)
            failed += 1
            continue
        db.session.commit()
        sessions += 1
        people += told
    return Notified(sessions, people, failed)


def _remind(session: OfferingSession) -> int:
    offering = session.offering
    seated = db.session.scalars(
        select(Registration)
        .where(
            Registration.offering_id == offering.id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
        .order_by(Registration.id)
    )
    told = 0
    for registration in seated:
        told += bool(
            message_family(
                registration.contact,
                language=registration.language,
                kind="session.reminder",
                context={
                    "registration": registration,
                    "offering": offering,
                    "session": session,
                    "childcare": offering.childcare_offered and registration.children_count > 0,
                },
                # The time is in the key: a moved session gets a reminder for its new time.
                dedupe=(
                    f"session:{session.id}:reminder:{int(session.starts_at.timestamp())}:"
                    f"{registration.id}"
                ),
            )
        )
    return told


def _ask_for_feedback(session: OfferingSession) -> int:
    present = db.session.scalars(
        select(Registration)
        .join(Attendance, Attendance.registration_id == Registration.id)
        .where(
            Attendance.session_id == session.id,
            Attendance.checked_in_at.is_not(None),
            Registration.offering_id == session.offering_id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
        .order_by(Registration.id)
    )
    told = 0
    for registration in present:
        told += bool(
            message_family(
                registration.contact,
                language=registration.language,
                kind="session.feedback",
                context={
                    "registration": registration,
                    "offering": session.offering,
                    "session": session,
                    "feedback_url": feedback_url(registration, session),
                },
                dedupe=f"session:{session.id}:feedback:{registration.id}",
            )
        )
    return told
