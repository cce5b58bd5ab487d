"""Planning offerings: programme staff for every programme, liaisons for their own schools.

Also the facilitators' loads and the school leaders' waitlist for trainer-of-trainers, which
are the FACE office's alone.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from portal.access import role_required, visible_schools
from portal.admin.forms import ConfirmForm
from portal.auth.models import User, UserRole
from portal.auth.roles import Role
from portal.extensions import db
from portal.i18n import current_language
from portal.programmes import facilitators as facilitation
from portal.programmes import offerings as planning
from portal.programmes import trainers
from portal.programmes import trainings as liaison_trainings
from portal.programmes.feedback import feedback_summary
from portal.programmes.forms import (
    EnrolForm,
    NewOfferingForm,
    OfferingForm,
    SessionForm,
    StatusForm,
    WaitlistEntryForm,
)
from portal.programmes.models import (
    Audience,
    Offering,
    OfferingLanguage,
    OfferingSession,
    OfferingStatus,
    Programme,
    Registration,
    RegistrationStatus,
    TrainingWaitlistEntry,
)
from portal.programmes.reference_data import topics
from portal.programmes.registration import RegistrationClosed, waitlist
from portal.timeutil import district_datetime, district_today, to_district, utcnow

bp = Blueprint("programmes", __name__)
PLANNERS = (Role.PROGRAMME_STAFF, Role.LIAISON)


def _is_staff() -> bool:
    return current_user.has_role(Role.PROGRAMME_STAFF)


def _offering_or_404(offering_id: int) -> Offering:
    offering = db.session.scalar(
        planning.manageable_offerings(current_user).where(Offering.id == offering_id)
    )
    if offering is None:
        abort(404)
    return offering


@bp.get("/")
@role_required(*PLANNERS)
def index():
    """The offerings this person plans, newest first, narrowed by status and programme."""
    status = request.args.get("status", "")
    query = planning.manageable_offerings(current_user).options(
        selectinload(Offering.sessions),
        selectinload(Offering.school),
        selectinload(Offering.programme),
        selectinload(Offering.facilitators),
    )
    if status in {s.value for s in OfferingStatus}:
        query = query.where(Offering.status == OfferingStatus(status))
    offerings = db.session.scalars(query.order_by(Offering.id.desc()).limit(200)).all()
    return render_template(
        "programmes/index.html",
        offerings=offerings,
        status=status,
        statuses=list(OfferingStatus),
        is_staff=_is_staff(),
    )


def _programme_choices(form: OfferingForm) -> None:
    query = select(Programme).where(Programme.active.is_(True)).order_by(Programme.id)
    if not _is_staff():
        query = query.where(Programme.audience == Audience.FAMILIES)
    language = current_language()
    form.programme.choices = [SelectChoice("", _l("Choose…"))] + [
        SelectChoice(p.id, p.name(language)) for p in db.session.scalars(query)
    ]


def _school_choices(form: OfferingForm | WaitlistEntryForm, *, district_wide: bool) -> None:
    schools = db.session.scalars(visible_schools(current_user)).all()
    first = SelectChoice("", _l("District-wide (no host school)") if district_wide else "—")
    form.school.choices = [first] + [SelectChoice(s.id, s.name) for s in schools]


def _facilitator_choices(form: OfferingForm, school_id: int | None, current: list[User]) -> None:
    people = {u.id: u for u in facilitation.eligible_facilitators(school_id)}
    people.update({u.id: u for u in current})
    certified = facilitation.certified_user_ids(people)
    loads = facilitation.committed_seats(people)
    form.facilitators.choices = [
        SelectChoice(
            u.id,
            _l(
                "%(name)s (%(certified)s; leading %(load)d of %(limit)d parents)",
                name=u.name,
                certified=_l("certified") if u.id in certified else _l("not certified"),
                load=round(loads.get(u.id, 0)),
                limit=facilitation.PARENTS_PER_FACILITATOR,
            ),
        )
        for u in sorted(people.values(), key=lambda u: u.name.lower())
    ]


def _prepare(form: OfferingForm, offering: Offering | None = None) -> None:
    _programme_choices(form)
    _school_choices(form, district_wide=_is_staff())
    school_id = form.school.data if form.school.data else None
    _facilitator_choices(form, school_id, offering.facilitators if offering else [])


def _details(form: OfferingForm) -> planning.OfferingDetails | None:
    """What the form says, checked against the user's scope; None (with errors) otherwise."""
    programme = db.session.get(Programme, form.programme.data or 0)
    if programme is None or form.programme.data not in {c.value for c in form.programme.choices}:
        form.programme.errors = [*form.programme.errors, _l("Choose a programme.")]
        return None
    school_id = form.school.data or None
    if school_id is None and not _is_staff():
        form.school.errors = [*form.school.errors, _l("Choose your school.")]
        return None
    if school_id is not None and school_id not in {c.value for c in form.school.choices}:
        form.school.errors = [*form.school.errors, _l("Choose a school from the list.")]
        return None
    chosen = form.facilitators.data or []
    people = list(db.session.scalars(select(User).where(User.id.in_(chosen)))) if chosen else []
    return planning.OfferingDetails(
        programme=programme,
        school_id=school_id,
        title_en=form.title_en.data or "",
        title_es=form.title_es.data or "",
        language=OfferingLanguage(form.language.data),
        capacity=form.capacity.data,
        location=form.location.data,
        childcare_offered=form.childcare_offered.data,
        interpretation_offered=form.interpretation_offered.data,
        registration_opens=form.registration_opens.data,
        registration_closes=form.registration_closes.data,
        facilitators=people,
    )


