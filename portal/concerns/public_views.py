"""Public pages for families: ask, receipt, track, message, survey. No account needed."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal.access import public
from portal.audit.services import record
from portal.auth.roles import Role
from portal.concerns import intake
from portal.concerns.forms import FamilyMessageForm, IntakeForm, SurveyForm, TrackForm
from portal.concerns.models import Case, CaseKind, Channel, Relationship
from portal.extensions import db, limiter
from portal.families.models import ContactMethod
from portal.families.services import normalize_phone
from portal.i18n import current_language
from portal.knowledge import services as kb
from portal.schools.models import School
from portal.security import mark_sensitive
from portal.textclean import fold
from portal.timeutil import district_today

bp = Blueprint("concerns", __name__)


def _schools() -> list[School]:
    return list(db.session.scalars(select(School).where(School.active).order_by(School.name)))


def _school_id(typed: str, schools: list[School]) -> int | None:
    wanted = fold(typed)
    return next((s.id for s in schools if fold(s.name) == wanted), None)


def _reference_key() -> str:
    from portal.concerns.access_codes import normalize_reference

    return "reference:" + (normalize_reference(request.form.get("reference", "")) or "-")


def _audit_throttle(limit) -> None:  # noqa: ANN001
    record(
        "limit.breached",
        ip=request.remote_addr,
        detail={"endpoint": request.endpoint, "limit": str(limit.limit)},
    )
    db.session.commit()


@bp.route("/ask", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute; 30 per hour", methods=["POST"], on_breach=_audit_throttle)
def ask():
    """Ask a question or raise a concern, in either language, from a phone."""
    return _intake(IntakeForm())


@bp.route("/preguntar", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute; 30 per hour", methods=["POST"], on_breach=_audit_throttle)
def ask_in_spanish():
    """The same form at a Spanish address: it opens in Spanish whatever the browser says."""
    g.forced_locale = "es"
    return _intake(IntakeForm())


def _intake(form: IntakeForm):  # noqa: ANN202

    language = current_language()
    categories = kb.categories()
    form.category.choices = [SelectChoice(0, _l("Choose…"))] + [
        SelectChoice(c.id, c.name(language)) for c in categories
    ]
    schools = _schools()
    if request.method == "GET":
        form.submission_key.data = secrets.token_urlsafe(24)
        if not form.language.data:
            form.language.data = language
    if form.validate_on_submit():
        school_id = _school_id(form.school.data or "", schools) if form.school.data else None
        problems = []
        if form.school.data and school_id is None:
            form.school.errors = [
                *form.school.errors,
                str(_l("Choose a school from the list, or leave it empty.")),
            ]
            problems.append("school")
        if not form.category.data or form.category.data not in {c.id for c in categories}:
            form.category.errors = [*form.category.errors, str(_l("Choose what it is about."))]
            problems.append("category")
        key = form.submission_key.data or ""
        if not 16 <= len(key) <= 64:
            abort(400)
        if not problems:
            receipt = intake.submit(
                _submission(form, school_id, language),
                secret_key=current_app.config["SECRET_KEY"],
                today=district_today(),
                ip=request.remote_addr,
            )
            session["receipt"] = {"case": receipt.case_id}
            if form.language.data in current_app.config["LANGUAGES"]:
                # The family told us their language: the receipt and tracking pages follow it.
                session["lang"] = form.language.data
            return redirect(url_for("concerns.received"), code=303)
    status = 422 if form.errors else 200
    # A form sent back with an error keeps the answers for the category already chosen.
    chosen = form.category.data if form.category.data in {c.id for c in categories} else None
    articles = kb.answers_for(chosen, count_shown=False) if chosen else []
    return render_template(
        "concerns/ask.html", form=form, schools=schools, articles=articles
    ), status


def _submission(form: IntakeForm, school_id: int | None, language: str) -> intake.Submission:
    chosen = form.language.data
    # A liaison signed in and filling the form with a family files it on their behalf.
    on_behalf = current_user.is_authenticated and current_user.has_role(Role.LIAISON)
    return intake.Submission(
        submission_key=form.submission_key.data,
        kind=CaseKind(form.kind.data),
        name=form.name.data,
        relationship=Relationship(form.relationship.data),
        category_id=form.category.data,
        description=form.description.data,
        # Messages go out in English or Spanish; another language is noted for an interpreter.
        language=chosen if chosen in ("en", "es") else language,
        other_language=form.other_language.data if chosen == "other" else "",
        interpreter_needed=bool(form.interpreter_needed.data) or chosen == "other",
        phone=normalize_phone(form.phone.data or ""),
        email=(form.email.data or "").lower() or None,
        contact_method=ContactMethod(form.contact_method.data),
        best_time=form.best_time.data or "",
        school_id=school_id,
        student_first_name=form.student_first_name.data or "",
        student_grade=form.student_grade.data or "",
        desired_outcome=form.desired_outcome.data or "",
        child_in_danger=bool(form.child_in_danger.data),
        channel=Channel.LIAISON if on_behalf else Channel.WEB,
        filed_by_id=current_user.id if on_behalf else None,
    )


def _speak_as_the_page() -> None:
    """A fragment speaks its page's language: /preguntar is Spanish whatever the browser says."""
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        g.forced_locale = lang


