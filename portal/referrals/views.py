"""Referral pages: the form, the caseload, the referral and its actions, status, access history."""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from portal.access import role_required, visible_schools
from portal.auth.models import User
from portal.auth.roles import Role
from portal.extensions import db
from portal.families.models import ContactMethod
from portal.families.services import ContactInput, normalize_phone
from portal.i18n import current_language
from portal.referrals import caseload as caseload_query
from portal.referrals import labels, services, workflow
from portal.referrals.forms import (
    ConsentForm,
    FlagsForm,
    FollowUpForm,
    NoteForm,
    ReferralForm,
    RevokeForm,
    ServiceForm,
    StatusForm,
)
from portal.referrals.models import (
    ConsentMethod,
    EntryKind,
    Outcome,
    Reason,
    Referral,
    Status,
    Urgency,
)
from portal.referrals.scope import (
    REFERRER_ROLES,
    WORKER_ROLES,
    may_read_access_history,
    sent_referrals,
    visible_referrals,
)
from portal.resources.models import Resource
from portal.timeutil import district_today

bp = Blueprint("referrals", __name__)


@bp.context_processor
def _labels() -> dict[str, object]:
    return {"labels": labels}


def _ip() -> str | None:
    return request.remote_addr


# What `services.new_token` makes, with room to spare: anything else names no referral.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _token_or_404(token: str) -> str:
    """Only a well-formed token reaches the database (PostgreSQL refuses a NUL byte: a 500)."""
    if not _TOKEN.fullmatch(token):
        abort(404)
    return token


def _referral_or_404(token: str) -> Referral:
    """A referral the user may read in full, or 404: never a 403 that confirms it exists."""
    token = _token_or_404(token)
    referral = db.session.scalar(visible_referrals(current_user).where(Referral.token == token))
    if referral is None:
        abort(404)
    return referral


# --- Making a referral -----------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@role_required(*REFERRER_ROLES)
def new():
    """Refer a student or family; a child-safety referral shows the reporting duty first."""
    form = ReferralForm()
    schools = list(db.session.scalars(visible_schools(current_user)))
    form.school.choices = [SelectChoice(0, _l("Choose…"))] + [
        SelectChoice(s.id, s.name) for s in schools
    ]
    reference = request.values.get("case", "")[:20]
    case = services.linked_case(current_user, reference) if reference else None
    if request.method == "GET":
        form.submission_key.data = secrets.token_urlsafe(24)
        if case is not None:
            # Who the family is and which student: the concern's notes stay on the concern.
            form.case.data = case.reference
            form.school.data = case.school_id or 0
            form.student_first_name.data = case.student_first_name
            form.student_grade.data = case.student_grade
            form.name.data = case.contact.name
            form.phone.data = case.contact.phone or ""
            form.email.data = case.contact.email or ""
            form.language.data = case.contact.language
    status = 200
    if form.validate_on_submit():
        key = form.submission_key.data or ""
        if not 16 <= len(key) <= 64:
            abort(400)
        if form.school.data not in {s.id for s in schools}:
            form.school.errors = [*form.school.errors, str(_l("Choose a school."))]
        else:
            try:
                referral = services.submit(
                    _referral_input(form, case), actor=current_user, ip=_ip()
                )
            except services.ReferralError as error:
                _attach(form, error)
            else:
                return redirect(url_for("referrals.status", token=referral.token), code=303)
    if form.errors:
        status = 422
    pilot_ids = [s.id for s in schools if s.human_services_pilot]
    return render_template(
        "referrals/new.html", form=form, case=case, pilot_schools=pilot_ids
    ), status


