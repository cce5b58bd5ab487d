"""Social workers' and caseworkers' pages for their schools' COST and SAART meetings."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.access import role_required
from portal.coordination import services
from portal.coordination.forms import (
    KIND_LABELS,
    ButtonForm,
    DecisionsForm,
    FamilyAttendeeForm,
    MeetingForm,
    ReferralLinkForm,
    StaffAttendeeForm,
    StepForm,
)
from portal.coordination.models import TeamKind, TeamMeeting
from portal.extensions import db
from portal.htmx import redirect_to
from portal.referrals.services import audit_reads
from portal.timeutil import district_today

bp = Blueprint("coordination", __name__)
team_roles = role_required(*services.TEAM_ROLES)

ERRORS = {
    "not_yours": lambda: _("Choose one of your schools."),
    "not_at_school": lambda: _("Choose a staff member who works at this school."),
    "already": lambda: _("That person is already on the list."),
    "not_here": lambda: _("Choose a referral at this school."),
}


def _with_key(form):  # noqa: ANN001, ANN202
    """A creating form as the page shows it: with a new one-off key."""
    form.submission_key.data = secrets.token_urlsafe(24)
    return form


def _sent_key(form) -> str:  # noqa: ANN001
    """The key a valid creating form came with; none, or not one we issue, is a bad request."""
    key = form.submission_key.data or ""
    if not 16 <= len(key) <= 64:
        abort(400)
    return key


def _show_errors(form, errors: dict[str, str]) -> None:
    for name, code in errors.items():
        form[name].errors = [*form[name].errors, ERRORS[code]()]


@bp.get("/")
@team_roles
def index():
    """The meetings at my schools, and the next steps that are due."""
    school_id = request.args.get("school", type=int)
    schools = services.meeting_schools(current_user)
    query = services.visible_meetings(current_user)
    if school_id in {s.id for s in schools}:
        query = query.where(TeamMeeting.school_id == school_id)
    else:
        school_id = None
    page = db.paginate(query, per_page=30, max_per_page=30, error_out=False)
    return render_template(
        "coordination/index.html",
        page=page,
        schools=schools,
        school_id=school_id,
        kind_labels=KIND_LABELS,
        steps=services.steps_due(current_user, district_today()),
        today=district_today(),
    )


def _school_choices(form: MeetingForm) -> None:
    form.school.choices = [SelectChoice("", _("Choose a school"))] + [
        SelectChoice(s.id, s.name) for s in services.meeting_schools(current_user)
    ]


@bp.route("/new", methods=["GET", "POST"])
@team_roles
def new():
    form = MeetingForm()
    _school_choices(form)
    if request.method == "GET":
        _with_key(form)
    if form.validate_on_submit():
        key = _sent_key(form)
        try:
            meeting = services.create_meeting(
                current_user,
                services.MeetingInput(
                    school_id=form.school.data,
                    kind=TeamKind(form.kind.data),
                    held_on=form.held_on.data,
                    decisions=form.decisions.data or "",
                    submission_key=key,
                ),
                ip=request.remote_addr,
            )
        except services.CoordinationError as error:
            _show_errors(form, error.errors)
        else:
            flash(_("Meeting recorded. Add who came, the referrals discussed and next steps."))
            return redirect_to(url_for("coordination.show", meeting_id=meeting.id))
    if request.method == "GET" and not form.held_on.data:
        form.held_on.data = district_today()
    return render_template("coordination/new.html", form=form), 422 if form.errors else 200


def _staff_choices(meeting: TeamMeeting) -> list[SelectChoice]:
    """Who may attend or own a step: staff at the meeting's school, and the person recording."""
    return [
        SelectChoice(u.id, u.name) for u in services.staff_at(meeting.school_id, also=current_user)
    ]


def _render_show(meeting: TeamMeeting, status: int = 200, **forms):
    staff = services.staff_at(meeting.school_id, also=current_user)
    staff_choices = [SelectChoice("", _("Choose a staff member"))] + [
        SelectChoice(u.id, u.name) for u in staff
    ]
    # A form sent back with an error keeps its key; the others on the page get new ones.
    attendee_form = forms.get("attendee_form") or _with_key(StaffAttendeeForm(formdata=None))
    attendee_form.staff.choices = staff_choices
    step_form = forms.get("step_form") or _with_key(StepForm(formdata=None))
    step_form.owner.choices = staff_choices
    referral_form = forms.get("referral_form") or ReferralLinkForm(formdata=None)
    referral_form.referral.choices = [SelectChoice("", _("Choose a referral"))] + [
        SelectChoice(r.id, f"{r.student_label} ({r.created_at:%Y-%m-%d})")
        for r in services.linkable_referrals(current_user, meeting)
    ]
    shown = services.shown_referrals(current_user, meeting)
    # Naming the students discussed is a read of each referral: on its access history.
    audit_reads(shown, "referral.meeting_viewed", actor=current_user, ip=request.remote_addr)
    return render_template(
        "coordination/show.html",
        meeting=meeting,
        referrals=shown,
        kind_labels=KIND_LABELS,
        today=district_today(),
        decisions_form=forms.get("decisions_form")
        or DecisionsForm(formdata=None, decisions=meeting.decisions),
        attendee_form=attendee_form,
        family_form=forms.get("family_form") or _with_key(FamilyAttendeeForm(formdata=None)),
        step_form=step_form,
        referral_form=referral_form,
        button=ButtonForm(formdata=None),
    ), status


