"""Staff pages: the queue, the case page and its actions, quick logs, service levels."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal.access import role_required
from portal.audit.services import record
from portal.auth.roles import Role
from portal.concerns import casework, intake, labels, queue, service_levels, workflow
from portal.concerns.forms import (
    CorrectionForm,
    EntryForm,
    EscalationForm,
    MeetingForm,
    OutcomeForm,
    QuickLogForm,
    ServiceLevelForm,
    StatusForm,
    TriageForm,
)
from portal.concerns.models import (
    CallOutcome,
    Case,
    EntryKind,
    EscalationTarget,
    Meeting,
    MeetingKind,
    MeetingOutcome,
    Status,
)
from portal.extensions import db
from portal.htmx import is_fragment_request
from portal.i18n import current_language
from portal.knowledge import services as kb
from portal.schools.models import Network, School
from portal.timeutil import district_today, utcnow

bp = Blueprint("cases", __name__)

CASEWORK = (Role.SPECIALIST, Role.SENIOR_MANAGER, Role.SUPERINTENDENT)
TRIAGE = (Role.SPECIALIST, Role.SENIOR_MANAGER)
PAGE_SIZE = 25
RANKING_DAYS = 90  # the window of the knowledge-base ranking


@bp.context_processor
def _labels() -> dict[str, object]:
    return {"labels": labels}

    return current_language()


def _case_or_404(reference: str) -> Case:
    """A case in the user's scope, or 404 — never a 403 that confirms the reference exists."""
    case = db.session.scalar(queue.visible_cases(current_user).where(Case.reference == reference))
    if case is None:
        abort(404)
    return case


def _schools() -> list[School]:
    return list(db.session.scalars(select(School).where(School.active).order_by(School.name)))


@bp.get("/")
@role_required(*CASEWORK)
def index():
    """The queue: filter bar (kept in the URL), soonest due first, paged."""
    flt = queue.parse_filter(request.args)
    today = district_today()
    page = db.paginate(
        queue.queue(current_user, flt, today),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
        error_out=False,
    )
    context = {"page": page, "flt": flt, "today": today, "language": current_language()}
    if is_fragment_request():
        return render_template("cases/_queue_results.html", **context)
    quick = None
    if current_user.has_role(*TRIAGE):
        quick = _quick_log_form()
    return render_template(
        "cases/index.html",
        quick=quick,
        categories=kb.categories(),
        schools=_schools(),
        networks=db.session.scalars(select(Network).order_by(Network.name)).all(),
        assignees=casework.specialists(),
        statuses=list(Status),
        recent=casework.recent_quick_logs(current_user.id),
        **context,
    )


def _quick_log_form() -> QuickLogForm:
    form = QuickLogForm()
    language = current_language()
    form.category.choices = [SelectChoice(c.id, c.name(language)) for c in kb.categories()]
    form.school.choices = [SelectChoice("", _l("No particular school"))] + [
        SelectChoice(s.id, s.name) for s in _schools()
    ]
    return form


@bp.post("/quick-log")
@role_required(*TRIAGE)
def quick_log():
    """Count a Tier 1 call in a few seconds, without opening a case."""
    form = _quick_log_form()
    status = 200
    if form.validate_on_submit():
        casework.quick_log(
            category_id=form.category.data,
            school_id=form.school.data,
            language=form.language.data,
            outcome=CallOutcome(form.outcome.data),
            actor_id=current_user.id,
        )
        message = _l("Call logged.")
    else:
        message, status = _l("The call was not logged: choose a category."), 422
    if is_fragment_request():
        return render_template(
            "cases/_recent_calls.html",
            message=message,
            recent=casework.recent_quick_logs(current_user.id),
        ), status
    flash(message, "success" if status == 200 else "danger")
    return redirect(url_for("cases.index"), code=303)


