"""CSV of exactly what a figure shows: the same query, filters and scope as the page."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, request
from flask_babel import gettext as _
from flask_login import current_user

from dashboards import urlstate
from dashboards.catalogue import DASHBOARDS
from dashboards.figures import LABELLED, header
from dashboards.pages import figure_table, labels
from dashboards.shell import DASHBOARD_ROLES
from portal.access import role_required
from portal.audit.services import record
from portal.extensions import db
from portal.timeutil import district_today

bp = Blueprint("dashboard_export", __name__)


def _cell(value: object, names: dict[str, str], hidden: str, column: str = "") -> object:
    """A CSV cell; text that a spreadsheet would run as a formula is made plain text."""
    if value is None:
        return hidden
    if column in LABELLED:
        value = names.get(str(value), value)
    if isinstance(value, str):
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
    return value


@bp.get("/dashboards/export/<slug>/<key>.csv")
@role_required(*DASHBOARD_ROLES)
def export(slug: str, key: str) -> Response:
    dashboard = DASHBOARDS.get(slug)
    spec = dashboard.figure(key) if dashboard else None
    if spec is None:
        abort(404)
    if not current_user.has_role(*dashboard.roles):
        abort(403)
    filters = urlstate.from_values(request.args.to_dict(), district_today())
    table = figure_table(dashboard, spec, filters, current_user)
    names = labels()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header(names, c) for c in table.columns])
    hidden = _("fewer than 10")
    for row in table.rows:
        writer.writerow(
            [
                _cell(value, names, hidden, column)
                for column, value in zip(table.columns, row, strict=True)
            ]
        )
    record(
        "dashboard.exported",
        actor_id=current_user.id,
        target_type="dashboard",
        target_id=f"{slug}/{key}",
        ip=request.remote_addr,
        detail={"filters": request.args.to_dict(), "rows": len(table.rows)},
    )
    db.session.commit()
    response = Response(out.getvalue(), mimetype="text/csv")
    name = f"{slug}-{key}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    return response