@bp.get("/ask/answers")
@public
@limiter.limit("60 per minute")
def answers():
    """The knowledge-base answers for the chosen category (an htmx fragment, or a page)."""

    _speak_as_the_page()
    try:
        category_id = int(request.args.get("category", "0"))
    except ValueError:
        category_id = 0
    articles = kb.answers_for(category_id) if category_id else []
    return render_template("concerns/_answers.html", articles=articles)


@bp.post("/ask/answers/<int:article_id>/helpful")
@public
@limiter.limit("20 per minute")
def helpful(article_id: int):
    """Count "this answered my question"."""
    _speak_as_the_page()
    if not kb.mark_helpful(article_id):
        abort(404)
    return render_template("concerns/_helpful_thanks.html", article_id=article_id)


@bp.get("/ask/received")
@public
def received():
    """The receipt: reference and access code, shown only to the browser that submitted."""
    grant = session.get("receipt") or {}
    case = db.session.get(Case, grant.get("case", 0)) if grant else None
    if case is None:
        return redirect(url_for("concerns.ask"))
    mark_sensitive()
    receipt = intake.receipt_for(case, current_app.config["SECRET_KEY"])
    return render_template("concerns/received.html", receipt=receipt, case=case)


@bp.route("/track", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute; 60 per hour", methods=["POST"], on_breach=_audit_throttle)
@limiter.limit(
    "5 per 15 minutes", methods=["POST"], key_func=_reference_key, on_breach=_audit_throttle
)
def track():
    """Reference and access code, posted (never in a URL), open the family's case."""
    form = TrackForm()
    if form.validate_on_submit():
        case = intake.find_for_family(form.reference.data, form.access_code.data)
        if case is not None:
            session["tracking"] = {"case": case.id, "salt": case.access_salt}
            record("case.tracked", target=case, ip=request.remote_addr)
            db.session.commit()
            return redirect(url_for("concerns.tracked"), code=303)
        record(
            "case.track_failed",
            ip=request.remote_addr,
            detail={"reference": form.reference.data[:40]},
        )
        db.session.commit()
        form.access_code.errors = [
            *form.access_code.errors,
            str(
                _l(
                    "We could not open a case with that reference and access code. Check both and "
                    "try again."
                )
            ),
        ]
    return render_template("concerns/track.html", form=form), 422 if form.errors else 200


def _tracked_case() -> Case:
    mark_sensitive()
    grant = session.get("tracking") or {}
    case = db.session.get(Case, grant.get("case", 0)) if grant else None
    # A re-issued code changes the salt: every page opened with the old one closes.
    if case is None or case.access_salt != grant.get("salt"):
        session.pop("tracking", None)
        abort(404)
    return case


@bp.get("/track/case")
@public
def tracked():
    case = _tracked_case()
    return _render_tracked(case, FamilyMessageForm(), SurveyForm())


def _render_tracked(case: Case, message_form, survey_form, status: int = 200):  # noqa: ANN001, ANN202
    return render_template(
        "concerns/tracked.html",
        case=case,
        timeline=intake.family_timeline(case),
        message_form=message_form,
        survey_form=survey_form,
        survey_answered=intake.survey_answered(case),
    ), status


@bp.post("/track/case/message")
@public
@limiter.limit("10 per hour")
def family_message():
    case = _tracked_case()
    form = FamilyMessageForm()
    if form.validate_on_submit():
        intake.add_family_message(case, form.message.data, ip=request.remote_addr)
        return redirect(url_for("concerns.tracked") + "#timeline", code=303)
    return _render_tracked(case, form, SurveyForm(), 422)


@bp.post("/track/case/survey")
@public
@limiter.limit("10 per hour")
def survey():
    case = _tracked_case()
    form = SurveyForm()
    if form.validate_on_submit():
        try:
            intake.answer_survey(case, int(form.rating.data), form.comment.data or "")
        except (intake.SurveyAlreadyAnswered, intake.SurveyNotOpen):
            pass  # the page shows the thanks, or no survey yet; nothing to repeat
        return redirect(url_for("concerns.tracked") + "#survey", code=303)
    return _render_tracked(case, FamilyMessageForm(), form, 422)


@bp.post("/track/close")
@public
def stop_tracking():
    """Close the case view on this device (a shared computer, a library)."""
    session.pop("tracking", None)
    return redirect(url_for("concerns.track"), code=303)


@bp.context_processor
def _labels() -> dict[str, object]:
    from portal.concerns import labels

    return {"labels": labels}
