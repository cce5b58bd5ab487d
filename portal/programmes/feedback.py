"""The short survey after each session: its links, one answer per person, and the results.

A feedback link carries no stored secret: its token is an HMAC of the app's SECRET_KEY over
the (registration, session) pair and a purpose string, so it opens exactly one survey and
cannot be forged or moved to another person or session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.programmes.models import (
    Offering,
    OfferingSession,
    OfferingStatus,
    Registration,
    RegistrationStatus,
    SessionFeedback,
)
from portal.textclean import clean_text
from portal.urls import public_url

# Bound to its purpose: the same key signs other things, which must never pass for this.
LINK_PURPOSE = "puente.session-feedback.v1"
TOKEN_BYTES = 24  # 192 bits, 32 URL-safe characters
COMMENT_MAX = 2000
RATINGS = range(1, 6)


class FeedbackError(ValueError):
    """A survey answer that cannot be taken."""


class NotAParticipant(FeedbackError):
    """The registration is not (or no longer) a seat at this session's offering."""


class FeedbackNotOpen(FeedbackError):
    """The session has not started yet: there is nothing to give feedback on."""


def feedback_token(registration_id: int, session_id: int) -> str:
    """The token in one person's link to one session's survey."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{LINK_PURPOSE}:{registration_id}:{session_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_matches(registration_id: int, session_id: int, token: str) -> bool:
    """Whether `token` opens this person's survey for this session (constant-time compare)."""
    if not token or len(token) > 64:
        return False
    expected = feedback_token(registration_id, session_id)
    return hmac.compare_digest(expected.encode(), token.encode("utf-8", "replace"))


def feedback_url(registration: Registration, session: OfferingSession) -> str:
    """The absolute link to send, for a message opened outside the portal."""
    return public_url(
        "feedback.answer",
        session_id=session.id,
        registration_id=registration.id,
        token=feedback_token(registration.id, session.id),
    )


def open_link(
    session_id: int, registration_id: int, token: str
) -> tuple[Registration, OfferingSession] | None:
    """The participant and session a link is for, or None for any link that opens nothing.

    A wrong token, unknown ids, a registration of another offering and one that holds no
    seat all answer None, so the page cannot tell which it was.
    """
    if not token_matches(registration_id, session_id, token):
        return None
    session = db.session.get(OfferingSession, session_id)
    registration = db.session.get(Registration, registration_id)
    if session is None or registration is None:
        return None
    if not is_participant(registration, session):
        return None
    return registration, session


def is_participant(registration: Registration, session: OfferingSession) -> bool:
    """A seat at the session's offering, and an offering that really met."""
    return (
        registration.offering_id == session.offering_id
        and registration.status == RegistrationStatus.REGISTERED
        and session.offering.status not in (OfferingStatus.DRAFT, OfferingStatus.CANCELLED)
    )


def has_started(session: OfferingSession, now: datetime) -> bool:
    return now >= session.starts_at


def answer_for(registration: Registration, session: OfferingSession) -> SessionFeedback | None:
    """This person's answer for this session, if they gave one."""
    return db.session.scalar(
        select(SessionFeedback).where(
            SessionFeedback.registration_id == registration.id,
            SessionFeedback.session_id == session.id,
        )
    )


@dataclass(frozen=True)
class FeedbackAnswer:
    """What one person says about one session: three 1-5 ratings and an optional comment."""

    useful: int
    facilitator: int
    welcome: int
    comment: str = ""
    language: str = "en"


@dataclass(frozen=True)
class Submitted:
    """The stored answer, and whether this call made it (False: it was there already)."""

    feedback: SessionFeedback
    created: bool


