"""Two-step sign-in: time-based codes (TOTP, RFC 6238) and single-use recovery codes."""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from functools import cache

import pyotp
import segno
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, or_, select, update

from portal.audit.services import record
from portal.auth.models import MfaRecoveryCode, User
from portal.auth.services import end_all_sessions, hasher
from portal.extensions import db
from portal.timeutil import utcnow

ISSUER = "Puente"
STEP_SECONDS = 30
# A code from the step before or after the current one is accepted too: phone clocks drift.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# Recovery codes are typed by hand: no letters that read alike (0/o, 1/l/i).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@cache
def _fernet(material: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"puente mfa secret v1"
    ).derive(material.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _cipher() -> Fernet:
    return _fernet(current_app.config["MFA_ENCRYPTION_KEY"])


def encrypt_secret(secret: str) -> str:
    """The secret as stored: encrypted, so that a database dump or backup does not carry it."""
    return _cipher().encrypt(secret.encode()).decode()


def decrypt_secret(stored: str | None) -> str | None:
    """The plain secret, or None when there is none or it was encrypted with another key."""
    if not stored:
        return None
    try:
        return _cipher().decrypt(stored.encode()).decode()
    except InvalidToken:
        return None


def provisioning_uri(user: User, secret: str) -> str:
    """What the QR code carries: the otpauth:// address authenticator apps read."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG: no image request, nothing in a URL, nothing the CSP blocks."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    return Markup(svg)  # noqa: S704 - segno's own markup; the address is encoded, not embedded


def formatted(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def begin_enrolment(user: User) -> str:
    """The secret to show a user who is setting up their app; the same one until confirmed."""
    if user.mfa_enrolled:
        raise ValueError("already enrolled")
    secret = decrypt_secret(user.mfa_secret)
    if secret is None:
        secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
        user.mfa_secret = encrypt_secret(secret)
        user.mfa_last_step = None
        db.session.commit()
    return secret


def forget_unconfirmed_secret(user: User) -> None:
    """A new password step starts set-up again with a new key.

    The key is kept between reloads of one set-up page, but not past it: whoever else knew
    the password and saw the page (then or earlier) would otherwise hold the key the owner
    goes on to confirm, and with it the second step for good.
    """
    if not user.mfa_enrolled and user.mfa_secret is not None:
        user.mfa_secret = None
        user.mfa_last_step = None
        db.session.commit()


def _normalize_code(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())


def _claim_step(user: User, step: int) -> bool:
    """Record `step` as used, unless it (or a later one) was already: the replay guard.

    One conditional UPDATE, so that two requests racing with the same code cannot both win.
    """
    result = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.mfa_last_step.is_(None), User.mfa_last_step < step),
        )
        .values(mfa_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def check_code(user: User, code: str, *, now: float | None = None) -> str:
    """'ok', 'replayed' or 'wrong': whether this code opens the account, claiming it if so.

    The caller commits (and audits).
    """
    code = _normalize_code(code)
    secret = decrypt_secret(user.mfa_secret)
    # ASCII digits only: str.isdigit() also accepts other scripts' digits.
    if secret is None or len(code) != 6 or not (code.isascii() and code.isdigit()):
        return "wrong"
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return "ok" if _claim_step(user, step) else "replayed"
    return "wrong"


def verify_code(user: User, code: str, *, ip: str | None) -> bool:
    """Check the second step at sign-in; audited either way."""
    outcome = check_code(user, code)
    if outcome == "ok":
        record("mfa.succeeded", actor_id=user.id, target=user, ip=ip, detail={"method": "totp"})
    else:
        record("mfa.failed", actor_id=user.id, target=user, ip=ip, detail={"reason": outcome})
    db.session.commit()
    return outcome == "ok"


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))  # ~49 bits
    return f"{raw[:5]}-{raw[5:]}"


def _normalize_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def replace_recovery_codes(user: User) -> list[str]:
    """A fresh set of recovery codes; the old ones stop working. The caller commits."""
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        db.session.add(
            MfaRecoveryCode(user_id=user.id, code_hash=hasher().hash(_normalize_recovery(code)))
        )
    return codes


def confirm_enrolment(user: User, code: str, *, ip: str | None) -> list[str] | None:
    """Finish setting up: a right code turns the second step on and returns recovery codes."""
    if user.mfa_enrolled:
        return None
    outcome = check_code(user, code)
    if outcome != "ok":
        record("mfa.failed", actor_id=user.id, target=user, ip=ip, detail={"reason": outcome})
        db.session.commit()
        return None
    user.mfa_enrolled_at = utcnow()
    codes = replace_recovery_codes(user)
    record("mfa.enrolled", actor_id=user.id, target=user, ip=ip)
    db.session.commit()
    return codes


def new_recovery_codes(user: User, *, ip: str | None) -> list[str]:
    """Replace a signed-in user's recovery codes (the old set may be used up or exposed)."""
    codes = replace_recovery_codes(user)
    record("mfa.recovery_codes_replaced", actor_id=user.id, target=user, ip=ip)
    db.session.commit()
    return codes


def remaining_recovery_codes(user: User) -> int:
    return len(
        db.session.scalars(
            select(MfaRecoveryCode.id).where(
                MfaRecoveryCode.user_id == user.id, MfaRecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def use_recovery_code(user: User, code: str, *, ip: str | None) -> bool:
    """Let a recovery code stand in for the app, once; audited either way."""
    normalized = _normalize_recovery(code)
    used = False
    if user.mfa_enrolled and len(normalized) == 10:
        unused = db.session.scalars(
            select(MfaRecoveryCode).where(
                MfaRecoveryCode.user_id == user.id, MfaRecoveryCode.used_at.is_(None)
            )
        ).all()
        for row in unused:
            try:
                hasher().verify(row.code_hash, normalized)
            except (VerificationError, InvalidHashError):
                continue
            # Conditional, so that the same code sent twice at once is spent only once.
            result = db.session.execute(
                update(MfaRecoveryCode)
                .where(MfaRecoveryCode.id == row.id, MfaRecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            used = result.rowcount == 1
            break
    if used:
        record("mfa.succeeded", actor_id=user.id, target=user, ip=ip, detail={"method": "recovery"})
    else:
        record("mfa.failed", actor_id=user.id, target=user, ip=ip, detail={"reason": "recovery"})
    db.session.commit()
    return used


def enrol_with_secret(user: User, secret: str) -> None:
    """Turn the second step on with a known secret: demo accounts and tests only."""
    user.mfa_secret = encrypt_secret(secret)
    user.mfa_enrolled_at = utcnow()
    user.mfa_last_step = None
    record("mfa.enrolled", target=user, detail={"by": "seed"})


def reset(user: User, *, actor_id: int | None, ip: str | None) -> None:
    """An administrator turns a user's second step off: they set it up again at next sign-in.

    For a lost phone. Every session of the user ends, and the recovery codes go too.
    """
    user.mfa_secret = None
    user.mfa_enrolled_at = None
    user.mfa_last_step = None
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    end_all_sessions(user.id)
    record("mfa.reset", actor_id=actor_id, target=user, ip=ip)
    db.session.commit()
