"""Series progress for staff, and the completion certificates they print or send."""

from __future__ import annotations

import re
import unicodedata

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from portal.access import role_required
from portal.auth.roles import Role
from portal.extensions import db
from portal.programmes import certificate, completion
from portal.programmes.attendance import visible_offerings
from portal.programmes.models import Offering, Registration
from portal.security import mark_sensitive

bp = Blueprint("certificates", __name__)
# Programme staff everywhere; a liaison for the offerings at their schools.
STAFF = (Role.PROGRAMME_STAFF, Role.LIAISON)


def _offering_or_404(offering_id: int) -> Offering:
    offering = db.session.scalar(visible_offerings(current_user).where(Offering.id == offering_id))
    if offering is None:
        abort(404)
    return offering


def _ascii(text: str) -> str:
    """A file name part that every browser and mail client accepts: letters, digits, hyphens."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower()[:60]


def _pdf(offering: Offering, registrations: list[Registration], filename: str) -> Response:
    mark_sensitive()
    body = certificate.download(
        offering, registrations, actor_id=current_user.id, ip=request.remote_addr
    )
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/programmes/offerings/<int:offering_id>/progress")
@role_required(*STAFF)
def progress(offering_id: int):
    """Each participant's sessions attended against those required, with their certificate."""
    offering = _offering_or_404(offering_id)
    rows = completion.progress(offering)
    return render_template(
        "programmes/progress.html",
        offering=offering,
        rows=rows,
        sessions=len(offering.sessions),
        required=completion.required_sessions(offering.programme, len(offering.sessions)),
        completers=sum(1 for row in rows if row.completed),
    )


@bp.get("/programmes/offerings/<int:offering_id>/certificates.pdf")
@role_required(*STAFF)
def all_certificates(offering_id: int):
    """Every completer's certificate, one page each, to print for a closing ceremony."""
    offering = _offering_or_404(offering_id)
    completers = completion.completers(offering)
    if not completers:
        abort(404)
    return _pdf(offering, completers, f"certificates-{offering.id}.pdf")


@bp.get("/programmes/offerings/<int:offering_id>/certificates/<int:registration_id>.pdf")
@role_required(*STAFF)
def one_certificate(offering_id: int, registration_id: int):
    offering = _offering_or_404(offering_id)
    registration = db.session.get(Registration, registration_id)
    if (
        registration is None
        or registration.offering_id != offering.id
        or not completion.has_completed(registration)
    ):
        abort(404)
    name = _ascii(registration.contact.name) or str(registration.id)
    return _pdf(offering, [registration], f"certificate-{offering.id}-{name}.pdf")
