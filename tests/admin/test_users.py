"""Administrators create, edit and deactivate accounts; every change is audited."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.auth.roles import Role
from portal.extensions import db
from portal.schools.models import Network, School
from tests.conftest import post, sign_in

STRONG = "copper kettle orbit meadow"


def school_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(School.id).where(School.code == code))


def account(app, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_admin_creates_a_liaison_who_can_then_sign_in(app, as_role):
    admin = as_role(Role.ADMIN)
    response = post(
        admin,
        "/admin/users/new",
        {
            "email": "New.Liaison@Test.Example.org",
            "name": "Ana Beltrán",
            "preferred_language": "es",
            "roles": ["liaison"],
            "schools": [str(school_id(app, "301")), str(school_id(app, "302"))],
            "network": "",
            "password": STRONG,
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    user = account(app, "new.liaison@test.example.org")
    assert user is not None and user.preferred_language == "es"
    assert {s.code for s in user.schools} == {"301", "302"}
    assert user.roles == {Role.LIAISON}
    assert STRONG not in user.password_hash
    created = audit(app, "user.created")
    assert created and created[-1].detail["roles"]["to"] == ["liaison"]
    client = app.test_client()
    assert sign_in(client, "new.liaison@test.example.org", STRONG).status_code == 303


def test_invalid_account_form_keeps_what_was_typed_and_says_why(app, as_role):
    admin = as_role(Role.ADMIN)
    response = post(
        admin,
        "/admin/users/new",
        {
            "email": "not-an-email",
            "name": "Ana <script>alert(1)</script> Beltrán",
            "preferred_language": "en",
            "roles": [],
            "password": "short",
        },
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Enter an email address like name@example.org." in body
    assert 'value="not-an-email"' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body
    assert 'aria-invalid="true"' in body and "email-error" in body


def test_weak_and_common_passwords_are_refused(app, as_role):
    admin = as_role(Role.ADMIN)
    for weak in ["passwordpassword", "short one", "aaaaaaaaaaaaaaaaaaaa"]:
        response = post(
            admin,
            "/admin/users/new",
            {
                "email": "weak@test.example.org",
                "name": "Weak",
                "preferred_language": "en",
                "roles": ["analyst"],
                "password": weak,
            },
        )
        assert response.status_code == 422, weak
    assert account(app, "weak@test.example.org") is None


def test_duplicate_email_is_refused(app, as_role, make_user):
    existing = make_user(Role.ANALYST)
    response = post(
        as_role(Role.ADMIN),
        "/admin/users/new",
        {
            "email": existing.email.upper(),
            "name": "Dup",
            "preferred_language": "en",
            "roles": ["analyst"],
            "password": STRONG,
        },
    )
    assert response.status_code == 422
    assert "Another account already uses this email address." in response.get_data(as_text=True)


def test_role_change_is_audited_with_before_and_after(app, as_role, make_user):
    user = make_user(Role.LIAISON, schools=(school_id(app, "101"),))
    admin = as_role(Role.ADMIN)
    response = post(
        admin,
        f"/admin/users/{user.id}",
        {
            "email": user.email,
            "name": user.name,
            "preferred_language": "en",
            "roles": ["liaison", "social_worker"],
            "schools": [str(school_id(app, "101"))],
            "active": "y",
        },
    )
    assert response.status_code == 303
    rows = audit(app, "user.roles_changed")
    assert rows[-1].detail["roles"] == {"from": ["liaison"], "to": ["liaison", "social_worker"]}
    assert rows[-1].target_id == str(user.id)


def test_superintendent_is_given_a_network(app, as_role, make_user):
    with app.app_context():
        network_id = db.session.scalar(select(Network.id).where(Network.name == "Central Network"))
    admin = as_role(Role.ADMIN)
    response = post(
        admin,
        "/admin/users/new",
        {
            "email": "new.super@test.example.org",
            "name": "Noor Haddad",
            "preferred_language": "en",
            "roles": ["superintendent"],
            "network": str(network_id),
            "password": STRONG,
        },
    )
    assert response.status_code == 303
    with app.app_context():
        network = db.session.get(Network, network_id)
        assert network.superintendent.email == "new.super@test.example.org"


def test_mass_assignment_is_ignored(app, as_role, make_user):
    user = make_user(Role.LIAISON)
    admin = as_role(Role.ADMIN)
    post(
        admin,
        f"/admin/users/{user.id}",
        {
            "email": user.email,
            "name": "Renamed",
            "preferred_language": "en",
            "roles": ["liaison"],
            "active": "y",
            "password_hash": "x",
            "id": "999",
        },
    )
    changed = account(app, user.email)
    assert changed.name == "Renamed" and changed.id == user.id
    assert changed.password_hash != "x"


def test_admin_cannot_lock_themselves_out(app, as_role):
    admin = as_role(Role.ADMIN)
    me = account(app, "admin@demo.puente.example.org")
    response = post(
        admin,
        f"/admin/users/{me.id}",
        {
            "email": me.email,
            "name": me.name,
            "preferred_language": "en",
            "roles": ["analyst"],
            "active": "y",
        },
    )
    assert response.status_code == 422
    response = post(admin, f"/admin/users/{me.id}/deactivate")
    assert response.status_code == 303
    assert account(app, me.email).active


def test_deactivate_and_reactivate(app, as_role, make_user):
    user = make_user(Role.ANALYST)
    admin = as_role(Role.ADMIN)
    post(admin, f"/admin/users/{user.id}/deactivate")
    assert not account(app, user.email).active
    assert audit(app, "user.deactivated")
    assert sign_in(app.test_client(), user.email).status_code == 422
    post(admin, f"/admin/users/{user.id}/reactivate")
    assert account(app, user.email).active
    assert sign_in(app.test_client(), user.email).status_code == 303


def test_unknown_user_is_404(as_role):
    assert as_role(Role.ADMIN).get("/admin/users/999999").status_code == 404


def test_user_list_filters_and_answers_htmx_with_a_fragment(as_role):
    admin = as_role(Role.ADMIN)
    full = admin.get("/admin/users?q=lub").get_data(as_text=True)
    results = full.split('id="user-results"')[1]
    assert "<html" in full and "Elvia Lubín" in results and "Priya Raman" not in results
    fragment = admin.get("/admin/users?role=caseworker", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="user-results"')
    assert "Renée Castillo" in body and "Priya Raman" not in body
    assert "HX-Request" in fragment.headers["Vary"]
    # A history restore asks again with HX-Request; it must get the whole page.
    restore = admin.get(
        "/admin/users?role=caseworker",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.get_data(as_text=True)


def test_user_list_search_treats_wildcards_literally(as_role):
    body = as_role(Role.ADMIN).get("/admin/users?q=%25").get_data(as_text=True)
    assert "0 accounts" in body


def test_htmx_form_error_is_a_422_fragment_and_success_redirects(as_role, app):
    admin = as_role(Role.ADMIN)
    from tests.conftest import csrf

    token = csrf(admin)
    bad = admin.post(
        "/admin/users/new",
        data={"csrf_token": token, "email": "x"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert bad.status_code == 422
    assert bad.get_data(as_text=True).lstrip().startswith('<div id="user-form"')
    good = admin.post(
        "/admin/users/new",
        headers={"HX-Request": "true", "X-CSRFToken": token},
        data={
            "email": "htmx@test.example.org",
            "name": "Via htmx",
            "preferred_language": "en",
            "roles": ["analyst"],
            "password": STRONG,
        },
    )
    assert good.status_code == 204 and good.headers["HX-Redirect"] == "/admin/users"


def test_audit_log_page_lists_events_and_filters(as_role):
    admin = as_role(Role.ADMIN)
    body = admin.get("/admin/audit?action=sign_in.succeeded").get_data(as_text=True)
    assert "sign_in.succeeded" in body
    assert "user.created" not in body.split("<tbody>")[1]
