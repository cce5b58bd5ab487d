"""The liaison's door console for an event's session, tablet-first, with htmx."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.access import role_required
from portal.auth.roles import Role
from portal.extensions import db
from portal.families.models import ContactMethod
from portal.families.services import ContactInput, normalize_phone
from portal.htmx import is_fragment_request
from portal.programmes import attendance
from portal.programmes import registration as reg
from portal.programmes.forms import WalkInForm
from portal.programmes.models import Offering, OfferingSession
from portal.timeutil import district_today

bp = Blueprint("events", __name__)
DOOR = (Role.LIAISON, Role.PROGRAMME_STAFF)


@bp.get("/")
@role_required(*DOOR)
def index():
    """The events this person runs: their schools' (liaison) or all (programme staff)."""
    offerings = db.session.scalars(
        attendance.visible_offerings(current_user)
        .options(
            selectinload(Offering.sessions),
            selectinload(Offering.school),
            selectinload(Offering.programme),
        )
        .order_by(Offering.id.desc())
        .limit(100)
    ).all()
    return render_template(
        "events/index.html",
        offerings=offerings,
        can_cancel=current_user.has_role(Role.PROGRAMME_STAFF),
    )


def _session_or_404(offering_id: int, session_id: int) -> OfferingSession:
    session = attendance.session_in_scope(current_user, offering_id, session_id)
    if session is None:
        abort(404)
    return session


def _door(
    session: OfferingSession,
    form: WalkInForm,
    *,
    message: str = "",
    status: int = 200,
    text: str = "",
):  # noqa: ANN202
    context = {
        "session": session,
        "offering": session.offering,
        "form": form,
        "rows": attendance.roster(session, text),
        "counts": attendance.counts(session),
        "message": message,
        "q": text,
    }
    return render_template("events/door.html", **context), status


@bp.get("/<int:offering_id>/sessions/<int:session_id>")
@role_required(*DOOR)
def door(offering_id: int, session_id: int):
    """The console: live search of the roster, one-tap check-in, walk-ins, live counts."""
    session = _session_or_404(offering_id, session_id)
    text = request.args.get("q", "")[:60]
    if is_fragment_request():
        return render_template(
            "events/_roster.html",
            session=session,
            q=text,
            rows=attendance.roster(session, text),
        )
    return _door(session, WalkInForm(), text=text)


@bp.post("/<int:offering_id>/sessions/<int:session_id>/check-in/<int:registration_id>")
@role_required(*DOOR)
def check_in(offering_id: int, session_id: int, registration_id: int):
    """Check in, or undo (present=0); answers the row and the counts for htmx."""
    session = _session_or_404(offering_id, session_id)
    present = request.form.get("present", "1") == "1"
    row = attendance.set_checked_in(session, registration_id, present, actor_id=current_user.id)
    if row is None:
        abort(404)
    return _row(session, row)


@bp.post("/<int:offering_id>/sessions/<int:session_id>/homework/<int:registration_id>")
@role_required(*DOOR)
def homework(offering_id: int, session_id: int, registration_id: int):
    session = _session_or_404(offering_id, session_id)
    done = request.form.get("done", "1") == "1"
    row = attendance.set_homework(session, registration_id, done, actor_id=current_user.id)
    if row is None:
        abort(404)
    return _row(session, row)


def _row(session: OfferingSession, row: attendance.RosterRow):  # noqa: ANN202
    if is_fragment_request():
        return render_template(
            "events/_row_update.html",
            session=session,
            row=row,
            counts=attendance.counts(session),
        )
    return redirect(
        url_for("events.door", offering_id=session.offering_id, session_id=session.id), code=303
    )


@bp.post("/<int:offering_id>/sessions/<int:session_id>/walk-in")
@role_required(*DOOR)
def walk_in(offering_id: int, session_id: int):
    """Register and check in someone at the door; phone or email finds them if known."""
    session = _session_or_404(offering_id, session_id)
    form = WalkInForm()
    if not form.validate_on_submit():
        return _door(session, form, status=422)
    phone = normalize_phone(form.phone.data or "")
    email = (form.email.data or "").lower() or None
    try:
        result = attendance.walk_in(
            session,
            reg.RegistrationInput(
                contact=ContactInput(
                    name=form.name.data,
                    phone=phone,
                    email=email,
                    language=form.language.data,
                    contact_method=ContactMethod.TEXT if phone else ContactMethod.EMAIL,
                ),
                language=form.language.data,
                children_count=form.children_count.data or 0,
            ),
            actor_id=current_user.id,
            today=district_today(),
        )
    except reg.RegistrationClosed:
        return _door(
            session, form, message=str(_l("This event is not taking people now.")), status=422
        )
    name = result.row.registration.contact.name
    message = (
        _l("%(name)s was already registered: checked in.", name=name)
        if result.already_registered
        else _l("%(name)s registered at the door and checked in.", name=name)
    )
    return _door(session, WalkInForm(formdata=None), message=str(message))


@bp.post("/<int:offering_id>/cancel")
@role_required(Role.PROGRAMME_STAFF)
def cancel_offering(offering_id: int):
    """Cancel the whole offering; every registrant is told in their language."""
    from portal.admin.forms import ConfirmForm
    from portal.programmes.offerings import OfferingError
    from portal.programmes.offerings import cancel_offering as cancel

    offering = db.session.scalar(
        attendance.visible_offerings(current_user).where(Offering.id == offering_id)
    )
    if offering is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        told = cancel(offering, actor_id=current_user.id, ip=request.remote_addr)
    except OfferingError:
        flash(_l("This offering is already cancelled or completed."), "warning")
    else:
        flash(
            ngettext(
                "Cancelled. %(num)d family is being told in its language.",
                "Cancelled. %(num)d families are being told in their language.",
                told,
            ),
            "success",
        )
    return redirect(url_for("events.index"), code=303)
