"""The administrator's retention settings, the family-records export and the purge command."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.roles import Role
from portal.extensions import db
from portal.retention.models import RetentionSetting
from portal.retention.services import current_months
from tests.conftest import post

PAGES = ("/admin/retention", "/admin/family-records")


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_other_roles_are_refused(as_role, role):
    client = as_role(role)
    for path in PAGES:
        assert client.get(path).status_code == 403
    assert client.post("/admin/family-records/export").status_code in (400, 403)


def test_settings_page_lists_every_type_with_its_value(as_role):
    page = as_role(Role.ADMIN).get("/admin/retention").get_data(as_text=True)
    assert 'name="months-concern_cases" value="60"' in page
    assert 'name="months-family_contacts"' in page


def test_saving_settings_stores_and_audits_them(as_role, app):
    admin = as_role(Role.ADMIN)
    form = {f"months-{k}": str(v) for k, v in _months(app).items()}
    form["months-concern_cases"] = "84"
    form["months-nonsense"] = "1"  # a made-up type: ignored
    response = post(admin, "/admin/retention", form)
    assert response.status_code == 303
    assert db.session.get(RetentionSetting, "concern_cases").months == 84
    assert db.session.get(RetentionSetting, "nonsense") is None
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "retention.settings_changed")
    ).one()
    assert event.detail == {"concern_cases": {"from": 60, "to": 84}}


@pytest.mark.parametrize("value", ["0", "5", "abc", "99999", ""])
def test_bad_values_are_refused_and_kept_on_the_form(as_role, app, value):
    admin = as_role(Role.ADMIN)
    form = {f"months-{k}": str(v) for k, v in _months(app).items()}
    form["months-concern_cases"] = value
    form["months-outbox_messages"] = "6"  # valid, but nothing is saved when anything is wrong
    response = post(admin, "/admin/retention", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    assert f'name="months-concern_cases" value="{value}"' in page
    assert db.session.get(RetentionSetting, "outbox_messages") is None


def test_settings_errors_are_in_spanish_for_a_spanish_speaker(as_role, app, make_user):
    from tests.conftest import sign_in

    user = make_user(Role.ADMIN, language="es")
    client = app.test_client()
    sign_in(client, user.email)
    response = post(client, "/admin/retention", {"months-concern_cases": "2"})
    assert response.status_code == 422
    assert "meses" in response.get_data(as_text=True)


def _months(app) -> dict[str, int]:
    with app.app_context():
        return current_months()


def test_family_search_is_a_post_and_finds_by_phone_or_email(as_role, fixed_data):
    admin = as_role(Role.ADMIN)
    by_phone = post(admin, "/admin/family-records", {"query": "(720) 555-0101"})
    assert by_phone.status_code == 200
    assert "Olga Old" in by_phone.get_data(as_text=True)
    by_email = post(admin, "/admin/family-records", {"query": "MARTA@example.org"})
    assert "Marta Mixed" in by_email.get_data(as_text=True)
    nobody = post(admin, "/admin/family-records", {"query": "nobody@example.org"})
    assert "No family has that phone number" in nobody.get_data(as_text=True)
    # A search in the query string does nothing: lookups are never in a URL.
    assert "Olga Old" not in admin.get("/admin/family-records?query=olga@example.org").get_data(
        as_text=True
    )


def test_export_needs_a_reason(as_role, fixed_data):
    admin = as_role(Role.ADMIN)
    response = post(
        admin,
        "/admin/family-records/export",
        {"contact_id": fixed_data.old_contact, "query": "olga@example.org", "reason": ""},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Say why the records are being released." in page
    assert "Olga Old" in page  # the search result is still there


def test_export_downloads_the_family_records_and_records_the_disclosure(as_role, fixed_data):
    admin = as_role(Role.ADMIN)
    response = post(
        admin,
        "/admin/family-records/export",
        {
            "contact_id": fixed_data.mixed_contact,
            "query": "marta@example.org",
            "reason": "Written request from the mother, December 1",
        },
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    document = json.loads(response.get_data(as_text=True))
    records = document["records"]
    assert records["family_contacts"][0]["email"] == "marta@example.org"
    assert len(records["concern_cases"]) == 3
    assert records["concern_cases"][0]["timeline"][0]["body"].startswith("Called the mother")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "family.records_exported")
    ).one()
    assert event.target_id == str(fixed_data.mixed_contact)
    assert event.detail["reason"] == "Written request from the mother, December 1"
    assert event.detail["counts"]["concern_cases"] == 3


@pytest.mark.parametrize("contact_id", [999999, 2**31, 2**64 + 5, "9" * 400, -1])
def test_export_of_an_unknown_family_is_404(as_role, contact_id):
    # A number past 2**63 cannot even be bound on SQLite: still no such family, not a 500.
    response = post(
        as_role(Role.ADMIN),
        "/admin/family-records/export",
        {"contact_id": contact_id, "reason": "A request in writing"},
    )
    assert response.status_code == 404


def test_the_purge_command_is_a_dry_run_unless_told(app, fixed_data):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["retention", "purge", "--type", "outbox_messages", "--ids"])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    assert str(fixed_data.old_message) in result.output
    bad = runner.invoke(args=["retention", "purge", "--type", "nope"])
    assert bad.exit_code != 0
