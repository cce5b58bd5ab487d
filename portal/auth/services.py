"""Passwords, sign-in and server-side sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import joinedload
from zxcvbn import zxcvbn

from portal.audit.services import record
from portal.auth.models import User, UserSession
from portal.extensions import db
from portal.timeutil import utcnow

PASSWORD_MAX_LENGTH = 128
# zxcvbn's 0-4 scale: 3 means "safely unguessable" against an offline attack with slow hashing.
PASSWORD_MIN_SCORE = 3
# Only consulted this often, so that an idle session is measured without a write per request.
LAST_SEEN_GRANULARITY = timedelta(minutes=1)


@cache
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def hasher() -> PasswordHasher:
    """The argon2id hasher with the configured cost."""
    cfg = current_app.config
    return _hasher(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"])


@cache
def _dummy_hash(time_cost: int, memory_kib: int) -> str:
    return _hasher(time_cost, memory_kib).hash(secrets.token_urlsafe(24))


def normalize_email(email: str) -> str:
    """Emails are matched without regard to case or surrounding spaces."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    return hasher().hash(password)


def password_minimum(*, mfa: bool) -> int:
    """The shortest password allowed: 15 characters, or 8 behind a second sign-in step."""
    cfg = current_app.config
    return cfg["PASSWORD_MIN_LENGTH_WITH_MFA"] if mfa else cfg["PASSWORD_MIN_LENGTH"]


def password_problems(
    password: str, *, user_inputs: tuple[str, ...] = (), mfa: bool = False
) -> list[str]:
    """Why a new password is refused, in the user's language; empty when it is acceptable.

    `mfa`: the account has a second sign-in step set up, so a shorter password will do.
    """
    minimum = password_minimum(mfa=mfa)
    if len(password) < minimum:
        return [
            str(_l("Use at least %(n)d characters. A few unrelated words work well.", n=minimum))
        ]
    if len(password) > PASSWORD_MAX_LENGTH:
        return [str(_l("Use at most %(n)d characters.", n=PASSWORD_MAX_LENGTH))]
    # zxcvbn refuses input past 72 characters (and is slow on long input); a passphrase that
    # long is judged by its first 72.
    strength = zxcvbn(password[:72], user_inputs=[u for u in user_inputs if u])
    if strength["score"] < PASSWORD_MIN_SCORE:
        return [
            str(
                _l(
                    "This password is too common or too easy to guess. "
                    "Try a longer phrase of unrelated words."
                )
            )
        ]
    return []


def verify_password(user: User, password: str) -> bool:
    """Check a password, upgrading the stored hash when the configured cost has changed."""
    try:
        hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


def authenticate(email: str, password: str, *, ip: str | None) -> User | None:
    """The active user with this email and password, or None; audited either way."""
    normalized = normalize_email(email)
    user = db.session.scalar(select(User).where(User.email == normalized))
    if user is None:
        # Spend the same time as a real check, so that timing does not reveal who has an account.
        cfg = current_app.config
        try:
            hasher().verify(
                _dummy_hash(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"]), password
            )
        except VerificationError:
            pass
        ok = False
    else:
        ok = verify_password(user, password) and user.active
    if not ok:
        record(
            "sign_in.failed",
            actor_id=user.id if user else None,
            ip=ip,
            detail={
                "email": normalized[:254],
                "reason": "inactive" if user and not user.active else "credentials",
            },
        )
        db.session.commit()
        return None
    if user.needs_mfa or user.mfa_enrolled:
        # Only the first step: the sign-in succeeds once the second one does (mfa.succeeded).
        record("sign_in.password_accepted", actor_id=user.id, target=user, ip=ip)
    else:
        record("sign_in.succeeded", actor_id=user.id, target=user, ip=ip)
    db.session.commit()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, ip: str | None, mfa_verified: bool = False) -> str:
    """Open a server-side session for the user and return the token for their cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user.id, token_hash=_token_hash(token), ip=ip, mfa_verified=mfa_verified
        )
    )
    if mfa_verified:
        record("sign_in.succeeded", actor_id=user.id, target=user, ip=ip, detail={"mfa": True})
    db.session.commit()
    user.session_token = token
    user.session_mfa_verified = mfa_verified
    return token


@cache
def _session_by_token() -> Select[tuple[UserSession]]:
    # Every request of a signed-in user starts here: the session, the account, its roles, its
    # schools and the networks it leads in one statement, built once (building it cost as much
    # as running it).
    return (
        select(UserSession)
        .where(UserSession.token_hash == bindparam("token_hash"))
        .options(
            joinedload(UserSession.user).options(
                joinedload(User.role_rows), joinedload(User.schools), joinedload(User.led_networks)
            )
        )
    )


def load_session(token: str) -> User | None:
    """The user behind a session token, if the session is open, fresh and the user active."""
    if not token or len(token) > 100:
        return None
    session = (
        db.session.execute(_session_by_token(), {"token_hash": _token_hash(token)})
        .unique()
        .scalar()
    )
    if session is None or session.ended_at is not None:
        return None
    now = utcnow()
    cfg = current_app.config
    idle = timedelta(minutes=cfg["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=cfg["SESSION_MAX_HOURS"])
    if now - session.last_seen_at > idle or now - session.created_at > absolute:
        session.ended_at = now
        db.session.commit()
        return None
    user = session.user
    if not user.active:
        return None
    user.session_token = token
    user.session_mfa_verified = session.mfa_verified
    user.loaded_language = user.preferred_language
    if now - session.last_seen_at > LAST_SEEN_GRANULARITY:
        session.last_seen_at = now
        db.session.commit()
    return user


def end_session(token: str | None, *, ip: str | None) -> None:
    """Sign out: the session's token stops working everywhere, at once."""
    if not token:
        return
    session = db.session.scalar(
        select(UserSession).where(UserSession.token_hash == _token_hash(token))
    )
    if session is None or session.ended_at is not None:
        return
    session.ended_at = utcnow()
    record("sign_out", actor_id=session.user_id, target=session.user, ip=ip)
    db.session.commit()


def end_all_sessions(user_id: int) -> int:
    """End every open session of a user (deactivation, password change); the caller commits."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return result.rowcount or 0


def change_own_password(
    user: User, current: str, new: str, *, ip: str | None
) -> dict[str, list[str]]:
    """Change a user's own password; returns problems by form field, or {} once it is saved."""
    if not verify_password(user, current):
        return {"current_password": [str(_l("Your current password is not right."))]}
    problems = password_problems(new, user_inputs=(user.email, user.name), mfa=user.mfa_enrolled)
    if problems:
        return {"new_password": problems}
    user.password_hash = hash_password(new)
    # Other devices are signed out; this one keeps its session.
    db.session.execute(
        update(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.token_hash != _token_hash(user.session_token or ""),
        )
        .values(ended_at=utcnow())
    )
    record("password.changed", actor_id=user.id, target=user, ip=ip)
    db.session.commit()
    return {}


def set_language(user: User, language: str) -> None:
    """Remember a signed-in user's language on their account."""
    user.loaded_language = language
    if user.preferred_language != language:
        user.preferred_language = language
        db.session.commit()
