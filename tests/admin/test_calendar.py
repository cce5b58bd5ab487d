"""The administrator's district calendar: days added or removed move open cases' due dates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.roles import Role
from portal.calendar.models import NonSchoolDay
from portal.concerns.models import Case
from portal.extensions import db
from tests.conftest import post


def due(app, reference: str) -> date:  # noqa: ANN001
    with app.app_context():
        return db.session.scalars(select(Case.resolve_due).where(Case.reference == reference)).one()


def test_a_snow_day_moves_due_dates_and_removing_it_moves_them_back(as_role, app, submit):
    reference = submit(today=date(2027, 4, 5)).reference
    assert due(app, reference) == date(2027, 4, 19)
    admin = as_role(Role.ADMIN)
    response = post(
        admin,
        "/admin/calendar",
        {"day": "2027-04-09", "kind": "holiday", "name_en": "Snow day", "name_es": "Día de nieve"},
    )
    assert response.status_code == 303
    assert due(app, reference) == date(2027, 4, 20)
    with app.app_context():
        row = db.session.scalars(
            select(NonSchoolDay).where(NonSchoolDay.day == date(2027, 4, 9))
        ).one()
    assert post(admin, f"/admin/calendar/{row.id}/delete").status_code == 303
    assert due(app, reference) == date(2027, 4, 19)
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"calendar.day_added", "calendar.day_removed"} <= actions


def test_weekends_and_duplicates_are_refused(as_role):
    admin = as_role(Role.ADMIN)
    weekend = post(
        admin,
        "/admin/calendar",
        {"day": "2027-04-10", "kind": "holiday", "name_en": "Saturday", "name_es": "Sábado"},
    )
    assert weekend.status_code == 422
    twice = post(
        admin,
        "/admin/calendar",
        {"day": "2026-12-21", "kind": "break", "name_en": "Again", "name_es": "Otra vez"},
    )
    assert twice.status_code == 422
    assert "already on the calendar" in twice.get_data(as_text=True)
    assert admin.post("/admin/calendar/999999/delete").status_code in (400, 404)