def submit_feedback(
    registration: Registration,
    session: OfferingSession,
    answer: FeedbackAnswer,
    *,
    now: datetime,
) -> Submitted:
    """Keep a participant's answer; a second (or racing) submit returns the first one."""
    if not is_participant(registration, session):
        raise NotAParticipant(f"registration {registration.id}")
    if not has_started(session, now):
        raise FeedbackNotOpen(f"session {session.id}")
    ratings = (answer.useful, answer.facilitator, answer.welcome)
    if not all(isinstance(r, int) and not isinstance(r, bool) and r in RATINGS for r in ratings):
        raise FeedbackError("each rating is a whole number from 1 to 5")
    comment = str(clean_text(answer.comment or ""))
    if len(comment) > COMMENT_MAX:
        raise FeedbackError(f"the comment is longer than {COMMENT_MAX} characters")
    existing = answer_for(registration, session)
    if existing is not None:
        return Submitted(existing, created=False)
    feedback = SessionFeedback(
        registration_id=registration.id,
        session_id=session.id,
        rating_useful=answer.useful,
        rating_facilitator=answer.facilitator,
        rating_welcome=answer.welcome,
        comment=comment,
        language=answer.language,
        created_at=now,
    )
    try:
        # A savepoint: losing the race to the unique constraint undoes only this insert.
        with db.session.begin_nested():
            db.session.add(feedback)
    except IntegrityError:
        first = answer_for(registration, session)
        if first is None:
            raise
        return Submitted(first, created=False)
    db.session.commit()
    return Submitted(feedback, created=True)


# The summary staff see ---------------------------------------------------------------------


@dataclass(frozen=True)
class RatingAverages:
    """Mean of each 1-5 rating; None where nobody has answered."""

    useful: float | None
    facilitator: float | None
    welcome: float | None


@dataclass(frozen=True)
class FeedbackComment:
    """One comment as staff see it: no name, so that families can speak freely."""

    text: str
    language: str
    created_at: datetime


@dataclass(frozen=True)
class SessionSummary:
    """One session's results: how many answered, the averages, the comments newest first."""

    session: OfferingSession
    answers: int
    averages: RatingAverages
    comments: list[FeedbackComment]


@dataclass(frozen=True)
class FeedbackSummary:
    """An offering's survey results.

    `sessions` lists every session of the offering in date order, those without answers
    included (answers 0, averages None, no comments); `answers` and `averages` are over all
    of the offering's answers together, each answer weighing the same.
    """

    offering_id: int
    answers: int
    averages: RatingAverages
    sessions: list[SessionSummary]


def _aggregates():  # noqa: ANN202
    return (
        func.count(SessionFeedback.id),
        func.avg(SessionFeedback.rating_useful),
        func.avg(SessionFeedback.rating_facilitator),
        func.avg(SessionFeedback.rating_welcome),
    )


def _averages(useful: object, facilitator: object, welcome: object) -> RatingAverages:
    # PostgreSQL's avg() is a Decimal and SQLite's a float: one type for callers.
    def number(value: object) -> float | None:
        return None if value is None else float(value)  # type: ignore[arg-type]

    return RatingAverages(number(useful), number(facilitator), number(welcome))


def feedback_summary(offering: Offering) -> FeedbackSummary:
    """Counts and averages computed by the database, per session and for the whole offering."""
    of_offering = SessionFeedback.session_id.in_(
        select(OfferingSession.id).where(OfferingSession.offering_id == offering.id)
    )
    per_session = {
        row[0]: row[1:]
        for row in db.session.execute(
            select(SessionFeedback.session_id, *_aggregates())
            .where(of_offering)
            .group_by(SessionFeedback.session_id)
        )
    }
    total, *overall = db.session.execute(select(*_aggregates()).where(of_offering)).one()
    comments: dict[int, list[FeedbackComment]] = {}
    for session_id, text, language, created_at in db.session.execute(
        select(
            SessionFeedback.session_id,
            SessionFeedback.comment,
            SessionFeedback.language,
            SessionFeedback.created_at,
        )
        .where(of_offering, SessionFeedback.comment != "")
        .order_by(SessionFeedback.created_at.desc(), SessionFeedback.id.desc())
    ):
        comments.setdefault(session_id, []).append(FeedbackComment(text, language, created_at))
    sessions = []
    for session in db.session.scalars(
        select(OfferingSession)
        .where(OfferingSession.offering_id == offering.id)
        .order_by(OfferingSession.starts_at, OfferingSession.id)
    ):
        count, *averages = per_session.get(session.id, (0, None, None, None))
        sessions.append(
            SessionSummary(session, count, _averages(*averages), comments.get(session.id, []))
        )
    return FeedbackSummary(offering.id, total, _averages(*overall), sessions)
