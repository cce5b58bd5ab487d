"""The public directory (search, filter, a listing's page) and staff editing of listings."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.access import public, role_required
from portal.auth.roles import STAFF_ROLES, Role
from portal.extensions import db
from portal.families.services import normalize_phone
from portal.htmx import is_fragment_request
from portal.i18n import current_language
from portal.resources import hours as hours_
from portal.resources import services
from portal.resources.forms import ResourceForm
from portal.resources.models import SPOKEN_LANGUAGES, Need, Resource
from portal.timeutil import district_today, to_district, utcnow

bp = Blueprint("resources", __name__)
PAGE_SIZE = 20
# Who keeps the directory up to date; every staff member may look at the staff list.
EDITORS = frozenset({Role.SOCIAL_WORKER, Role.CASEWORKER, Role.PROGRAMME_STAFF, Role.ADMIN})


def _viewer_is_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.has_role(*STAFF_ROLES))


def _viewer_edits() -> bool:
    return bool(current_user.is_authenticated and current_user.has_role(*EDITORS))


def _listing_context() -> dict:
    return {
        "local_now": to_district(utcnow()),
        "today": district_today(),
        "hours": hours_,
        "language_name": services.language_name,
        "autonym": services.autonym,
        "capitalised": services.capitalised,
        "staff_view": _viewer_is_staff(),
    }


@bp.get("/resources")
@public
def index():
    """Community services, found by need, language, neighborhood, words, and open now."""
    flt = services.parse_filter(request.args)
    context = _listing_context()
    page = db.paginate(
        services.search(flt, local_now=context["local_now"], language=current_language()),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
        error_out=False,
    )
    context.update(page=page, flt=flt)
    if is_fragment_request():
        return render_template("resources/_results.html", **context)
    return render_template(
        "resources/index.html",
        needs=list(Need),
        spoken=SPOKEN_LANGUAGES,
        neighbourhoods=services.neighbourhoods(),
        **context,
    )


@bp.get("/resources/<slug>")
@public
def show(slug: str):
    """One listing: what it offers, who can use it, where, when, and how to reach it."""
    resource = services.public_resource(slug)
    if resource is None:
        abort(404)
    return render_template(
        "resources/show.html",
        resource=resource,
        can_edit=_viewer_edits(),
        **_listing_context(),
    )


# ---- staff ---------------------------------------------------------------------------------


@bp.get("/resources/manage")
@role_required(*STAFF_ROLES)
def manage():
    """Every listing for staff, oldest check first; stale and archived ones on their own tabs."""
    show_ = request.args.get("show", "active")
    show_ = show_ if show_ in ("active", "stale", "archived") else "active"
    text = services.clean_query(request.args.get("q", ""))
    today = district_today()
    page = db.paginate(
        services.staff_list(today=today, show=show_, text=text),
        per_page=50,
        max_per_page=50,
        error_out=False,
    )
    return render_template(
        "resources/manage.html",
        page=page,
        show=show_,
        text=text,
        today=today,
        stale_count=services.stale_count(today),
        can_edit=_viewer_edits(),
    )


def _resource_or_404(resource_id: int) -> Resource:
    resource = db.session.get(Resource, resource_id)
    if resource is None:
        abort(404)
    return resource


def _fill_from(form: ResourceForm, resource: Resource) -> None:
    """A listing's stored values into an empty form, hours included."""
    form.process(obj=resource)
    form.needs.data = [n.value for n in resource.needs]
    form.languages.data = list(resource.languages)
    form.phone.data = resource.phone or ""
    for weekday, day in enumerate(form.days):
        slots = [h for h in resource.hours if h.weekday == weekday][:2]
        for n, h in enumerate(slots, start=1):
            getattr(day.form, f"opens{n}").data = _clock(h.opens)
            getattr(day.form, f"closes{n}").data = _clock(h.closes)


def _clock(minute: int) -> str:
    minute %= 24 * 60
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _edit(resource: Resource | None):  # noqa: ANN202
    form = ResourceForm(language=current_language())
    if request.method == "GET":
        if resource is not None:
            _fill_from(form, resource)
        else:
            form.verified.data = True
            form.city.data = "Denver, CO"
            form.submission_key.data = secrets.token_urlsafe(24)
    if form.validate_on_submit():
        key = None
        if resource is None:  # a new listing: once per form, like a referral
            key = form.submission_key.data or ""
            if not 16 <= len(key) <= 64:
                abort(400)
        saved = services.save_resource(
            resource,
            services.ResourceInput(
                name_en=form.name_en.data,
                name_es=form.name_es.data,
                description_en=form.description_en.data,
                description_es=form.description_es.data,
                eligibility_en=form.eligibility_en.data or "",
                eligibility_es=form.eligibility_es.data or "",
                needs=frozenset(Need(n) for n in form.needs.data),
                languages=frozenset(form.languages.data),
                street=form.street.data or "",
                city=form.city.data or "",
                postal_code=form.postal_code.data or "",
                neighbourhood=form.neighbourhood.data or "",
                phone=normalize_phone(form.phone.data or ""),
                website=services.clean_website(form.website.data or ""),
                by_appointment=bool(form.by_appointment.data),
                hours_note_en=form.hours_note_en.data or "",
                hours_note_es=form.hours_note_es.data or "",
                openings=form.openings(),
            ),
            actor_id=current_user.id,
            ip=request.remote_addr,
            verified_today=district_today() if form.verified.data else None,
            submission_key=key,
        )
        flash(_l("The listing has been saved."), "success")
        return (
            redirect(url_for("resources.show", slug=saved.slug), code=303)
            if (saved.active)
            else redirect(url_for("resources.manage", show="archived"), code=303)
        )
    return render_template(
        "resources/edit.html",
        form=form,
        resource=resource,
        neighbourhoods=services.neighbourhoods(),
        hours=hours_,
    ), (422 if form.errors else 200)


@bp.route("/resources/manage/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new():
    return _edit(None)


@bp.route("/resources/manage/<int:resource_id>", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(resource_id: int):
    return _edit(_resource_or_404(resource_id))


def _back(resource: Resource):  # noqa: ANN202
    target = request.form.get("next", "")
    # Only back to one of our own staff lists: never an address someone else put in the form.
    if target.startswith(url_for("resources.manage")) and "//" not in target:
        return redirect(target, code=303)
    if resource.active:
        return redirect(url_for("resources.show", slug=resource.slug), code=303)
    return redirect(url_for("resources.manage", show="archived"), code=303)


@bp.post("/resources/manage/<int:resource_id>/verify")
@role_required(*EDITORS)
def verify(resource_id: int):
    resource = _resource_or_404(resource_id)
    services.mark_verified(
        resource, today=district_today(), actor_id=current_user.id, ip=request.remote_addr
    )
    flash(_l("Marked as checked today."), "success")
    return _back(resource)


@bp.post("/resources/manage/<int:resource_id>/archive")
@role_required(*EDITORS)
def archive(resource_id: int):
    resource = _resource_or_404(resource_id)
    services.archive(resource, actor_id=current_user.id, ip=request.remote_addr)
    flash(_l("The listing is no longer shown to families."), "success")
    return redirect(url_for("resources.manage", show="archived"), code=303)


@bp.post("/resources/manage/<int:resource_id>/restore")
@role_required(*EDITORS)
def restore(resource_id: int):
    resource = _resource_or_404(resource_id)
    services.restore(resource, actor_id=current_user.id, ip=request.remote_addr)
    flash(_l("The listing is shown to families again."), "success")
    return redirect(url_for("resources.show", slug=resource.slug), code=303)
