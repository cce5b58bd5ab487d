"""Administrators' data-protection pages: retention settings and a family's records."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.access import role_required
from portal.auth.roles import Role
from portal.retention import services
from portal.retention.forms import CsrfOnlyForm, ExportForm, FamilySearchForm
from portal.retention.registry import record_types
from portal.timeutil import utcnow

bp = Blueprint("retention", __name__)


@bp.route("/retention", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings():
    """How long each kind of personal data is kept; validated all or nothing."""
    form = CsrfOnlyForm()
    months = services.current_months()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        wanted = {t.key: request.form.get(f"months-{t.key}", "") for t in record_types()}
        try:
            changes = services.save_settings(
                wanted, actor_id=current_user.id, ip=request.remote_addr
            )
        except services.SettingsError as error:
            errors = error.errors
            months = {**months, **wanted}  # what was typed comes back, not the old values
            status = 422
        else:
            flash(_("Retention settings saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for("retention.settings"), code=303)
    elif request.method == "POST":
        status = 422
    return render_template(
        "retention/settings.html",
        form=form,
        types=record_types(),
        months=months,
        errors=errors,
    ), status


def _family_page(search: FamilySearchForm, export: ExportForm | None, families, status=200):
    return render_template(
        "retention/family_records.html",
        search=search,
        export=export or ExportForm(formdata=None),
        families=families,
    ), status


@bp.route("/family-records", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def family_records():
    """Find a family by phone or email, posted so that neither lands in a URL or a log."""
    search = FamilySearchForm()
    families = None
    if search.validate_on_submit():
        families = services.find_families(search.query.data)
    return _family_page(search, None, families, 422 if search.errors else 200)


@bp.post("/family-records/export")
@role_required(Role.ADMIN)
def export_family_records():
    """Download one family's records (JSON), recorded as a disclosure with its reason."""
    form = ExportForm()
    if not form.validate_on_submit():
        search = FamilySearchForm(formdata=None, query=form.query.data or "")
        families = services.find_families(form.query.data or "")
        return _family_page(search, form, families, 422)
    document = services.family_export(
        form.contact_id.data,
        reason=form.reason.data,
        actor_id=current_user.id,
        ip=request.remote_addr,
    )
    if document is None:
        abort(404)
    body = json.dumps(document, ensure_ascii=False, indent=2)
    name = f"family-records-{document['family_contact_id']}-{utcnow():%Y%m%d}.json"
    return (
        body,
        200,
        {
            "Content-Type": "application/json; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )
