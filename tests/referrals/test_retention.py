"""Referrals under the retention rules: the purge, the family's contact, the access request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, update

from portal.audit.models import AuditEvent
from portal.auth.roles import Role
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.referrals import services
from portal.referrals.models import (
    Consent,
    Outcome,
    Reason,
    Referral,
    ReferralEntry,
    ReferralReason,
    ServiceReferral,
    Status,
)
from portal.referrals.scope import visible_referrals
from portal.resources.models import Resource
from portal.retention.models import AnonymisedRecord
from portal.retention.services import purge, save_settings
from tests.conftest import post
from tests.referrals.conftest import NOTE, OWN_PILOT, OWN_PLAIN, user

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LONG_AGO = datetime(2015, 6, 1, 12, 0, tzinfo=UTC)  # past 5 years, within 15
VERY_LONG_AGO = datetime(2009, 6, 1, 12, 0, tzinfo=UTC)  # past 15 years
RECENTLY = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def age(referral_id: int, *, closed: datetime | None, opened: datetime = LONG_AGO) -> None:
    """Move a referral (and its family's contact) back in time; `closed` None: still open."""
    referral = db.session.get(Referral, referral_id)
    db.session.execute(
        update(Referral)
        .where(Referral.id == referral_id)
        .values(created_at=opened, updated_at=closed or opened, closed_at=closed)
    )
    db.session.execute(
        update(FamilyContact)
        .where(FamilyContact.id == referral.contact_id)
        .values(created_at=opened, updated_at=opened)
    )
    db.session.commit()
    db.session.expire_all()


def end(referral: Referral, to: Status) -> None:
    worker = user(Role.SOCIAL_WORKER)
    if to is Status.DECLINED:
        change = services.StatusChange(Status.DECLINED, reason="DECLINE-REASON: nurse's job")
        services.change_status(referral, change, actor=worker, ip=None)
        return
    services.change_status(referral, services.StatusChange(Status.ACCEPTED), actor=worker, ip=None)
    services.change_status(
        referral,
        services.StatusChange(Status.CLOSED, outcome=Outcome.GOALS_MET, notes="CLOSING-NOTES"),
        actor=worker,
        ip=None,
    )


@dataclass
class Fixed:
    old: int  # closed long ago, with a note, a service and a consent: anonymised
    declined: int  # declined long ago: anonymised
    recent: int  # closed lately: kept
    open_old: int  # opened long ago, never closed: kept
    child_safety_old: int  # a mandatory report closed 11 years ago: kept (15 years)
    child_safety_very_old: int  # closed 17 years ago: anonymised
    old_family: int
    recent_family: int
    open_family: int
    child_safety_family: int


@pytest.fixture
def fixed(app, refer) -> Fixed:
    """The fixed referrals, made in a context of their own (clients need none left open)."""
    with app.app_context():
        return _make(refer)


def _make(refer) -> Fixed:
    food = Resource(  # the service the old family was sent to
        slug="retention-food-bank",
        name_en="Retention Food Bank",
        name_es="Banco de comida",
        description_en="Food",
        description_es="Comida",
    )
    db.session.add(food)
    db.session.commit()
    food_id = food.id

    def make(phone: str, *args: str, **fields) -> Referral:
        code, name = args if len(args) == 2 else (OWN_PLAIN, args[0])
        return refer(
            code, phone=phone, family_name=f"Family {name}", student_first_name=name, **fields
        )

    old = make(
        "+17205550301",
        OWN_PILOT,
        "Oldchild",
        to_caseworker=True,
        consent=True,
        tried="TRIED-TEXT: moved seats",
    )
    with_app = {"actor": user(Role.SOCIAL_WORKER), "ip": None}
    services.add_note(old, NOTE, **with_app)
    services.add_service(old, food_id, today=date(2015, 6, 2), **with_app)
    end(old, Status.CLOSED)
    declined = make("+17205550301", "Declinedchild")  # the same family
    end(declined, Status.DECLINED)
    recent = make("+17205550302", "Recentchild")
    end(recent, Status.CLOSED)
    open_old = make("+17205550303", "Openchild")
    cs_old = make("+17205550304", "Safetychild", reasons=(Reason.CHILD_SAFETY,))
    end(cs_old, Status.CLOSED)
    cs_very_old = make("+17205550305", "Oldsafetychild", reasons=(Reason.CHILD_SAFETY,))
    end(cs_very_old, Status.CLOSED)

    fixed = Fixed(
        old=old.id,
        declined=declined.id,
        recent=recent.id,
        open_old=open_old.id,
        child_safety_old=cs_old.id,
        child_safety_very_old=cs_very_old.id,
        old_family=old.contact_id,
        recent_family=recent.contact_id,
        open_family=open_old.contact_id,
        child_safety_family=cs_old.contact_id,
    )
    age(fixed.old, closed=LONG_AGO)
    age(fixed.declined, closed=LONG_AGO)
    age(fixed.recent, closed=RECENTLY)  # the family's contact itself last changed long ago
    age(fixed.open_old, closed=None)
    age(fixed.child_safety_old, closed=LONG_AGO)
    age(fixed.child_safety_very_old, closed=VERY_LONG_AGO, opened=VERY_LONG_AGO)
    return fixed


def by_type(reports) -> dict[str, list[int]]:
    return {r.key: r.ids for r in reports}


def snapshot() -> dict:
    """Everything the referral purge could touch, comparable before and after."""
    return {
        "referrals": db.session.execute(
            select(
                Referral.id,
                Referral.student_first_name,
                Referral.student_last_initial,
                Referral.student_grade,
                Referral.details,
                Referral.tried,
                Referral.decline_reason,
                Referral.outcome_notes,
                Referral.status,
            ).order_by(Referral.id)
        ).all(),
        "entries": db.session.execute(
            select(ReferralEntry.id, ReferralEntry.body).order_by(ReferralEntry.id)
        ).all(),
        "consents": db.session.execute(
            select(Consent.id, Consent.given_by, Consent.relationship_to_student)
        ).all(),
        "services": db.session.scalars(
            select(ServiceReferral.id).order_by(ServiceReferral.id)
        ).all(),
        "contacts": db.session.execute(
            select(FamilyContact.id, FamilyContact.name, FamilyContact.phone)
        ).all(),
        "marks": db.session.scalar(select(func.count()).select_from(AnonymisedRecord)),
        "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)),
    }


def test_a_dry_run_reports_the_old_referrals_and_changes_nothing(app_ctx, fixed):
    before = snapshot()
    found = by_type(purge(now=NOW))
    assert fixed.old in found["referrals"] and fixed.declined in found["referrals"]
    assert fixed.recent not in found["referrals"]
    assert fixed.open_old not in found["referrals"]  # still being worked, however old
    # A mandatory report is kept 15 years, and listed under its own type only.
    assert fixed.child_safety_old not in found["child_safety_referrals"]
    assert fixed.child_safety_very_old in found["child_safety_referrals"]
    assert fixed.child_safety_very_old not in found["referrals"]
    assert not set(found["referrals"]) & set(found["child_safety_referrals"])
    db.session.expire_all()
    assert snapshot() == before


def test_a_real_run_anonymises_exactly_what_it_reported(app_ctx, fixed):
    reported = by_type(purge(now=NOW))
    reasons_before = db.session.execute(
        select(ReferralReason.referral_id, ReferralReason.reason).order_by(
            ReferralReason.referral_id, ReferralReason.reason
        )
    ).all()
    done = by_type(purge(now=NOW, apply=True))
    assert done == reported
    for key in ("referrals", "child_safety_referrals"):
        marked = set(
            db.session.scalars(
                select(AnonymisedRecord.record_id).where(AnonymisedRecord.record_type == key)
            )
        )
        assert marked == set(reported[key]), key

    purged = set(reported["referrals"]) | set(reported["child_safety_referrals"])
    text_columns = (
        Referral.student_first_name,
        Referral.student_last_initial,
        Referral.student_grade,
        Referral.details,
        Referral.tried,
        Referral.decline_reason,
        Referral.outcome_notes,
    )
    for row in db.session.execute(select(Referral.id, *text_columns)):
        if row.id in purged:
            assert set(row[1:]) == {""}, row.id
    old = db.session.get(Referral, fixed.old)
    assert all(entry.body == "" for entry in old.entries)
    assert not any(entry.detail.get("resource_id") for entry in old.entries)
    assert [(c.given_by, c.relationship_to_student) for c in old.consents] == [("", "")]
    assert old.consents[0].method.value == "signed_form"  # how consent was given stays
    assert old.services == []
    # What the caseload counts by stays: status, reasons, school, flags, outcome.
    assert old.status is Status.CLOSED and old.outcome is Outcome.GOALS_MET
    assert old.school.code == OWN_PILOT and old.for_caseworker
    assert old.student_label == "—"
    assert (
        db.session.execute(
            select(ReferralReason.referral_id, ReferralReason.reason).order_by(
                ReferralReason.referral_id, ReferralReason.reason
            )
        ).all()
        == reasons_before
    )
    assert db.session.get(Referral, fixed.child_safety_very_old).child_safety
    # Nothing else was touched.
    for kept in (fixed.recent, fixed.open_old, fixed.child_safety_old):
        referral = db.session.get(Referral, kept)
        assert referral.student_first_name and referral.details, kept
    assert db.session.get(Referral, fixed.recent).outcome_notes == "CLOSING-NOTES"
    # Counts only in the audit trail, never a name.
    rows = db.session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.action == "retention.purged",
            AuditEvent.target_type.in_(("referrals", "child_safety_referrals")),
        )
    ).all()
    assert sorted(r["count"] for r in rows) == sorted(
        [len(reported["referrals"]), len(reported["child_safety_referrals"])]
    )
    assert "Oldchild" not in str(rows)
    # A second run finds nothing more.
    again = by_type(purge(now=NOW))
    assert not again["referrals"] and not again["child_safety_referrals"]


