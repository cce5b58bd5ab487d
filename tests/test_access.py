"""Every route is public on purpose or needs a role; each role sees what it can use."""

from __future__ import annotations

import re

import pytest

from portal.access import view_is_public
from portal.auth.roles import Role
from portal.navigation import NAV
from tests.conftest import demo_email, sign_in

# The deliberate public surface. Adding a public route means adding it here, on purpose.
PUBLIC = {
    "main.home",
    "main.calendar",
    "main.healthz",
    "main.readyz",
    "auth.sign_in",
    "auth.sign_out",
    # The second sign-in step: before it, nobody is signed in (the pending account is in the
    # signed cookie, and each view refuses without it).
    "mfa.code",
    "mfa.recovery",
    "mfa.enrol",
    "i18n.switch",
    "static",
    "concerns.ask",
    "concerns.ask_in_spanish",
    "concerns.answers",
    "concerns.helpful",
    "concerns.received",
    "concerns.track",
    "concerns.tracked",
    "concerns.family_message",
    "concerns.survey",
    "concerns.stop_tracking",
    "knowledge.answers",
    "workshops.index",
    "workshops.offering",
    "workshops.registered",
    "workshops.manage",
    "workshops.cancel",
    "workshops.calendar_file",
    "feedback.answer",
    "resources.index",
    "resources.show",
}
# Routes for any signed-in user, whatever their roles.
ANY_SIGNED_IN = {"auth.account", "auth.change_password", "mfa.replace_recovery_codes"}
ADMIN_ONLY = {
    "admin.users": "/admin/users",
    "admin.new_user": "/admin/users/new",
    "admin.audit_log": "/admin/audit",
    "admin.calendar": "/admin/calendar",
    "retention.settings": "/admin/retention",
    "retention.family_records": "/admin/family-records",
}


def routes(app):
    return [rule for rule in app.url_map.iter_rules()]


def dash_route(rule) -> bool:  # noqa: ANN001
    """Dash's own routes, closed by the dashboards' prefix guard (dashboards/shell.py)."""
    return rule.rule.startswith("/dashboards/") and not rule.endpoint.startswith("dashboard_")


def test_every_route_is_deliberately_public_or_requires_a_role(app):
    for rule in routes(app):
        view = app.view_functions[rule.endpoint]
        if dash_route(rule):
            assert not view_is_public(view), rule.endpoint
            continue
        if rule.endpoint in PUBLIC:
            assert rule.endpoint == "static" or view_is_public(view), rule.endpoint
            continue
        assert not view_is_public(view), f"{rule.endpoint} is public but not on the list"
        roles = getattr(view, "required_roles", None)
        assert roles is not None, f"{rule.endpoint} has no role requirement"
        if rule.endpoint in ANY_SIGNED_IN:
            assert roles == frozenset()
        else:
            assert roles, f"{rule.endpoint} must name its roles"


def test_every_protected_route_redirects_an_anonymous_visitor(app, client):
    for rule in routes(app):
        if rule.endpoint in PUBLIC:
            continue
        path = (
            re.sub(r"<int:\w+>", "1", rule.rule)
            .replace("<reference>", "FCS-2026-000001")
            .replace("<code>", "x")
        )
        # Dash's XHRs cannot follow a redirect: they get 401.
        xhr = dash_route(rule) and ("/_dash-" in rule.rule or "/_reload" in rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if xhr:
                assert client.open(path, method=method).status_code == 401, (method, path)
            elif method == "GET":
                response = client.get(path)
                assert response.status_code == 302, (method, path)
                assert "/sign-in" in response.headers["Location"]
            else:
                # POSTs are checked for CSRF first; with a token they still need an account.
                from tests.conftest import csrf

                response = client.post(path, data={"csrf_token": csrf(client)})
                assert response.status_code == 302, (method, path)


def test_htmx_call_without_a_session_gets_401_and_a_redirect_header(client):
    response = client.get("/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/sign-in"


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_admin_pages_are_refused_to_every_other_role(as_role, role):
    client = as_role(role)
    for path in ADMIN_ONLY.values():
        assert client.get(path).status_code == 403, (role, path)


def test_admin_reaches_admin_pages(as_role):
    client = as_role(Role.ADMIN)
    for path in ADMIN_ONLY.values():
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", list(Role))
def test_navigation_shows_each_role_exactly_what_it_can_open(as_role, role, app):
    client = as_role(role)
    page = client.get("/account").get_data(as_text=True)
    nav = page.split('id="main-nav"')[1].split("</ul>")[0]
    for item in NAV:
        with app.test_request_context():
            from flask import url_for

            path = url_for(item.endpoint)
        allowed = item.roles is None or role in item.roles
        assert (f'href="{path}"' in nav) is allowed, (role, item.endpoint)
        if allowed:
            assert client.get(path).status_code == 200, (role, path)


def test_anonymous_navigation_has_only_public_pages(client):
    page = client.get("/").get_data(as_text=True)
    nav = page.split('id="main-nav"')[1].split("</ul>")[0]
    assert 'href="/calendar"' in nav
    assert "/admin" not in nav and "/account" not in nav


def test_deactivated_user_is_signed_out_at_once(app, as_role, make_user):
    user = make_user(Role.LIAISON)
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 303
    admin = as_role(Role.ADMIN)
    from tests.conftest import post

    assert post(admin, f"/admin/users/{user.id}/deactivate").status_code == 303
    assert client.get("/account").status_code == 302


def test_role_removed_takes_effect_on_the_next_request(app, as_role, make_user):
    user = make_user(Role.ADMIN, email="second.admin@test.example.org")
    client = app.test_client()
    sign_in(client, user.email)
    assert client.get("/admin/users").status_code == 200
    admin = as_role(Role.ADMIN)
    from tests.conftest import post

    response = post(
        admin,
        f"/admin/users/{user.id}",
        {
            "email": user.email,
            "name": user.name,
            "preferred_language": "en",
            "roles": ["analyst"],
            "active": "y",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    # Role changes end the account's sessions: it signs in again with its new roles.
    assert client.get("/admin/users").status_code == 302
    sign_in(client, user.email)
    assert client.get("/admin/users").status_code == 403


def test_demo_email_helper_covers_every_role():
    assert {demo_email(r) for r in Role}