def _referral_input(form: ReferralForm, case: Any) -> services.ReferralInput:
    chosen = form.language.data
    consent = None
    if form.consent_complete():
        consent = services.ConsentInput(
            given_by=form.consent_given_by.data,
            relationship=form.consent_relationship.data or "",
            method=ConsentMethod(form.consent_method.data),
            given_on=form.consent_given_on.data,
        )
    return services.ReferralInput(
        submission_key=form.submission_key.data,
        school_id=form.school.data,
        student_first_name=form.student_first_name.data,
        student_last_initial=form.student_last_initial.data or "",
        student_grade=form.student_grade.data or "",
        contact=ContactInput(
            name=form.name.data,
            phone=normalize_phone(form.phone.data or ""),
            email=(form.email.data or "").lower() or None,
            language=chosen if chosen in ("en", "es") else current_language(),
            other_language=form.other_language.data if chosen == "other" else "",
            interpreter_needed=bool(form.interpreter_needed.data) or chosen == "other",
            contact_method=ContactMethod.PHONE,
        ),
        reasons=frozenset(Reason(r) for r in form.reasons.data or []),
        urgency=Urgency(form.urgency.data),
        details=form.details.data,
        tried=form.tried.data or "",
        to_caseworker=form.destination.data == "caseworker",
        consent=consent,
        case_id=case.id if case is not None else None,
    )


def _attach(form: Any, error: services.ReferralError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "danger")


# --- What the referrer sees: the status, nothing more ----------------------------------


@bp.get("/sent")
@role_required(*REFERRER_ROLES)
def sent():
    """The referrals I made, with their status."""
    referrals = list(
        db.session.scalars(
            sent_referrals(current_user).order_by(Referral.created_at.desc()).limit(100)
        )
    )
    # Each line names a student: a read of that referral, on its access history.
    services.audit_reads(referrals, "referral.status_listed", actor=current_user, ip=_ip())
    return render_template("referrals/sent.html", referrals=referrals)


@bp.get("/sent/<token>")
@role_required(*REFERRER_ROLES)
def status(token: str):
    """One referral I made: where it stands. No notes, no reasons, nothing the workers wrote."""
    token = _token_or_404(token)
    referral = db.session.scalar(sent_referrals(current_user).where(Referral.token == token))
    if referral is None:
        abort(404)
    services.audit_reads([referral], "referral.status_viewed", actor=current_user, ip=_ip())
    return render_template("referrals/status.html", referral=referral)


# --- The caseload ----------------------------------------------------------------------


@bp.get("/")
@role_required(*WORKER_ROLES)
def caseload():
    """The social worker's or caseworker's referrals: flags, urgency, follow-ups due."""
    today = district_today()
    filters = caseload_query.CaseloadFilter.from_args(request.args)
    referrals = list(db.session.scalars(caseload_query.caseload(current_user, filters, today)))
    # Listing names and flags is a read of each referral: each gets its audit row.
    services.audit_reads(referrals, "referral.listed", actor=current_user, ip=_ip())
    counts = _counts(today)
    schools = list(db.session.scalars(visible_schools(current_user)))
    return render_template(
        "referrals/caseload.html",
        referrals=referrals,
        filters=filters,
        today=today,
        counts=counts,
        schools=schools,
        statuses=list(Status),
        reasons=list(Reason),
    )


def _counts(today: Any) -> dict[str, int]:
    """The numbers at the top of the caseload, over every open referral the user reads."""
    open_ones = (
        visible_referrals(current_user)
        .where(Referral.status.in_(caseload_query.OPEN_STATUSES))
        .subquery()
    )
    row = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(_as_int(open_ones.c.status == Status.NEW.value)), 0),
            func.coalesce(func.sum(_as_int(open_ones.c.follow_up_on <= today)), 0),
            func.coalesce(func.sum(_as_int(open_ones.c.child_safety)), 0),
            func.coalesce(func.sum(_as_int(open_ones.c.mckinney_vento)), 0),
            func.coalesce(func.sum(_as_int(open_ones.c.foster_youth)), 0),
        ).select_from(open_ones)
    ).one()
    keys = ("open", "new", "follow_up_due", "child_safety", "mckinney_vento", "foster_youth")
    return dict(zip(keys, (int(v or 0) for v in row), strict=True))


def _as_int(condition: Any) -> Any:
    from sqlalchemy import case

    return case((condition, 1), else_=0)


# --- One referral ------------------------------------------------------------------------


@bp.get("/<token>")
@role_required(*WORKER_ROLES)
def show(token: str):
    """The whole referral, confidential notes included; every read is audited."""
    referral = _referral_or_404(token)
    services.audit_reads([referral], "referral.viewed", actor=current_user, ip=_ip())
    return _render(referral, _forms(referral))


