"""The survey after a session, opened from the link in the participant's message."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.access import public
from portal.extensions import limiter
from portal.i18n import current_language
from portal.programmes import feedback as fb
from portal.programmes.forms import FeedbackForm
from portal.programmes.models import OfferingSession, Registration
from portal.security import mark_sensitive
from portal.timeutil import utcnow

bp = Blueprint("feedback", __name__)

# The answer just sent: the page after the redirect thanks them instead of "already answered".
THANKED = "feedback_thanked"


def _speak_their_language(registration: Registration) -> None:
    """The survey opens in the language they registered in, until they switch it."""
    if "lang" not in session and not current_user.is_authenticated:
        g.forced_locale = registration.language


@bp.route(
    "/workshops/feedback/<int:session_id>/<int:registration_id>/<token>",
    methods=["GET", "POST"],
)
@public
@limiter.limit("30 per minute")
@limiter.limit("5 per minute; 30 per hour", methods=["POST"])
def answer(session_id: int, registration_id: int, token: str):
    """Three ratings and a comment; once per person and session."""
    mark_sensitive()
    found = fb.open_link(session_id, registration_id, token)
    if found is None:
        abort(404)
    registration, meeting = found
    _speak_their_language(registration)
    here = url_for(
        "feedback.answer", session_id=session_id, registration_id=registration_id, token=token
    )
    key = f"{registration.id}:{meeting.id}"
    if fb.answer_for(registration, meeting) is not None:
        if request.method == "POST":  # sent twice: the first answer stands
            session[THANKED] = key
            return redirect(here, code=303)
        thanked = session.pop(THANKED, None) == key
        return _page("feedback/thanks.html" if thanked else "feedback/answered.html", meeting)
    if not fb.has_started(meeting, utcnow()):
        return _page("feedback/not_yet.html", meeting)
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            fb.submit_feedback(
                registration,
                meeting,
                fb.FeedbackAnswer(
                    useful=form.useful.data,
                    facilitator=form.facilitator.data,
                    welcome=form.welcome.data,
                    comment=form.comment.data or "",
                    language=current_language(),
                ),
                now=utcnow(),
            )
        except fb.NotAParticipant:
            abort(404)
        session[THANKED] = key
        return redirect(here, code=303)
    return _page("feedback/answer.html", meeting, form=form), (422 if form.errors else 200)


def _page(template: str, meeting: OfferingSession, **context: object) -> str:
    return render_template(template, meeting=meeting, offering=meeting.offering, **context)
