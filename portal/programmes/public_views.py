"""Families browse workshops and events, register, and manage their registration."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.access import public
from portal.extensions import db, limiter
from portal.families.messages import message_family
from portal.families.models import ContactMethod
from portal.families.services import ContactInput, normalize_phone
from portal.htmx import is_fragment_request
from portal.i18n import current_language
from portal.programmes import browse
from portal.programmes import registration as reg
from portal.programmes.calendar_file import offering_calendar
from portal.programmes.forms import RegistrationForm
from portal.programmes.models import Offering, Programme, Registration
from portal.schools.models import School
from portal.security import mark_sensitive
from portal.timeutil import district_today
from portal.urls import public_url

bp = Blueprint("workshops", __name__)
PAGE_SIZE = 20


@bp.get("/workshops")
@public
def index():
    """Upcoming workshops and events, by school, language, programme and date."""
    flt = browse.parse_filter(request.args)
    page = db.paginate(
        browse.upcoming(flt, district_today()),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
        error_out=False,
    )
    context = {"page": page, "flt": flt, "language": current_language()}
    if is_fragment_request():
        return render_template("workshops/_results.html", **context)
    schools = db.session.scalars(select(School).where(School.active).order_by(School.name))
    programmes = db.session.scalars(
        select(Programme).where(Programme.active).order_by(Programme.name_en)
    )
    return render_template(
        "workshops/index.html", schools=list(schools), programmes=list(programmes), **context
    )


def _offering_or_404(offering_id: int) -> Offering:
    offering = browse.public_offering(offering_id)
    if offering is None:
        abort(404)
    return offering


@bp.route("/workshops/<int:offering_id>", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute; 30 per hour", methods=["POST"])
def offering(offering_id: int):
    """An offering's sessions and the registration form."""
    item = _offering_or_404(offering_id)
    form = RegistrationForm()
    if request.method == "GET" and not form.language.data:
        form.language.data = current_language()
    today = district_today()
    open_now = reg.accepting(item, today)
    if open_now and form.validate_on_submit():
        language = form.language.data
        phone = normalize_phone(form.phone.data or "")
        email = (form.email.data or "").lower() or None
        try:
            outcome = reg.register(
                item.id,
                reg.RegistrationInput(
                    contact=ContactInput(
                        name=form.name.data,
                        phone=phone,
                        email=email,
                        language=language,
                        contact_method=ContactMethod.EMAIL if email else ContactMethod.TEXT,
                    ),
                    language=language,
                    children_count=form.children_count.data or 0,
                    children_ages=form.children_ages.data or "",
                    accommodations=form.accommodations.data or "",
                ),
                today=today,
                confirm=True,
            )
        except reg.RegistrationClosed:
            flash(_l("Registration for this event has just closed."), "warning")
            return redirect(url_for("workshops.offering", offering_id=item.id), code=303)
        if outcome.created:
            session["workshop_code"] = outcome.code
            session["lang"] = language
            return redirect(url_for("workshops.registered"), code=303)
        flash(
            _l("You were already registered for this event; your registration is unchanged."),
            "info",
        )
        return redirect(url_for("workshops.offering", offering_id=item.id), code=303)
    return render_template(
        "workshops/offering.html", offering=item, form=form, open_now=open_now
    ), (422 if form.errors else 200)


@bp.get("/workshops/registered")
@public
def registered():
    """The confirmation right after registering: the code, the cancel link, the calendar."""
    mark_sensitive()
    code = session.get("workshop_code", "")
    registration = reg.find_by_code(code)
    if registration is None:
        return redirect(url_for("workshops.index"))
    return render_template("workshops/registered.html", registration=registration, code=code)


def _registration_or_404(code: str) -> Registration:
    mark_sensitive()
    registration = reg.find_by_code(code)
    if registration is None:
        abort(404)
    return registration


@bp.get("/workshops/r/<code>")
@public
@limiter.limit("30 per minute")
def manage(code: str):
    """The family's own registration, opened from the link in their message."""
    registration = _registration_or_404(code)
    return render_template("workshops/manage.html", registration=registration, code=code)


@bp.post("/workshops/r/<code>/cancel")
@public
@limiter.limit("10 per minute")
def cancel(code: str):
    registration = _registration_or_404(code)
    promoted = reg.cancel(registration, commit=False)
    message_family(
        registration.contact,
        language=registration.language,
        kind="registration.cancelled",
        context={"registration": registration, "offering": registration.offering},
        dedupe=f"registration:{registration.id}:cancelled:{registration.cancelled_at}",
    )
    if promoted is not None:
        reg.tell_promoted(promoted)
    db.session.commit()
    flash(_l("Your registration is cancelled. Thank you for letting us know."), "success")
    return redirect(url_for("workshops.manage", code=code), code=303)


@bp.get("/workshops/r/<code>/calendar.ics")
@public
@limiter.limit("30 per minute")
def calendar_file(code: str):
    """Every session in a calendar file, in the family's language."""
    registration = _registration_or_404(code)
    host = public_url("main.home").split("//", 1)[-1].split("/", 1)[0].split(":")[0]
    body = offering_calendar(registration.offering, registration.language, uid_domain=host)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = "attachment; filename=puente.ics"
    return response
