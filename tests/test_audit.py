"""The audit trail: one function writes it, secrets never enter it, rows never change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent, AuditRowImmutable
from portal.audit.services import events, record
from portal.extensions import db
from portal.schools.models import School

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_record_names_the_target_and_drops_secrets():
    school = db.session.scalars(select(School)).first()
    row = record(
        "school.viewed",
        actor_id=None,
        target=school,
        ip="198.51.100.7",
        detail={"password": "hunter2", "token": "t", "reason": "check"},
    )
    db.session.commit()
    stored = db.session.get(AuditEvent, row.id)
    assert stored.target_type == "schools" and stored.target_id == str(school.id)
    assert stored.detail == {"reason": "check"} and stored.ip == "198.51.100.7"
    assert stored.occurred_at.tzinfo is not None


def test_audit_rows_cannot_be_edited_or_deleted():
    row = record("x.test")
    db.session.commit()
    row.action = "changed"
    with pytest.raises(AuditRowImmutable):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, row.id))
    with pytest.raises(AuditRowImmutable):
        db.session.commit()
    db.session.rollback()


def test_events_filter_by_action():
    record("a.one")
    record("a.two")
    db.session.commit()
    actions = [e.action for e in db.session.scalars(events(action="a.two"))]
    assert actions == ["a.two"]
