"""Administrators' pages: find, create and edit accounts; read the audit trail."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal.access import role_required
from portal.admin import services
from portal.admin.forms import ConfirmForm, NonSchoolDayForm, UserForm
from portal.audit import services as audit
from portal.auth import mfa
from portal.auth.models import User
from portal.auth.roles import Role
from portal.calendar import services as calendar_services
from portal.calendar.models import DayKind, NonSchoolDay
from portal.extensions import db
from portal.htmx import is_fragment_request, redirect_to
from portal.referrals.models import Referral
from portal.schools.models import Network
from portal.timeutil import district_today

bp = Blueprint("admin", __name__)

PAGE_SIZE = 50


def _role_filter(raw: str | None) -> Role | None:
    try:
        return Role(raw) if raw else None
    except ValueError:
        return None


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    """Everyone with an account, searchable by name or email, filtered by role and status."""
    text = request.args.get("q", "")[:100]
    role = _role_filter(request.args.get("role"))
    status = request.args.get("status", "")
    active = {"active": True, "inactive": False}.get(status)
    page = db.paginate(
        services.list_users(text=text, role=role, active=active),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
        error_out=False,
    )
    context = {
        "page": page,
        "q": text,
        "role": role,
        "status": status if active is not None else "",
        "roles": list(Role),
    }
    if is_fragment_request():
        return render_template("admin/_user_results.html", **context)
    return render_template("admin/users.html", **context)


def _school_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Schools grouped by network, for the checkboxes."""
    networks = db.session.scalars(select(Network).order_by(Network.name)).all()
    return [(n.name, [(s.id, s.name) for s in n.schools if s.active]) for n in networks]


def _prepare(form: UserForm) -> list[tuple[str, list[tuple[int, str]]]]:
    grouped = _school_choices()
    form.schools.choices = [SelectChoice(v, label) for _, group in grouped for v, label in group]
    form.network.choices = [SelectChoice("", _l("None"))] + [
        SelectChoice(n.id, n.name)
        for n in db.session.scalars(select(Network).order_by(Network.name))
    ]
    return grouped


def _input(form: UserForm, *, existing: bool) -> services.UserInput:
    return services.UserInput(
        email=form.email.data or "",
        name=form.name.data or "",
        preferred_language=form.preferred_language.data or "en",
        roles=frozenset(Role(r) for r in form.roles.data or []),
        school_ids=frozenset(form.schools.data or []),
        network_id=form.network.data,
        # A new account starts active; the checkbox is only on the edit page.
        active=bool(form.active.data) if existing else True,
        password=form.password.data or None,
    )


