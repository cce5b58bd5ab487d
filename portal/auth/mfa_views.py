"""The second sign-in step: setting up an authenticator app, and the code at each sign-in.

Between the password and the code the visitor is not signed in: the cookie only remembers
which account gave the right password, and when. The server-side session (and so the
session id) is created only once the code is right.
"""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm

from portal.access import public, signed_in, view_is_public
from portal.audit.services import record
from portal.auth import mfa, services
from portal.auth.forms import MfaCodeForm, RecoveryCodeForm
from portal.auth.models import User
from portal.extensions import db, limiter
from portal.i18n import safe_next
from portal.security import mark_sensitive

bp = Blueprint("mfa", __name__)

PENDING = "mfa_pending"


def _pending_id() -> int | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    uid, started = pending.get("uid"), pending.get("at")
    if not isinstance(uid, int) or not isinstance(started, int):
        return None
    if time.time() - started > current_app.config["MFA_PENDING_MINUTES"] * 60:
        return None
    return uid


def pending_user() -> User | None:
    """The account whose password was right a moment ago in this browser, if still active."""
    uid = _pending_id()
    user = db.session.get(User, uid) if uid is not None else None
    return user if user is not None and user.active else None


def _account_key() -> str:
    return f"mfa-account:{_pending_id()}"


def _audit_throttle(limit) -> None:
    record(
        "mfa.throttled",
        actor_id=_pending_id(),
        ip=request.remote_addr,
        detail={"limit": str(limit.limit)},
    )
    db.session.commit()


# The same bar as the password step (SECURITY.md item 8), shared by every form of this step:
# charged before the view runs, so a parallel burst cannot slip past it.
_per_address = limiter.shared_limit(
    "20 per minute; 100 per hour",
    scope="mfa-address",
    methods=["POST"],
    on_breach=_audit_throttle,
)
_per_account = limiter.shared_limit(
    "10 per 15 minutes",
    scope="mfa-account",
    key_func=_account_key,
    methods=["POST"],
    on_breach=_audit_throttle,
)


def start_signed_in(user: User, *, mfa_verified: bool) -> None:
    """A new session: nothing from before (the pending step included) carries over."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    services.start_session(user, ip=request.remote_addr, mfa_verified=mfa_verified)
    login_user(user)


def begin_second_step(user: User, next_url: str | None):
    """After the right password: remember the account for a few minutes, ask for the code."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    session[PENDING] = {"uid": user.id, "at": int(time.time()), "next": next_url or ""}
    mfa.forget_unconfirmed_secret(user)
    return redirect(url_for("mfa.code" if user.mfa_enrolled else "mfa.enrol"), code=303)


def _next_url() -> str:
    pending = session.get(PENDING) or {}
    target = pending.get("next") if isinstance(pending, dict) else None
    return safe_next(target) if target else url_for("auth.account")


def _start_again():
    flash(_("Please sign in again: that step took too long, or it was not started."), "info")
    return redirect(url_for("auth.sign_in"), code=303)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
@_per_address
@_per_account
def code():
    """The 6-digit code from the user's authenticator app."""
    user = pending_user()
    if user is None:
        return _start_again()
    if not user.mfa_enrolled:
        return redirect(url_for("mfa.enrol"), code=303)
    mark_sensitive()
    form = MfaCodeForm()
    if form.validate_on_submit():
        if mfa.verify_code(user, form.code.data or "", ip=request.remote_addr):
            target = _next_url()
            start_signed_in(user, mfa_verified=True)
            return redirect(target, code=303)
        form.code.errors.append(
            _(
                "That code is not right, or it has been used already. "
                "Wait for the next code in your app and try again."
            )
        )
    status = 422 if form.errors else 200
    return render_template("auth/mfa_code.html", form=form, user=user), status


@bp.route("/sign-in/recovery", methods=["GET", "POST"])
@public
@_per_address
@_per_account
def recovery():
    """A saved recovery code instead of the app, for a lost or forgotten phone."""
    user = pending_user()
    if user is None:
        return _start_again()
    if not user.mfa_enrolled:
        return redirect(url_for("mfa.enrol"), code=303)
    mark_sensitive()
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        if mfa.use_recovery_code(user, form.code.data or "", ip=request.remote_addr):
            target = _next_url()
            start_signed_in(user, mfa_verified=True)
            flash(
                ngettext(
                    "You used a recovery code; it will not work again. You have %(num)d left: "
                    "make new ones from your account page.",
                    "You used a recovery code; it will not work again. You have %(num)d left: "
                    "make new ones from your account page.",
                    mfa.remaining_recovery_codes(user),
                ),
                "warning",
            )
            return redirect(target, code=303)
        form.code.errors.append(_("That recovery code is not right, or it has been used."))
    status = 422 if form.errors else 200
    return render_template("auth/mfa_recovery.html", form=form, user=user), status


@bp.route("/sign-in/set-up", methods=["GET", "POST"])
@public
@_per_address
@_per_account
def enrol():
    """First sign-in of a role that needs two steps: set up an app, confirm with a code."""
    user = pending_user()
    if user is None:
        return _start_again()
    if user.mfa_enrolled:
        return redirect(url_for("mfa.code"), code=303)
    mark_sensitive()
    secret = mfa.begin_enrolment(user)
    form = MfaCodeForm()
    if form.validate_on_submit():
        codes = mfa.confirm_enrolment(user, form.code.data or "", ip=request.remote_addr)
        if codes is not None:
            target = _next_url()
            start_signed_in(user, mfa_verified=True)
            # Shown in this response only: the codes are never stored in a readable form.
            return render_template("auth/mfa_recovery_codes.html", codes=codes, next_url=target)
        form.code.errors.append(
            _("That code is not right. Check the key in your app and try the newest code.")
        )
    status = 422 if form.errors else 200
    return render_template(
        "auth/mfa_enrol.html",
        form=form,
        user=user,
        qr=mfa.qr_svg(mfa.provisioning_uri(user, secret)),
        secret=mfa.formatted(secret),
    ), status


@bp.post("/account/recovery-codes")
@signed_in
@limiter.limit("5 per hour")
def replace_recovery_codes():
    """A new set of recovery codes for a signed-in user; the old ones stop working."""
    if not current_user.mfa_enrolled or not FlaskForm().validate_on_submit():
        return redirect(url_for("auth.account"), code=303)
    mark_sensitive()
    codes = mfa.new_recovery_codes(current_user, ip=request.remote_addr)
    return render_template(
        "auth/mfa_recovery_codes.html", codes=codes, next_url=url_for("auth.account")
    )


def require_second_step():
    """A before-request hook: a session that skipped the second step it now needs ends.

    Sessions of a role that needs two steps only begin after the code; this catches a role
    given, or an MFA reset, while someone was already signed in.
    """
    if "_user_id" not in session or request.endpoint in (None, "static"):
        return None
    # Public pages show nothing an account unlocks (and health checks stay off the database).
    if view_is_public(current_app.view_functions.get(request.endpoint)):
        return None
    user = current_user
    if not user.is_authenticated:
        return None
    if (user.needs_mfa or user.mfa_enrolled) and not user.session_mfa_verified:
        services.end_session(user.session_token, ip=request.remote_addr)
        language = session.get("lang")
        logout_user()
        session.clear()
        if language:
            session["lang"] = language
        if request.headers.get("HX-Request") == "true" or request.path.startswith("/_"):
            response = current_app.response_class(status=401)
            response.headers["HX-Redirect"] = url_for("auth.sign_in")
            return response
        flash(_("Your account now needs two-step sign-in. Please sign in again."), "info")
        return redirect(url_for("auth.sign_in"))
    return None
