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


def _door(session: OfferingSession, form: WalkInForm, *, status: int = 200, **walk_in):  # noqa: ANN202
    """The whole console page; `walk_in` is what the walk-in form says (message, problem)."""
    door = attendance.Door.of(session)
    text = request.args.get("q", "")[:60]
    context = {
        "session": session,
        "offering": session.offering,
        "door": door,
        "form": form,
        "rows": attendance.roster(door, text),
        "counts": attendance.counts(door),
        "q": text,
        **walk_in,
    }
    return render_template("events/door.html", **context), status


@bp.get("/<int:offering_id>/sessions/<int:session_id>")
@role_required(*DOOR)
def door(offering_id: int, session_id: int):
    """The console: live search of the roster, one-tap check-in, walk-ins, live counts."""
    session = _session_or_404(offering_id, session_id)
    if is_fragment_request():
        text = request.args.get("q", "")[:60]
        console = attendance.Door.of(session)
        return render_template(
            "events/_roster.html", door=console, q=text, rows=attendance.roster(console, text)
        )
    return _door(session, WalkInForm())


@bp.post("/<int:offering_id>/sessions/<int:session_id>/check-in/<int:registration_id>")
@role_required(*DOOR)
def check_in(offering_id: int, session_id: int, registration_id: int):
    """Check in, or undo (present=0); answers the row and the counts for htmx."""
    door = attendance.Door.of(_session_or_404(offering_id, session_id))
    present = request.form.get("present", "1") == "1"
    marked = attendance.set_checked_in(door, registration_id, present, actor_id=current_user.id)
    if marked is None:
        abort(404)
    return _row(door, marked)


@bp.post("/<int:offering_id>/sessions/<int:session_id>/homework/<int:registration_id>")
@role_required(*DOOR)
def homework(offering_id: int, session_id: int, registration_id: int):
    door = attendance.Door.of(_session_or_404(offering_id, session_id))
    done = request.form.get("done", "1") == "1"
    marked = attendance.set_homework(door, registration_id, done, actor_id=current_user.id)
    if marked is None:
        abort(404)
    return _row(door, marked)


def _row(door: attendance.Door, marked: attendance.Marked):  # noqa: ANN202
    if is_fragment_request():
        return render_template(
            "events/_row_update.html", door=door, row=marked.row, counts=marked.counts
        )
    return redirect(
        url_for("events.door", offering_id=door.offering_id, session_id=door.session_id), code=303
    )


@bp.post("/<int:offering_id>/sessions/<int:session_id>/walk-in")
@role_required(*DOOR)
def walk_in(offering_id: int, session_id: int):
    """Register and check in someone at the door; phone or email finds them if known.

    htmx gets the cleared form, the participant's row and the new counts; a browser without
    it gets the whole console again.
    """
    session = _session_or_404(offering_id, session_id)
    door = attendance.Door.of(session)
    form = WalkInForm()
    if not form.validate_on_submit():
        return _walk_in_refused(session, door, form)
    phone = normalize_phone(form.phone.data or "")
    email = (form.email.data or "").lower() or None
    try:
        result = attendance.walk_in(
            door,
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
        return _walk_in_refused(
            session, door, form, problem=str(_l("This event is not taking people now."))
        )
    name = result.row.name
    message = str(
        _l("%(name)s was already registered: checked in.", name=name)
        if result.already_registered
        else _l("%(name)s registered at the door and checked in.", name=name)
    )
    if not is_fragment_request():
        return _door(session, WalkInForm(formdata=None), message=message)
    text = request.form.get("q", "")[:60]
    return render_template(
        "events/_walk_in_update.html",
        door=door,
        form=WalkInForm(formdata=None),
        answered_in_place=True,
        message=message,
        row=result.row,
        counts=result.counts,
        # Someone new goes to the top of the list; someone known is already on it, so the
        # list is drawn again as the search in the console shows it.
        rows=attendance.roster(door, text) if result.already_registered else None,
        q=text,
    )


def _walk_in_refused(session: OfferingSession, door: attendance.Door, form: WalkInForm, **problem):  # noqa: ANN202
    if is_fragment_request():
        return render_template(
            "events/_walk_in_update.html", door=door, form=form, answered_in_place=True, **problem
        ), 422
    return _door(session, form, status=422, **problem)


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