def test_a_family_keeps_its_contact_while_a_referral_is_within_retention(app_ctx, fixed):
    found = by_type(purge(now=NOW))["family_contacts"]
    assert fixed.recent_family not in found  # closed two months ago
    assert fixed.open_family not in found  # still open
    assert fixed.child_safety_family not in found  # a mandatory report, 11 years old
    # Every referral of the old family is due, so the same run releases its contact.
    assert fixed.old_family in found
    purge(now=NOW, apply=True)
    db.session.expire_all()
    released = db.session.get(FamilyContact, fixed.old_family)
    assert (released.name, released.phone, released.email) == ("", None, None)
    for kept in (fixed.recent_family, fixed.open_family, fixed.child_safety_family):
        assert db.session.get(FamilyContact, kept).phone, kept


def test_a_longer_setting_keeps_the_referral_and_the_family(app_ctx, fixed):
    save_settings({"referrals": 1200}, actor_id=None, ip=None)
    found = by_type(purge(now=NOW))
    assert fixed.old not in found["referrals"]
    assert fixed.old_family not in found["family_contacts"]
    # The child-safety setting is its own and cannot be set below 10 years.
    from portal.retention.services import SettingsError

    with pytest.raises(SettingsError) as refused:
        save_settings({"child_safety_referrals": 60}, actor_id=None, ip=None)
    assert "child_safety_referrals" in refused.value.errors