@bp.route("/offerings/new", methods=["GET", "POST"])
@role_required(*PLANNERS)
def new_offering():
    form = NewOfferingForm()
    _prepare(form)
    if request.method == "GET" and not form.language.data:
        form.language.data = OfferingLanguage.BILINGUAL.value
    problem = ""
    if form.validate_on_submit():
        details = _details(form)
        if details is not None:
            names = topics(details.programme.code)
            sessions = []
            for week in range(form.weeks.data):
                day = form.day.data + timedelta(weeks=week)
                topic_en, topic_es = names[week] if week < len(names) else ("", "")
                sessions.append(
                    planning.SessionTimes(
                        starts_at=district_datetime(day, form.starts.data),
                        ends_at=district_datetime(day, form.ends.data),
                        topic_en=topic_en,
                        topic_es=topic_es,
                    )
                )
            try:
                offering = planning.create_offering(
                    details, sessions, actor_id=current_user.id, ip=request.remote_addr
                )
            except planning.OfferingError as error:
                problem = str(error)
            else:
                flash(_l("Saved as a draft. Open it when families may register."), "success")
                return redirect(url_for(".offering", offering_id=offering.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("programmes/new.html", form=form, problem=problem), status


@bp.get("/offerings/<int:offering_id>")
@role_required(*PLANNERS)
def offering(offering_id: int):
    item = _offering_or_404(offering_id)
    return _manage_page(item)


def _manage_page(item: Offering, *, session_form: SessionForm | None = None, status: int = 200):
    return render_template(
        "programmes/offering.html",
        offering=item,
        waiting=waitlist(item.id),
        session_form=session_form or SessionForm(formdata=None),
        status_form=StatusForm(),
        confirm=ConfirmForm(),
        transitions=planning.TRANSITIONS.get(item.status, set()),
        checked_in=planning.checked_in_by_session(item),
        feedback=feedback_summary(item),
        liaisons=_liaisons_to_register(item) if _is_staff() else [],
        is_staff=_is_staff(),
        now=utcnow(),
    ), status


def _liaisons_to_register(item: Offering) -> list[User]:
    """Active liaisons not yet signed up, for a staff training that takes people now."""
    if item.programme.audience == Audience.FAMILIES or item.status not in (
        OfferingStatus.OPEN,
        OfferingStatus.CLOSED,
    ):
        return []
    taken = select(Registration.user_id).where(
        Registration.offering_id == item.id,
        Registration.user_id.is_not(None),
        Registration.status != RegistrationStatus.CANCELLED,
    )
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.active.is_(True), UserRole.role == Role.LIAISON, User.id.not_in(taken))
            .order_by(User.name)
        )
    )