@bp.get("/<int:meeting_id>")
@team_roles
def show(meeting_id: int):
    meeting = services.get_meeting_or_404(current_user, meeting_id)
    # The meeting names students (by referral) and family members: reads are audited.
    from portal.audit.services import record

    record("team_meeting.viewed", actor_id=current_user.id, target=meeting, ip=request.remote_addr)
    db.session.commit()
    return _render_show(meeting)


def _back(meeting: TeamMeeting, anchor: str):
    return redirect_to(url_for("coordination.show", meeting_id=meeting.id, _anchor=anchor))


@bp.post("/<int:meeting_id>/decisions")
@team_roles
def decisions(meeting_id: int):
    meeting = services.get_meeting_or_404(current_user, meeting_id)
    form = DecisionsForm()
    if not form.validate_on_submit():
        return _render_show(meeting, 422, decisions_form=form)
    services.update_decisions(
        current_user, meeting, form.decisions.data or "", ip=request.remote_addr
    )
    flash(_("Decisions saved."))
    return _back(meeting, "decisions")


@bp.post("/<int:meeting_id>/attendees/staff")
@team_roles
def add_staff(meeting_id: int):
    meeting = services.get_meeting_or_404(current_user, meeting_id)
    form = StaffAttendeeForm()
    form.staff.choices = _staff_choices(meeting)
    if form.validate_on_submit():
        key = _sent_key(form)
        try:
            services.add_staff_attendee(
                current_user,
                meeting,
                form.staff.data,
                form.staff_role.data or "",
                ip=request.remote_addr,
                submission_key=key,
            )
        except services.CoordinationError as error:
            _show_errors(form, error.errors)
        else:
            return _back(meeting, "attendees")
    return _render_show(meeting, 422, attendee_form=form)


@bp.post("/<int:meeting_id>/attendees/family")
@team_roles
def add_family(meeting_id: int):
    meeting = services.get_meeting_or_404(current_user, meeting_id)
    form = FamilyAttendeeForm()
    if not form.validate_on_submit():
        return _render_show(meeting, 422, family_form=form)
    services.add_family_attendee(
        current_user,
        meeting,
        form.name.data,
        form.family_role.data,
        ip=request.remote_addr,
        submission_key=_sent_key(form),
    )
    return _back(meeting, "attendees")


@bp.post("/<int:meeting_id>/attendees/<int:attendee_id>/remove")
@team_roles
def remove_attendee(meeting_id: int, attendee_id: int):
    meeting = services.get_meeting_or_404(current_user, meeting_id)
    if ButtonForm().validate_on_submit():
        services.remove_attendee(current_user, meeting, attendee_id, ip=request.remote_addr)
    return _back(meeting, "attendees")


@bp.post("/<int:meeting_id>/steps")
@team_roles
def add_step(meeting_id: int):
    meeting = services.get_meeting_or_404(current_user, meeting_id)
    form = StepForm()
    form.owner.choices = _staff_choices(meeting)
    if form.validate_on_submit():
        key = _sent_key(form)
        try:
            services.add_step(
                current_user,
                meeting,
                description=form.description.data,
                owner_id=form.owner.data,
                due_on=form.due_on.data,
                ip=request.remote_addr,
                submission_key=key,
            )
        except services.CoordinationError as error:
            _show_errors(form, error.errors)
        else:
            return _back(meeting, "steps")
    return _render_show(meeting, 422, step_form=form)


@bp.post("/<int:meeting_id>/steps/<int:step_id>/done")
@team_roles
def step_done(meeting_id: int, step_id: int):
    meeting = services.get_meeting_or_404(current_user, meeting_id)
    if ButtonForm().validate_on_submit():
        done = request.form.get("done") == "1"
        services.set_step_done(current_user, meeting, step_id, done, ip=request.remote_addr)
    return _back(meeting, "steps")


@bp.post("/<int:meeting_id>/referrals")
@team_roles
def link_referral(meeting_id: int):
    meeting = services.get_meeting_or_404(current_user, meeting_id)
    form = ReferralLinkForm()
    form.referral.choices = [
        SelectChoice(r.id, r.student_label)
        for r in services.linkable_referrals(current_user, meeting)
    ]
    if form.validate_on_submit():
        services.link_referral(current_user, meeting, form.referral.data, ip=request.remote_addr)
        return _back(meeting, "referrals")
    if form.referral.errors and form.referral.data is not None:
        form.referral.errors = [ERRORS["not_here"]()]
    return _render_show(meeting, 422, referral_form=form)


@bp.post("/<int:meeting_id>/referrals/<int:referral_id>/remove")
@team_roles
def unlink_referral(meeting_id: int, referral_id: int):
    meeting = services.get_meeting_or_404(current_user, meeting_id)
    if ButtonForm().validate_on_submit():
        services.unlink_referral(current_user, meeting, referral_id, ip=request.remote_addr)
    return _back(meeting, "referrals")