def _show_errors(form: UserForm, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        field = form[name] if name in form else form.email
        field.errors = list(field.errors) + messages


def _render_form(form: UserForm, grouped, user: User | None, status: int = 200):
    template = "admin/_user_form.html" if is_fragment_request() else "admin/user_form.html"
    return render_template(
        template, form=form, grouped_schools=grouped, user=user, confirm=ConfirmForm()
    ), status


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_user():
    form = UserForm()
    return _save(
        form,
        None,
        lambda data: services.create_user(data, actor_id=current_user.id, ip=request.remote_addr),
        _l("The account for %(name)s has been created."),
    )


def _save(form: UserForm, user: User | None, save, message):
    """Validate, save through the service, and answer: back to the list, or the form with 422."""
    grouped = _prepare(form)
    if form.validate_on_submit():
        try:
            saved = save(_input(form, existing=user is not None))
        except services.UserInputError as error:
            _show_errors(form, error.errors)
        else:
            flash(message % {"name": saved.name}, "success")
            return redirect_to(url_for("admin.users"))
    return _render_form(form, grouped, user, 422 if form.errors else 200)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    if request.method == "GET":
        form = UserForm(
            data={
                "email": user.email,
                "name": user.name,
                "preferred_language": user.preferred_language,
                "roles": [r.value for r in user.roles],
                "schools": [s.id for s in user.schools],
                "network": services.led_network_id(user),
                "active": user.active,
            }
        )
    else:
        form = UserForm()
    return _save(
        form,
        user,
        lambda data: services.update_user(
            user, data, actor_id=current_user.id, ip=request.remote_addr
        ),
        _l("The account for %(name)s has been saved."),
    )


@bp.post("/users/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate_user(user_id: int):
    return _set_active(user_id, active=False)


@bp.post("/users/<int:user_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate_user(user_id: int):
    return _set_active(user_id, active=True)


def _set_active(user_id: int, *, active: bool):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.set_active(user, active, actor_id=current_user.id, ip=request.remote_addr)
    except services.UserInputError as error:
        for messages in error.errors.values():
            for message in messages:
                flash(message, "danger")
    else:
        message = (
            _l("%(name)s can sign in again.", name=user.name)
            if active
            else _l("%(name)s has been deactivated and signed out everywhere.", name=user.name)
        )
        flash(message, "success")
    return redirect(url_for("admin.edit_user", user_id=user.id), code=303)


@bp.post("/users/<int:user_id>/mfa-reset")
@role_required(Role.ADMIN)
def reset_mfa(user_id: int):
    """Turn a user's two-step sign-in off (a lost phone); they set it up again at sign-in."""
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    mfa.reset(user, actor_id=current_user.id, ip=request.remote_addr)
    flash(
        _l(
            "Two-step sign-in for %(name)s has been reset; they are signed out everywhere.",
            name=user.name,
        ),
        "success",
    )
    return redirect(url_for("admin.edit_user", user_id=user.id), code=303)


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit_log():
    """The audit trail, newest first; read-only."""
    action = request.args.get("action", "")[:64]
    known = audit.actions()
    if action not in known:
        action = ""
    page = db.paginate(
        audit.events(action=action or None),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
        error_out=False,
    )
    actor_ids = {e.actor_id for e in page.items if e.actor_id}
    actors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
    return render_template(
        "admin/audit.html",
        page=page,
        actions=known,
        action=action,
        actors=actors,
        referral_tokens=_referral_tokens(page.items),
    )


def _referral_tokens(events: list) -> dict[str, str]:
    """Each referral on the page, by its audit target id, to link its access history.

    A referral is addressed by its token, never its id; the admin may read any referral's
    access history (and that read is audited there), so the link opens nothing new.
    """
    ids = {
        int(e.target_id)
        for e in events
        if e.target_type == Referral.__tablename__ and (e.target_id or "").isdigit()
    }
    if not ids:
        return {}
    rows = db.session.execute(select(Referral.id, Referral.token).where(Referral.id.in_(ids)))
    return {str(referral_id): token for referral_id, token in rows}


@bp.route("/calendar", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def calendar():
    """The district calendar: add or remove days without classes; due dates follow."""
    form = NonSchoolDayForm()
    if form.validate_on_submit():
        try:
            calendar_services.add_day(
                form.day.data,
                DayKind(form.kind.data),
                form.name_en.data,
                form.name_es.data,
                actor_id=current_user.id,
                ip=request.remote_addr,
            )
        except calendar_services.CalendarError as error:
            form[error.field].errors = [*form[error.field].errors, str(error)]
        else:
            flash(_l("The calendar has been updated; open cases' due dates have moved."), "success")
            return redirect(url_for("admin.calendar"), code=303)
    first, last = calendar_services.school_year_bounds(district_today())
    return render_template(
        "admin/calendar.html",
        form=form,
        confirm=ConfirmForm(),
        days=calendar_services.days_between(first, last),
    ), 422 if form.errors else 200


@bp.post("/calendar/<int:day_id>/delete")
@role_required(Role.ADMIN)
def remove_calendar_day(day_id: int):
    row = db.session.get(NonSchoolDay, day_id)
    if row is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    calendar_services.remove_day(row, actor_id=current_user.id, ip=request.remote_addr)
    flash(_l("The day has been removed; it is a school day again."), "success")
    return redirect(url_for("admin.calendar"), code=303)
