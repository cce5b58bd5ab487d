"""Sign-in, sign-out and the account page."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from portal.access import public, signed_in
from portal.admin.services import led_network_id
from portal.audit.services import record
from portal.auth import mfa, services
from portal.auth.forms import PasswordChangeForm, SignInForm
from portal.auth.mfa_views import begin_second_step, start_signed_in
from portal.extensions import db, limiter, login_manager
from portal.i18n import safe_next
from portal.schools.models import Network

bp = Blueprint("auth", __name__)


def _account_key() -> str:
    return "account:" + services.normalize_email(request.form.get("email", ""))[:254]


def _audit_throttle(limit) -> None:
    record(
        "sign_in.throttled",
        ip=request.remote_addr,
        detail={
            "limit": str(limit.limit),
            "email": services.normalize_email(request.form.get("email", ""))[:254],
        },
    )
    db.session.commit()


def configure_login(app: Flask) -> None:
    """Flask-Login reads the server-side session token from the cookie."""
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to see that page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(services.load_session)

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.headers.get("HX-Request") == "true" or request.path.startswith("/_"):
            # htmx and XHR callers cannot follow a redirect into a page; tell them instead.
            response = app.response_class(status=401)
            response.headers["HX-Redirect"] = url_for("auth.sign_in")
            return response
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute; 100 per hour", methods=["POST"], on_breach=_audit_throttle)
@limiter.limit(
    "10 per 15 minutes", methods=["POST"], key_func=_account_key, on_breach=_audit_throttle
)
def sign_in():
    """Email and password; one generic answer for every kind of failure."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.account"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(
            form.email.data or "", form.password.data or "", ip=request.remote_addr
        )
        if user is not None:
            if user.needs_mfa or user.mfa_enrolled:
                # Not signed in yet: the code (or setting up the app) comes first.
                return begin_second_step(user, request.args.get("next"))
            start_signed_in(user, mfa_verified=False)
            return redirect(
                safe_next(request.args.get("next"))
                if request.args.get("next")
                else url_for("auth.account"),
                code=303,
            )
        form.password.errors.append(
            str(_l("That email and password do not match an active account."))
        )
    status = 422 if form.errors else 200
    return render_template("auth/sign_in.html", form=form), status


@bp.post("/sign-out")
@public  # a signed-out visitor pressing an old sign-out button just lands on the home page
def sign_out():
    """End the session on the server, then forget the cookie."""
    if current_user.is_authenticated:
        services.end_session(current_user.session_token, ip=request.remote_addr)
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    flash(_l("You are signed out."), "success")
    return redirect(url_for("main.home"), code=303)


@bp.get("/account")
@signed_in
def account():
    """Who I am in the portal: roles, schools, network, and my password."""
    return _render_account(PasswordChangeForm())


@bp.post("/account/password")
@signed_in
@limiter.limit("10 per hour")
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        problems = services.change_own_password(
            current_user,
            form.current_password.data or "",
            form.new_password.data or "",
            ip=request.remote_addr,
        )
        if not problems:
            flash(
                _l("Your password has been changed. Other devices have been signed out."), "success"
            )
            return redirect(url_for("auth.account"), code=303)
        for name, messages in problems.items():
            form[name].errors = list(form[name].errors) + messages
    return _render_account(form), 422


def _render_account(form: PasswordChangeForm):
    network_id = led_network_id(current_user)
    network = db.session.get(Network, network_id) if network_id else None
    schools = sorted(current_user.schools, key=lambda s: s.name)
    recovery_left = None
    if current_user.mfa_enrolled:
        recovery_left = mfa.remaining_recovery_codes(current_user)
        form.new_password.description = _l(
            "At least %(n)d characters: your two-step sign-in protects the account too. "
            "A phrase of a few unrelated words is easy to remember and hard to guess.",
            n=services.password_minimum(mfa=True),
        )
    return render_template(
        "auth/account.html",
        form=form,
        network=network,
        schools=schools,
        recovery_left=recovery_left,
    )