def _forms(referral: Referral) -> dict[str, Any]:
    status_form = StatusForm(prefix="status")
    status_form.set_moves(workflow.next_statuses(referral.status))
    service_form = ServiceForm(prefix="service")
    language = current_language()
    taken = {s.resource_id for s in referral.services}
    service_form.resource.choices = [SelectChoice(0, _l("Choose…"))] + [
        SelectChoice(r.id, r.name(language))
        for r in db.session.scalars(
            select(Resource).where(Resource.archived_at.is_(None)).order_by(Resource.name_en)
        )
        if r.id not in taken
    ]
    follow_up = FollowUpForm(prefix="follow")
    if request.method == "GET":
        follow_up.follow_up_on.data = referral.follow_up_on
    flags = FlagsForm(prefix="flags")
    if request.method == "GET":
        flags.mckinney_vento.data = referral.mckinney_vento
        flags.foster_youth.data = referral.foster_youth
    return {
        "status_form": status_form,
        "note_form": NoteForm(prefix="note"),
        "follow_up_form": follow_up,
        "service_form": service_form,
        "consent_form": ConsentForm(prefix="consent"),
        "revoke_form": RevokeForm(prefix="revoke"),
        "flags_form": flags,
    }


def _render(referral: Referral, forms: dict[str, Any], status: int = 200):
    people = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({e.author_id for e in referral.entries if e.author_id}))
        )
    }
    resources = {s.resource_id: s.resource for s in referral.services}
    return render_template(
        "referrals/show.html",
        referral=referral,
        today=district_today(),
        people=people,
        resources=resources,
        entry_kinds=EntryKind,
        can_see_history=may_read_access_history(current_user, referral),
        **forms,
    ), status


def _act(token: str, form_name: str, run: Callable[[Referral, Any], Any], message: Any):
    """Every action: validate its form, run the service, then the referral page or the form
    again with the service's complaint on the right field (422)."""
    referral = _referral_or_404(token)
    forms = _forms(referral)
    form = forms[form_name]
    if form.validate_on_submit():
        try:
            run(referral, form)
        except services.ReferralError as error:
            _attach(form, error)
            db.session.rollback()
            return _shown_again(_referral_or_404(token), forms)
        flash(message, "success")
        # Revoking consent can take the referral out of a caseworker's reach: to the caseload.
        if db.session.scalar(visible_referrals(current_user).where(Referral.id == referral.id)):
            return redirect(url_for("referrals.show", token=token), code=303)
        return redirect(url_for("referrals.caseload"), code=303)
    return _shown_again(referral, forms)


def _shown_again(referral: Referral, forms: dict[str, Any]):
    """The referral page again with the form's complaint: the whole referral, so a read."""
    services.audit_reads([referral], "referral.viewed", actor=current_user, ip=_ip())
    return _render(referral, forms, 422)


@bp.post("/<token>/status")
@role_required(*WORKER_ROLES)
def change_status(token: str):
    def run(referral: Referral, form: StatusForm) -> None:
        services.change_status(
            referral,
            services.StatusChange(
                to=Status(form.to.data),
                reason=form.reason.data or "",
                outcome=Outcome(form.outcome.data) if form.outcome.data else None,
                notes=form.notes.data or "",
                follow_up_on=form.follow_up_on.data,
            ),
            actor=current_user,
            ip=_ip(),
        )

    return _act(token, "status_form", run, _l("Status updated."))


@bp.post("/<token>/notes")
@role_required(*WORKER_ROLES)
def add_note(token: str):
    def run(referral: Referral, form: NoteForm) -> None:
        services.add_note(referral, form.body.data, actor=current_user, ip=_ip())

    return _act(token, "note_form", run, _l("Note added."))


@bp.post("/<token>/follow-up")
@role_required(*WORKER_ROLES)
def follow_up(token: str):
    def run(referral: Referral, form: FollowUpForm) -> None:
        services.set_follow_up(
            referral,
            form.follow_up_on.data,
            actor=current_user,
            ip=_ip(),
            today=district_today(),
        )

    return _act(token, "follow_up_form", run, _l("Follow-up date saved."))