@bp.route("/offerings/<int:offering_id>/edit", methods=["GET", "POST"])
@role_required(*PLANNERS)
def edit_offering(offering_id: int):
    item = _offering_or_404(offering_id)
    if item.status in planning.FINAL:
        flash(_l("A cancelled or completed offering cannot be changed."), "warning")
        return redirect(url_for(".offering", offering_id=item.id), code=303)
    form = OfferingForm(obj=item if request.method == "GET" else None)
    if request.method == "GET":
        form.programme.data = item.programme_id
        form.school.data = item.school_id
        form.language.data = item.language.value
        form.facilitators.data = [u.id for u in item.facilitators]
    _prepare(form, item)
    problem = ""
    if form.validate_on_submit():
        details = _details(form)
        if details is not None:
            try:
                promoted = planning.update_offering(
                    item, details, actor_id=current_user.id, ip=request.remote_addr
                )
            except planning.OfferingError as error:
                problem = str(error)
            else:
                flash(_l("Saved."), "success")
                if promoted:
                    flash(
                        ngettext(
                            "%(num)d family moved from the waitlist to a seat and is being told.",
                            "%(num)d families moved from the waitlist to a seat and are being "
                            "told.",
                            len(promoted),
                        ),
                        "info",
                    )
                return redirect(url_for(".offering", offering_id=item.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "programmes/edit.html", form=form, offering=item, problem=problem
    ), status


@bp.post("/offerings/<int:offering_id>/status")
@role_required(*PLANNERS)
def change_status(offering_id: int):
    item = _offering_or_404(offering_id)
    form = StatusForm()
    if not form.validate_on_submit() or form.to.data not in {s.value for s in OfferingStatus}:
        abort(400)
    try:
        certified = planning.change_status(
            item,
            OfferingStatus(form.to.data),
            actor_id=current_user.id,
            ip=request.remote_addr,
            now=utcnow(),
        )
    except planning.OfferingError as error:
        message = str(error)
        known = {s.value for s in OfferingStatus}
        flash(_l("That change is not possible now.") if message in known else message, "warning")
    else:
        flash(STATUS_DONE[item.status], "success")
        if certified:
            flash(
                ngettext(
                    "%(num)d person who completed the training is now a certified facilitator.",
                    "%(num)d people who completed the training are now certified facilitators.",
                    certified,
                ),
                "success",
            )
    return redirect(url_for(".offering", offering_id=item.id), code=303)


STATUS_DONE = {
    OfferingStatus.OPEN: _l("Open: families can find it and register."),
    OfferingStatus.CLOSED: _l("Closed to new registrations. The door still takes walk-ins."),
    OfferingStatus.COMPLETED: _l("Marked as completed."),
}


def _times(form: SessionForm) -> planning.SessionTimes:
    return planning.SessionTimes(
        starts_at=district_datetime(form.day.data, form.starts.data),
        ends_at=district_datetime(form.day.data, form.ends.data),
        topic_en=form.topic_en.data or "",
        topic_es=form.topic_es.data or "",
        location=form.location.data or "",
    )


@bp.post("/offerings/<int:offering_id>/sessions")
@role_required(*PLANNERS)
def add_session(offering_id: int):
    item = _offering_or_404(offering_id)
    form = SessionForm()
    if not form.validate_on_submit():
        return _manage_page(item, session_form=form, status=422)
    try:
        planning.add_session(item, _times(form), actor_id=current_user.id, ip=request.remote_addr)
    except planning.OfferingError:
        flash(_l("A cancelled or completed offering cannot be changed."), "warning")
    else:
        flash(_l("Session added."), "success")
    return redirect(url_for(".offering", offering_id=item.id), code=303)


def _session_or_404(item: Offering, session_id: int) -> OfferingSession:
    session = next((s for s in item.sessions if s.id == session_id), None)
    if session is None:
        abort(404)
    return session


@bp.route("/offerings/<int:offering_id>/sessions/<int:session_id>/move", methods=["GET", "POST"])
@role_required(*PLANNERS)
def move_session(offering_id: int, session_id: int):
    """Change a session's day, time or place; everyone registered or waiting is told."""
    item = _offering_or_404(offering_id)
    session = _session_or_404(item, session_id)
    if item.status in planning.FINAL:
        flash(_l("A cancelled or completed offering cannot be changed."), "warning")
        return redirect(url_for(".offering", offering_id=item.id), code=303)
    form = SessionForm()
    if request.method == "GET":
        local = to_district(session.starts_at)
        form.day.data = local.date()
        form.starts.data = local.time()
        form.ends.data = to_district(session.ends_at).time()
        form.topic_en.data = session.topic_en
        form.topic_es.data = session.topic_es
        form.location.data = session.location
    elif form.validate_on_submit():
        try:
            told = planning.move_session(
                session, _times(form), actor_id=current_user.id, ip=request.remote_addr
            )
        except planning.OfferingError as error:
            form.ends.errors = [*form.ends.errors, str(error)]
        else:
            flash(
                ngettext(
                    "Session moved. %(num)d person is being told in their language.",
                    "Session moved. %(num)d people are being told in their language.",
                    told,
                )
                if told
                else _l("Saved. Nothing changed for the families."),
                "success",
            )
            return redirect(url_for(".offering", offering_id=item.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "programmes/move.html", form=form, offering=item, session=session
    ), status


@bp.get("/facilitators")
@role_required(Role.PROGRAMME_STAFF)
def facilitators():
    """Certified facilitators and what each already leads, against the 40-parent rule."""
    return render_template("programmes/facilitators.html", loads=facilitation.loads())


@bp.route("/trainer-waitlist", methods=["GET", "POST"])
@role_required(Role.PROGRAMME_STAFF)
def trainer_waitlist():
    """School leaders waiting for trainer-of-trainers, in order; add one, or enrol the next."""
    form = WaitlistEntryForm()
    _school_choices(form, district_wide=False)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and form.school.data:
            entry, added = trainers.add_to_waitlist(
                name=form.name.data,
                email=form.email.data,
                school_id=form.school.data,
                note=form.note.data or "",
                actor_id=current_user.id,
                ip=request.remote_addr,
            )
            flash(
                _l("%(name)s is on the list.", name=entry.name)
                if added
                else _l("%(name)s was already waiting: their place is kept.", name=entry.name),
                "success",
            )
            return redirect(url_for(".trainer_waitlist"), code=303)
        if not form.school.data:
            form.school.errors = [*form.school.errors, _l("Choose a school.")]
        status = 422
    return _waitlist_page(form, EnrolForm(formdata=None), status)


def _enrol_choices(enrol: EnrolForm) -> dict[int, Offering]:
    """Open trainer-of-trainers offerings, as the form's choices and by id."""
    language = current_language()
    offerings = {o.id: o for o in trainers.training_offerings()}
    enrol.offering.choices = [SelectChoice("", _l("Choose…"))] + [
        SelectChoice(
            o.id,
            _l("%(title)s (%(seats)d seats left)", title=o.title(language), seats=o.seats_left),
        )
        for o in offerings.values()
    ]
    return offerings


def _waitlist_page(form: WaitlistEntryForm, enrol: EnrolForm, status: int):
    _enrol_choices(enrol)
    return render_template(
        "programmes/trainer_waitlist.html",
        form=form,
        enrol=enrol,
        entries=trainers.waiting(),
        confirm=ConfirmForm(),
    ), status


@bp.post("/trainer-waitlist/enrol")
@role_required(Role.PROGRAMME_STAFF)
def enrol_from_waitlist():
    enrol = EnrolForm()
    offerings = _enrol_choices(enrol)
    if not enrol.validate_on_submit() or enrol.offering.data not in offerings:
        if enrol.offering.data not in offerings and not enrol.offering.errors:
            enrol.offering.errors = [_l("Choose an offering.")]
        form = WaitlistEntryForm(formdata=None)
        _school_choices(form, district_wide=False)
        return _waitlist_page(form, enrol, 422)
    done = trainers.enrol_next(
        offerings[enrol.offering.data],
        enrol.count.data,
        actor_id=current_user.id,
        ip=request.remote_addr,
        today=district_today(),
    )
    flash(
        ngettext(
            "%(num)d leader registered for the training.",
            "%(num)d leaders registered for the training.",
            len(done),
        )
        if done
        else _l("Nobody was registered: the training is full or nobody is waiting."),
        "success" if done else "warning",
    )
    return redirect(url_for(".trainer_waitlist"), code=303)


@bp.post("/trainer-waitlist/<int:entry_id>/withdraw")
@role_required(Role.PROGRAMME_STAFF)
def withdraw_from_waitlist(entry_id: int):
    entry = db.session.get(TrainingWaitlistEntry, entry_id)
    if entry is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        trainers.withdraw(entry, actor_id=current_user.id, ip=request.remote_addr)
    except trainers.TrainingError:
        flash(_l("This person is no longer waiting."), "warning")
    else:
        flash(_l("%(name)s is off the list.", name=entry.name), "success")
    return redirect(url_for(".trainer_waitlist"), code=303)


@bp.get("/trainings")
@role_required(Role.LIAISON)
def trainings():
    """District trainings and PLG meetings open to sign up, and this liaison's own record."""
    mine = liaison_trainings.my_trainings(current_user)
    registered = {
        t.registration.offering_id
        for t in mine
        if t.registration.status != RegistrationStatus.CANCELLED
    }
    return render_template(
        "programmes/trainings.html",
        open_trainings=liaison_trainings.open_trainings(),
        mine=mine,
        registered=registered,
        confirm=ConfirmForm(),
    )


@bp.post("/trainings/<int:offering_id>/register")
@role_required(Role.LIAISON)
def register_for_training(offering_id: int):
    offering = next((o for o in liaison_trainings.open_trainings() if o.id == offering_id), None)
    if offering is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        outcome = liaison_trainings.register_staff(offering, current_user, today=district_today())
    except RegistrationClosed:
        flash(_l("Registration for this training is not open now."), "warning")
    else:
        flash(
            _l("You are on the waitlist. We will write to you if a seat frees up.")
            if outcome.waitlisted
            else _l("You are registered. The confirmation is on its way to your email."),
            "success",
        )
    return redirect(url_for(".trainings"), code=303)


@bp.post("/trainings/registrations/<int:registration_id>/cancel")
@role_required(Role.LIAISON)
def cancel_training(registration_id: int):
    registration = db.session.scalar(
        select(Registration).where(
            Registration.id == registration_id, Registration.user_id == current_user.id
        )
    )
    if registration is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    liaison_trainings.cancel_own(registration, current_user)
    flash(_l("Your place is cancelled."), "success")
    return redirect(url_for(".trainings"), code=303)


@bp.post("/offerings/<int:offering_id>/liaisons")
@role_required(Role.PROGRAMME_STAFF)
def register_liaison(offering_id: int):
    """Programme staff sign a liaison up for a district training or PLG meeting."""
    item = _offering_or_404(offering_id)
    if item.programme.audience == Audience.FAMILIES or item.status not in (
        OfferingStatus.OPEN,
        OfferingStatus.CLOSED,
    ):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    person = db.session.get(User, request.form.get("user", type=int) or 0)
    if person is None or not person.active:
        flash(_l("Choose someone from the list."), "warning")
    else:
        outcome = liaison_trainings.register_staff(
            item, person, today=district_today(), by_staff=True
        )
        flash(
            _l("%(name)s is on the waitlist.", name=person.name)
            if outcome.waitlisted
            else _l("%(name)s is registered.", name=person.name),
            "success",
        )
    return redirect(url_for(".offering", offering_id=item.id), code=303)