def _forms(case: Case) -> dict[str, object]:
    language = current_language()
    triage = TriageForm(
        prefix="triage",
        data={
            "tier": case.tier,
            "category": case.category_id,
            "school": case.school_id,
            "assignee": case.assignee_id,
            "urgent": case.urgent,
        },
    )
    triage.category.choices = [SelectChoice(c.id, c.name(language)) for c in kb.categories()]
    triage.school.choices = [SelectChoice("", _l("No particular school"))] + [
        SelectChoice(s.id, s.name) for s in _schools()
    ]
    triage.assignee.choices = [SelectChoice("", _l("Nobody yet"))] + [
        SelectChoice(u.id, u.name) for u in casework.specialists()
    ]
    status = StatusForm(prefix="status")
    status.status.choices = [
        SelectChoice(s.value, labels.STATUS[s])
        for s in workflow.manual_choices(case.status, case.tier)
    ]
    return {
        "triage": triage,
        "status_form": status,
        "entry": EntryForm(prefix="entry"),
        "meeting": MeetingForm(prefix="meeting"),
        "escalation": EscalationForm(prefix="escalation"),
        "outcome": OutcomeForm(prefix="outcome"),
        "correction": CorrectionForm(prefix="correction"),
    }


@bp.get("/<reference>")
@role_required(*CASEWORK)
def show(reference: str):
    """The case: details, timeline and every action; each view is audited."""
    case = _case_or_404(reference)
    record("case.viewed", actor_id=current_user.id, target=case, ip=request.remote_addr)
    db.session.commit()
    return _render_case(case, _forms(case))


def _render_case(case: Case, forms: dict[str, object], status: int = 200):
    today = district_today()
    return render_template(
        "cases/show.html",
        case=case,
        today=today,
        correctable={kind.value for kind in casework.NOTE_KINDS},
        can_triage=current_user.has_role(*TRIAGE),
        **forms,
    ), status


def _after(case: Case):
    return redirect(url_for("cases.show", reference=case.reference), code=303)


def _act(reference: str, form_name: str, run, message, *, case: Case | None = None):  # noqa: ANN001
    """Every case action: validate its form, run the service, then the case page or the form
    again with the service's complaint on the right field (422)."""
    case = case or _case_or_404(reference)
    forms = _forms(case)
    form = forms[form_name]
    form.process(request.form)
    if form.validate():
        try:
            run(case, form)
        except casework.CaseworkError as error:
            field = getattr(form, error.field, None) if error.field else None
            if field is not None:
                field.errors = [*field.errors, str(error)]
            else:
                flash(str(error), "danger")
            return _render_case(case, forms, 422)
        flash(message(case) if callable(message) else message, "success")
        # An escalation can move a case out of the actor's scope: back to the queue then.
        if db.session.scalar(queue.visible_cases(current_user).where(Case.id == case.id)):
            return _after(case)
        return redirect(url_for("cases.index"), code=303)
    return _render_case(case, forms, 422)


def _who() -> dict[str, object]:
    return {"actor_id": current_user.id, "ip": request.remote_addr}


@bp.post("/<reference>/triage")
@role_required(*TRIAGE)
def triage(reference: str):
    return _act(
        reference,
        "triage",
        lambda case, form: casework.triage(
            case,
            casework.Triage(
                tier=form.tier.data,
                category_id=form.category.data,
                school_id=form.school.data,
                assignee_id=form.assignee.data,
                urgent=bool(form.urgent.data),
            ),
            **_who(),
        ),
        _l("Triage saved."),
    )


@bp.post("/<reference>/status")
@role_required(*CASEWORK)
def change_status(reference: str):
    return _act(
        reference,
        "status_form",
        lambda case, form: casework.change_status(
            case, Status(form.status.data), summary=form.summary.data or "", **_who()
        ),
        lambda case: _l("Status changed to %(status)s.", status=labels.STATUS[case.status]),
    )


@bp.post("/<reference>/entries")
@role_required(*CASEWORK)
def add_entry(reference: str):
    return _act(
        reference,
        "entry",
        lambda case, form: casework.add_entry(
            case,
            EntryKind(form.kind.data),
            form.body.data,
            school_contact=bool(form.with_school.data),
            **_who(),
        ),
        _l("Added to the timeline."),
    )