@bp.post("/<token>/services")
@role_required(*WORKER_ROLES)
def add_service(token: str):
    def run(referral: Referral, form: ServiceForm) -> None:
        services.add_service(
            referral, form.resource.data, actor=current_user, ip=_ip(), today=district_today()
        )

    return _act(token, "service_form", run, _l("Service added."))


@bp.post("/<token>/consent")
@role_required(*WORKER_ROLES)
def record_consent(token: str):
    def run(referral: Referral, form: ConsentForm) -> None:
        services.record_consent(
            referral,
            services.ConsentInput(
                given_by=form.consent_given_by.data,
                relationship=form.consent_relationship.data or "",
                method=ConsentMethod(form.consent_method.data),
                given_on=form.consent_given_on.data,
            ),
            actor=current_user,
            ip=_ip(),
            today=district_today(),
        )

    return _act(token, "consent_form", run, _l("Consent recorded: the caseworker has it."))


@bp.post("/<token>/consent/<int:consent_id>/revoke")
@role_required(*WORKER_ROLES)
def revoke_consent(token: str, consent_id: int):
    def run(referral: Referral, form: RevokeForm) -> None:
        services.revoke_consent(
            referral,
            consent_id,
            ConsentMethod(form.method.data),
            actor=current_user,
            ip=_ip(),
        )

    return _act(
        token,
        "revoke_form",
        run,
        _l("Consent withdrawn: nothing more is shared with the county agency."),
    )


@bp.post("/<token>/flags")
@role_required(*WORKER_ROLES)
def flags(token: str):
    def run(referral: Referral, form: FlagsForm) -> None:
        services.set_flags(
            referral,
            mckinney_vento=bool(form.mckinney_vento.data),
            foster_youth=bool(form.foster_youth.data),
            actor=current_user,
            ip=_ip(),
        )

    return _act(token, "flags_form", run, _l("Flags saved."))


@bp.get("/<token>/access")
@role_required(Role.ADMIN, *WORKER_ROLES)
def access(token: str):
    """Who read or changed this referral: for its assigned worker and the admin."""
    token = _token_or_404(token)
    if current_user.has_role(Role.ADMIN):
        referral = db.session.scalar(select(Referral).where(Referral.token == token))
    else:
        referral = db.session.scalar(visible_referrals(current_user).where(Referral.token == token))
    if referral is None or not may_read_access_history(current_user, referral):
        abort(404)
    services.audit_reads([referral], "referral.access_history_viewed", actor=current_user, ip=_ip())
    events = services.access_history(referral)
    people = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
        )
    }
    return render_template("referrals/access.html", referral=referral, events=events, people=people)


def _csv_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula is made plain text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.get("/caseload.csv")
@role_required(*WORKER_ROLES)
def caseload_csv():
    """The caseload as shown (same filters, same scope): no family contact, details or notes."""
    today = district_today()
    filters = caseload_query.CaseloadFilter.from_args(request.args)
    referrals = list(db.session.scalars(caseload_query.caseload(current_user, filters, today)))
    services.audit_reads(referrals, "referral.exported", actor=current_user, ip=_ip())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            str(_l("Student")),
            str(_l("Grade")),
            str(_l("School")),
            str(_l("Reasons")),
            str(_l("Flags")),
            str(_l("Urgency")),
            str(_l("Status")),
            str(_l("Next follow-up")),
            str(_l("Social worker")),
            str(_l("Made on")),
        ]
    )
    for r in referrals:
        flags = [
            str(label)
            for on, label in (
                (r.child_safety, _l("Child safety")),
                (r.mckinney_vento, _l("McKinney-Vento")),
                (r.foster_youth, _l("Foster youth")),
            )
            if on
        ]
        writer.writerow(
            [
                _csv_cell(value)
                for value in (
                    r.student_label,
                    r.student_grade,
                    r.school.name,
                    "; ".join(str(labels.REASON[x]) for x in r.reasons),
                    "; ".join(flags),
                    str(labels.URGENCY[r.urgency]),
                    str(labels.STATUS[r.status]),
                    r.follow_up_on.isoformat() if r.follow_up_on else "",
                    r.social_worker.name if r.social_worker else "",
                    r.created_at.date().isoformat(),
                )
            ]
        )
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=caseload.csv"
    response.headers["Cache-Control"] = "no-store"
    return response
