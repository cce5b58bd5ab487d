"""The referral pages through the test client: the form, actions, status, audit, confidentiality."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.roles import Role
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.referrals.models import Reason, Referral, Status
from tests.conftest import csrf, post
from tests.referrals.conftest import NOTE, OWN_PILOT, OWN_PLAIN, fresh, school, user

KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')


def form_key(client) -> str:  # noqa: ANN001
    page = client.get("/referrals/new").get_data(as_text=True)
    match = KEY.search(page) or re.search(r'id="submission_key"[^>]*value="([^"]+)"', page)
    assert match, "no submission key on the form"
    return match.group(1)


def referral_form(client, **overrides) -> dict:  # noqa: ANN001
    with client.application.app_context():
        school_id = school(OWN_PILOT).id
    data = {
        "submission_key": form_key(client),
        "school": str(school_id),
        "student_first_name": "Ximena",
        "student_last_initial": "d",
        "student_grade": "3",
        "name": "Beatriz Delgado",
        "phone": "720-555-0163",
        "email": "",
        "language": "es",
        "reasons": ["attendance", "basic_needs"],
        "urgency": "priority",
        "destination": "social_worker",
        "details": "Ximena falta los lunes; la familia no tiene transporte.",
        "tried": "Llamadas de la maestra.",
    }
    data.update(overrides)
    return data


def only_referral(student: str = "Ximena") -> Referral:
    return db.session.scalars(select(Referral).where(Referral.student_first_name == student)).one()


class TestForm:
    def test_a_liaison_refers_a_spanish_speaking_family(self, app, as_role):
        client = as_role(Role.LIAISON)
        data = referral_form(client)
        # Fields the form does not have are ignored, whatever they say.
        data.update({"status": "closed", "referred_by_id": "1", "social_worker_id": "1"})
        response = post(client, "/referrals/new", data)
        assert response.status_code == 303
        assert "/referrals/sent/" in response.headers["Location"]
        with app.app_context():
            referral = only_referral()
            assert referral.status is Status.NEW
            assert referral.referred_by_id == user(Role.LIAISON).id
            assert referral.social_worker_id == user(Role.SOCIAL_WORKER).id
            assert referral.student_last_initial == "D"
            assert referral.contact.language == "es" and referral.contact.phone == "+17205550163"
            assert set(referral.reasons) == {Reason.ATTENDANCE, Reason.BASIC_NEEDS}
            token = referral.token
        status = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Ximena D." in status
        # The liaison follows the status and cannot open the referral itself.
        assert client.get(f"/referrals/{token}").status_code == 403

    def test_a_second_submit_of_the_same_form_makes_one_referral(self, app, as_role):
        client = as_role(Role.LIAISON)
        data = referral_form(client)
        first = post(client, "/referrals/new", data)
        second = post(client, "/referrals/new", data)
        assert first.headers["Location"] == second.headers["Location"]
        with app.app_context():
            assert db.session.query(Referral).count() >= 1
            only_referral()  # exactly one

    def test_errors_keep_what_was_typed(self, as_role):
        client = as_role(Role.LIAISON)
        response = post(client, "/referrals/new", referral_form(client, reasons=[], details=""))
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert 'id="reasons-error"' in page and 'id="details-error"' in page
        assert "Beatriz Delgado" in page and 'value="Ximena"' in page

    def test_the_caseworker_needs_consent_on_the_form(self, as_role):
        client = as_role(Role.LIAISON)
        response = post(client, "/referrals/new", referral_form(client, destination="caseworker"))
        assert response.status_code == 422
        assert 'id="consent_given_by-error"' in response.get_data(as_text=True)
        response = post(
            client,
            "/referrals/new",
            referral_form(
                client,
                destination="caseworker",
                consent_given_by="Beatriz Delgado",
                consent_relationship="Madre",
                consent_method="signed_form",
                consent_given_on="2026-11-20",
            ),
        )
        assert response.status_code == 303

    def test_child_safety_needs_no_consent_and_shows_the_hotline(self, app, as_role):
        client = as_role(Role.LIAISON)
        page = client.get("/referrals/new").get_data(as_text=True)
        assert "1-844-264-5437" in page and 'id="reporting-heading"' in page
        response = post(
            client,
            "/referrals/new",
            referral_form(client, reasons=["child_safety"], destination="social_worker"),
        )
        assert response.status_code == 303
        with app.app_context():
            referral = only_referral()
            assert referral.for_caseworker and referral.for_social_worker

    def test_a_school_outside_the_liaisons_scope_is_refused(self, as_role, app):
        client = as_role(Role.LIAISON)
        with app.app_context():
            elsewhere = school(OWN_PLAIN).id  # the social worker's school, not the liaison's
        response = post(client, "/referrals/new", referral_form(client, school=str(elsewhere)))
        assert response.status_code == 422
        with app.app_context():
            assert db.session.query(Referral).count() == 0

    def test_a_specialist_opens_a_referral_from_a_concern(self, app, as_role):
        from portal.concerns import intake
        from portal.concerns.models import CaseKind, Relationship
        from tests.concerns.conftest import category_id

        with app.test_request_context():
            receipt = intake.submit(
                intake.Submission(
                    submission_key="c" * 24,
                    kind=CaseKind.CONCERN,
                    name="Beatriz Delgado",
                    relationship=Relationship.PARENT,
                    category_id=category_id(),
                    description="CONCERN-TEXT-91: nobody answers at the front office",
                    school_id=school(OWN_PILOT).id,
                    phone="+17205550163",
                    student_first_name="Ximena",
                    language="es",
                ),
                secret_key=app.config["SECRET_KEY"],
                today=__import__("datetime").date(2026, 11, 16),
                ip=None,
            )
        client = as_role(Role.SPECIALIST)
        page = client.get(f"/referrals/new?case={receipt.reference}").get_data(as_text=True)
        assert receipt.reference in page and 'value="Beatriz Delgado"' in page
        assert "CONCERN-TEXT-91" not in page  # linked, not copied
        data = referral_form(client, case=receipt.reference, details="Needs food support.")
        assert post(client, "/referrals/new", data).status_code == 303
        with app.app_context():
            referral = only_referral()
            assert referral.case.reference == receipt.reference
            assert "CONCERN-TEXT-91" not in referral.details
            # The same family, one record.
            assert referral.contact_id == referral.case.contact_id

    def test_a_concern_outside_the_users_scope_is_not_linked(self, app, as_role, refer):
        client = as_role(Role.LIAISON)  # a liaison sees no cases
        page = client.get("/referrals/new?case=FCS-2026-000001").get_data(as_text=True)
        assert "Opened from concern" not in page


class TestWorking:
    def test_the_social_worker_accepts_and_records_services(self, app, as_role, refer):
        from portal.resources.models import Resource

        referral = refer(OWN_PLAIN, by=Role.LIAISON)
        with app.app_context():
            food = Resource(
                slug="test-food-bank",
                name_en="Test Food Bank",
                name_es="Banco de comida de prueba",
                description_en="Food",
                description_es="Comida",
            )
            db.session.add(food)
            db.session.commit()
            food_id = food.id
        client = as_role(Role.SOCIAL_WORKER)
        path = f"/referrals/{referral.token}"
        assert client.get(path).status_code == 200
        response = post(client, f"{path}/status", {"status-to": "accepted"})
        assert response.status_code == 303
        response = post(client, f"{path}/services", {"service-resource": str(food_id)})
        assert response.status_code == 303
        response = post(client, f"{path}/notes", {"note-body": NOTE})
        assert response.status_code == 303
        page = client.get(path).get_data(as_text=True)
        assert "Test Food Bank" in page and NOTE in page
        with app.app_context():
            stored = db.session.get(Referral, referral.id)
            assert stored.status is Status.ACCEPTED
            assert [s.resource_id for s in stored.services] == [food_id]
        # The liaison who referred sees the new status, and nothing the worker wrote.
        liaison = as_role(Role.LIAISON)
        status = liaison.get(f"/referrals/sent/{referral.token}").get_data(as_text=True)
        # The liaison's account speaks Spanish; the catalog may not be compiled in a branch.
        assert "Accepted" in status or "Aceptada" in status
        assert NOTE not in status and "Test Food Bank" not in status
        assert "Missing school most Mondays" not in status

    def test_a_bad_action_is_a_422_with_the_reason(self, as_role, refer):
        referral = refer(OWN_PLAIN)
        client = as_role(Role.SOCIAL_WORKER)
        response = post(client, f"/referrals/{referral.token}/status", {"status-to": "declined"})
        assert response.status_code == 422
        assert "Say why the referral is declined." in response.get_data(as_text=True)

    def test_a_step_not_offered_is_refused(self, as_role, refer):
        referral = refer(OWN_PLAIN)
        client = as_role(Role.SOCIAL_WORKER)
        response = post(client, f"/referrals/{referral.token}/status", {"status-to": "closed"})
        assert response.status_code == 422

    def test_revoking_consent_sends_the_caseworker_back_to_the_caseload(self, app, as_role, refer):
        referral = refer(OWN_PILOT, to_caseworker=True, consent=True)
        consent_id = referral.active_consent().id
        client = as_role(Role.CASEWORKER)
        path = f"/referrals/{referral.token}"
        assert client.get(path).status_code == 200
        response = post(client, f"{path}/consent/{consent_id}/revoke", {"revoke-method": "phone"})
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/referrals/")
        assert client.get(path).status_code == 404
        assert "Valentina" not in client.get("/referrals/").get_data(as_text=True)


class TestAuditAndHistory:
    def reads(self, referral_id: int, action: str) -> int:
        return (
            db.session.query(AuditEvent)
            .filter(AuditEvent.action == action, AuditEvent.target_id == str(referral_id))
            .count()
        )

    def test_every_read_is_audited_and_shown_in_the_history(self, app, as_role, refer):
        referral = refer(OWN_PLAIN)
        client = as_role(Role.SOCIAL_WORKER)
        client.get(f"/referrals/{referral.token}")
        client.get(f"/referrals/{referral.token}")
        client.get("/referrals/")
        with app.app_context():
            assert self.reads(referral.id, "referral.viewed") == 2
            assert self.reads(referral.id, "referral.listed") == 1
        history = client.get(f"/referrals/{referral.token}/access").get_data(as_text=True)
        assert history.count("Opened the referral") == 2
        assert "Saw it on a caseload list" in history
        assert user(Role.SOCIAL_WORKER).name in history
        admin = as_role(Role.ADMIN)
        page = admin.get(f"/referrals/{referral.token}/access").get_data(as_text=True)
        assert "Opened the referral" in page and "Read this access history" in page
        # The admin reads who looked, never what the referral says.
        assert "Valentina" not in page and "Missing school" not in page

    def test_a_refused_action_that_shows_the_referral_again_is_a_read(self, app, as_role, refer):
        referral = refer(OWN_PLAIN)
        client = as_role(Role.SOCIAL_WORKER)
        response = post(client, f"/referrals/{referral.token}/status", {"status-to": "declined"})
        assert response.status_code == 422
        assert "Missing school most Mondays" in response.get_data(as_text=True)
        with app.app_context():
            assert self.reads(referral.id, "referral.viewed") == 1

    def test_the_referrers_list_is_a_read_of_each_referral_on_it(self, app, as_role, refer):
        referral = refer(OWN_PLAIN, by=Role.LIAISON)
        page = as_role(Role.LIAISON).get("/referrals/sent").get_data(as_text=True)
        assert "Valentina Q." in page
        with app.app_context():
            assert self.reads(referral.id, "referral.status_listed") == 1

    def test_a_supervisor_reads_but_not_the_history(self, app, as_role, refer, make_user):
        from portal.referrals.models import Supervision
        from tests.conftest import sign_in

        referral = refer(OWN_PLAIN)
        lead = make_user(Role.SOCIAL_WORKER)
        db.session.add(Supervision(supervisor_id=lead.id, worker_id=user(Role.SOCIAL_WORKER).id))
        db.session.commit()
        client = app.test_client()
        sign_in(client, lead.email)
        assert client.get(f"/referrals/{referral.token}").status_code == 200
        assert client.get(f"/referrals/{referral.token}/access").status_code == 404


class TestConfidentialNotes:
    @pytest.fixture
    def noted(self, refer):  # noqa: ANN201
        from portal.referrals import services

        referral = refer(OWN_PILOT, to_caseworker=True, consent=True, by=Role.LIAISON)
        services.add_note(referral, NOTE, actor=user(Role.CASEWORKER), ip=None)
        return referral

    @pytest.mark.parametrize("role", [r for r in Role if r is not Role.CASEWORKER])
    def test_absent_from_every_page_a_non_assigned_role_reaches(self, as_role, noted, role):
        client = as_role(role)
        token = noted.token
        paths = [
            "/",
            "/account",
            "/referrals/",
            "/referrals/sent",
            f"/referrals/sent/{token}",
            f"/referrals/{token}",
            f"/referrals/{token}/access",
            "/admin/audit",
            "/cases/",
            "/dashboards/",
        ]
        for path in paths:
            response = client.get(path, headers={"HX-Request": "true"})
            assert NOTE not in response.get_data(as_text=True), (role, path)
            response = client.get(path)
            assert NOTE not in response.get_data(as_text=True), (role, path)

    def test_never_in_a_message_or_an_audit_row(self, app, noted):
        with app.app_context():
            bodies = [m.subject + m.body for m in db.session.scalars(select(OutboxMessage))]
            assert all(NOTE not in text for text in bodies)
            details = [str(e.detail) for e in db.session.scalars(select(AuditEvent))]
            assert all(NOTE not in text for text in details)

    def test_gone_for_the_caseworker_once_consent_is_withdrawn(self, app, as_role, noted):
        from portal.referrals import services
        from portal.referrals.models import ConsentMethod

        client = as_role(Role.CASEWORKER)
        assert NOTE in client.get(f"/referrals/{noted.token}").get_data(as_text=True)
        with app.test_request_context():
            referral = fresh(noted.id)
            services.revoke_consent(
                referral,
                referral.active_consent().id,
                ConsentMethod.SIGNED_FORM,
                actor=user(Role.SOCIAL_WORKER),
                ip=None,
            )
        for path in (
            f"/referrals/{noted.token}",
            "/referrals/",
            f"/referrals/{noted.token}/access",
        ):
            response = client.get(path)
            assert NOTE not in response.get_data(as_text=True)
        assert client.get(f"/referrals/{noted.token}").status_code == 404


def test_csrf_is_required(as_role, refer):
    referral = refer(OWN_PLAIN)
    client = as_role(Role.SOCIAL_WORKER)
    csrf(client)
    response = client.post(f"/referrals/{referral.token}/notes", data={"note-body": "x"})
    assert response.status_code in (400, 403)


def test_the_caseload_file_holds_no_family_detail_and_no_formulas(app, as_role, refer):
    referral = refer(
        OWN_PLAIN,
        student_first_name="=HYPERLINK(1)",
        family_name="Griselda Quintanilla",
        details="DETAILS-TEXT-55",
    )
    from portal.referrals import services

    services.add_note(fresh(referral.id), NOTE, actor=user(Role.SOCIAL_WORKER), ip=None)
    client = as_role(Role.SOCIAL_WORKER)
    response = client.get("/referrals/caseload.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert "'=HYPERLINK(1) Q." in body
    for secret in (NOTE, "Quintanilla", "DETAILS-TEXT-55", "+1720"):
        assert secret not in body
    with app.app_context():
        exported = (
            db.session.query(AuditEvent)
            .filter(
                AuditEvent.action == "referral.exported",
                AuditEvent.target_id == str(referral.id),
            )
            .count()
        )
    assert exported == 1