@bp.post("/<reference>/entries/<int:entry_id>/correct")
@role_required(*CASEWORK)
def correct_entry(reference: str, entry_id: int):
    """A correction is a new entry pointing at the old one; nothing is rewritten."""
    return _act(
        reference,
        "correction",
        lambda case, form: casework.correct_entry(case, entry_id, form.body.data, **_who()),
        _l("Correction added to the timeline."),
    )


def _meeting_plan(form: MeetingForm) -> casework.MeetingPlan:
    local = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return casework.MeetingPlan(
        kind=MeetingKind(form.kind.data),
        scheduled_for=form.scheduled_for.data.replace(tzinfo=local).astimezone(UTC),
        location=form.location.data,
        video=bool(form.video.data),
        school_leader=form.school_leader.data or "",
        participants=form.participants.data or "",
        interpreter_language=form.interpreter_language.data or "",
    )


@bp.post("/<reference>/meetings")
@role_required(*CASEWORK)
def schedule_meeting(reference: str):
    return _act(
        reference,
        "meeting",
        lambda case, form: casework.schedule_meeting(case, _meeting_plan(form), **_who()),
        _l("Meeting scheduled. The family has been sent an invitation."),
    )


@bp.post("/<reference>/meetings/<int:meeting_id>/outcome")
@role_required(*CASEWORK)
def meeting_outcome(reference: str, meeting_id: int):
    case = _case_or_404(reference)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.case_id != case.id:
        abort(404)
    return _act(
        reference,
        "outcome",
        lambda case, form: casework.record_outcome(
            meeting,
            MeetingOutcome(form.outcome.data),
            form.notes.data or "",
            form.follow_up_on.data,
            **_who(),
        ),
        _l("Outcome recorded."),
        case=case,
    )


@bp.post("/<reference>/escalate")
@role_required(*CASEWORK)
def escalate(reference: str):
    return _act(
        reference,
        "escalation",
        lambda case, form: casework.escalate(
            case, EscalationTarget(form.target.data), form.reason.data, **_who()
        ),
        _l("Escalated to Tier 3."),
    )


@bp.post("/<reference>/access-code")
@role_required(*TRIAGE)
def reissue_code(reference: str):
    """Revoke the family's access code and send them a new one."""
    case = _case_or_404(reference)
    from portal.admin.forms import ConfirmForm

    if not ConfirmForm().validate_on_submit():
        abort(400)
    intake.reissue_code(
        case,
        secret_key=current_app.config["SECRET_KEY"],
        actor_id=current_user.id,
        ip=request.remote_addr,
    )
    flash(
        _l("The old access code no longer works. A new one has been sent to the family."), "success"
    )
    return _after(case)


@bp.route("/service-levels", methods=["GET", "POST"])
@role_required(Role.SENIOR_MANAGER)
def service_level_settings():
    """The senior manager sets the targets; open cases' due dates move at once."""
    levels = service_levels.current()
    form = ServiceLevelForm(obj=levels)
    if form.validate_on_submit():
        moved = service_levels.update_levels(
            acknowledge_days=form.acknowledge_days.data,
            first_contact_days=form.first_contact_days.data,
            resolve_days=form.resolve_days.data,
            escalate_unresponsive_days=form.escalate_unresponsive_days.data,
            actor_id=current_user.id,
            ip=request.remote_addr,
        )
        flash(
            _l("Service levels saved; due dates of %(count)s open cases updated.", count=moved),
            "success",
        )
        return redirect(url_for("cases.service_level_settings"), code=303)
    return render_template("cases/service_levels.html", form=form, levels=levels), (
        422 if form.errors else 200
    )


@bp.get("/knowledge")
@role_required(Role.SENIOR_MANAGER, Role.SPECIALIST)
def knowledge():
    """Where answers are needed: categories ranked by Tier 1 volume and by answers that helped."""
    rows = kb.volume_by_category(utcnow() - timedelta(days=RANKING_DAYS))
    return render_template("cases/knowledge.html", rows=rows, days=RANKING_DAYS)