def test_the_purge_leaves_who_may_read_what_unchanged(app_ctx, fixed):
    people = [user(role) for role in (Role.SOCIAL_WORKER, Role.CASEWORKER, Role.SPECIALIST)]

    def visible() -> list[list[int]]:
        return [
            sorted(db.session.scalars(visible_referrals(p).with_only_columns(Referral.id)))
            for p in people
        ]

    before = visible()
    purge(now=NOW, apply=True)
    db.session.expire_all()
    assert visible() == before


def export(client, contact_id: int):
    response = post(
        client,
        "/admin/family-records/export",
        {"contact_id": contact_id, "reason": "Written request from the mother"},
    )
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def test_the_family_export_holds_its_referrals_and_no_one_elses(app, as_role, fixed):
    document = export(as_role(Role.ADMIN), fixed.old_family)
    referrals = document["records"]["referrals"]
    assert [r["referral_id"] for r in referrals] == [fixed.old, fixed.declined]
    old = referrals[0]
    assert old["status"] == "closed" and old["reasons"] == ["attendance"]
    assert old["student_first_name"] == "Oldchild" and old["tried"] == "TRIED-TEXT: moved seats"
    assert old["services"][0]["service"] == "Retention Food Bank"
    assert old["consents"][0]["given_by"] == "Rosa Quintero"
    assert old["closed_at"].startswith("2015-06-01")
    # As with concern cases' internal notes: included, flagged for review before release.
    notes = [e for e in old["timeline"] if e["confidential"]]
    assert [n["body"] for n in notes] == [NOTE]
    assert old["review_before_release"] is True
    assert referrals[1]["status"] == "declined"
    text = json.dumps(document)
    for other in ("Recentchild", "Openchild", "Safetychild", "+17205550302"):
        assert other not in text

    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "family.records_exported")
        ).one()
        assert event.detail["counts"]["referrals"] == 2
        disclosed = db.session.scalars(
            select(AuditEvent.target_id).where(AuditEvent.action == "referral.disclosed")
        ).all()
        assert sorted(disclosed) == sorted([str(fixed.old), str(fixed.declined)])


