"""Public pages and the health endpoints the load balancer calls."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.access import public
from portal.calendar import services as calendar
from portal.extensions import db, limiter
from portal.timeutil import district_today

bp = Blueprint("main", __name__)
log = logging.getLogger("puente.health")


@bp.get("/")
@public
def home():
    """What a family can do here, in plain words."""
    today = district_today()
    soon = calendar.days_between(today, today + timedelta(days=120))
    next_closed = calendar.periods(soon)[:2]
    return render_template("main/home.html", next_closed=next_closed, team_steps=_team_steps(today))


def _team_steps(today):  # noqa: ANN001, ANN202
    """A social worker's or caseworker's coordination-team next steps, for their home page."""
    from flask_login import current_user

    from portal.coordination.services import TEAM_ROLES, steps_due

    if current_user.is_authenticated and current_user.has_role(*TEAM_ROLES):
        return steps_due(current_user, today)
    return None


@bp.get("/calendar", endpoint="calendar")
@public
def calendar_view():
    """The days this school year when there are no classes."""
    today = district_today()
    first, last = calendar.school_year_bounds(today)
    days = calendar.days_between(first, last)
    return render_template(
        "main/calendar.html",
        periods=calendar.periods(days),
        today=today,
        year_first=first,
        year_last=last,
    )


@bp.get("/healthz")
@public
@limiter.exempt
def healthz():
    """The process is up and answering."""
    return jsonify(status="ok")


@bp.get("/readyz")
@public
@limiter.exempt
def readyz():
    """The process can reach its database; a balancer sends traffic only when this is 200."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("not ready", extra={"error": type(exc).__name__})
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ready", database="ok")