def test_a_child_safety_referral_is_flagged_for_review_in_the_export(as_role, fixed):
    document = export(as_role(Role.ADMIN), fixed.child_safety_family)
    [referral] = document["records"]["referrals"]
    assert referral["child_safety"] is True and referral["review_before_release"] is True
    assert "child_safety_referrals" not in document["records"]  # exported once, above


def test_an_anonymised_referral_is_exported_without_its_text(app, as_role, fixed):
    with app.app_context():
        purge(now=NOW, apply=True)
    document = export(as_role(Role.ADMIN), fixed.old_family)
    old = document["records"]["referrals"][0]
    assert old["student_first_name"] == "" and old["services"] == []
    assert old["status"] == "closed" and old["review_before_release"] is False
    assert NOTE not in json.dumps(document)


def test_the_audit_log_links_a_referral_to_its_access_history(app, as_role, fixed):
    admin = as_role(Role.ADMIN)
    export(admin, fixed.old_family)
    with app.app_context():
        token = db.session.get(Referral, fixed.old).token
    page = admin.get("/admin/audit?action=referral.disclosed").get_data(as_text=True)
    link = f"/referrals/{token}/access"
    assert link in page
    history = admin.get(link).get_data(as_text=True)
    assert "Released it in a family" in history
    assert "Oldchild" not in history  # the admin reads who looked, not the referral
    # Nobody else reaches the audit log, and the link opens nothing new for them.
    assert as_role(Role.SOCIAL_WORKER).get("/admin/audit").status_code in (403, 404)


def test_an_anonymised_referral_still_opens_for_its_worker_without_the_name(app, as_role, fixed):
    with app.app_context():
        purge(now=NOW, apply=True)
        token = db.session.get(Referral, fixed.declined).token
    client = as_role(Role.SOCIAL_WORKER)
    page = client.get(f"/referrals/{token}").get_data(as_text=True)
    assert "Declinedchild" not in page and "DECLINE-REASON" not in page
    listing = client.get("/referrals/?status=declined").get_data(as_text=True)
    assert f"/referrals/{token}" in listing
    # Another school's worker still gets nothing.
    assert as_role(Role.SPECIALIST).get(f"/referrals/{token}").status_code in (403, 404)
