"""Dash behind the portal's sign-in and roles: pages, Dash's own requests, headers."""

from __future__ import annotations

import pytest

from portal.auth.roles import Role


def test_signed_out_page_goes_to_sign_in_and_dash_requests_get_401(client):
    page = client.get("/dashboards/attendance")
    assert page.status_code in (302, 303)
    assert "/sign-in" in page.headers["Location"]
    assert client.get("/dashboards/_dash-layout").status_code == 401
    assert client.get("/dashboards/_dash-dependencies").status_code == 401
    assert client.post("/dashboards/_dash-update-component", json={}).status_code == 401


@pytest.mark.parametrize(
    "role,status",
    [
        (Role.SENIOR_MANAGER, 200),
        (Role.SUPERINTENDENT, 200),
        (Role.ANALYST, 200),
        (Role.PROGRAMME_STAFF, 200),
        (Role.SPECIALIST, 403),
        (Role.LIAISON, 403),
        (Role.SOCIAL_WORKER, 403),
        (Role.ADMIN, 403),
        (Role.FAMILY, 403),
    ],
)
def test_who_may_open_the_dashboards(as_role, role, status):
    client = as_role(role)
    assert client.get("/dashboards/").status_code == status
    assert client.get("/dashboards/_dash-layout").status_code == status
    # Without Dash's payload: refused (403) or a clear 400, never a server error.
    expected = 403 if status == 403 else 400
    assert client.post("/dashboards/_dash-update-component", json={}).status_code == expected


def test_the_page_is_the_portals_own_with_a_strict_policy(as_role):
    response = as_role(Role.SENIOR_MANAGER).get("/dashboards/attendance")
    page = response.get_data(as_text=True)
    assert 'class="site-header' in page  # the portal's header and navigation
    assert "Sign out" in page or "Cerrar sesión" in page
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in policy
    assert "unsafe-eval" not in policy
    assert "_csrf_token=" in response.headers.get("Set-Cookie", "")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_dashboards_address_answers_with_the_status_it_deserves(as_role):
    manager, staff = as_role(Role.SENIOR_MANAGER), as_role(Role.PROGRAMME_STAFF)
    assert manager.get("/dashboards/cases").status_code == 200
    assert manager.get("/dashboards/no-such-dashboard").status_code == 404
    # Programme staff open attendance only: the case dashboards are not theirs.
    assert staff.get("/dashboards/attendance").status_code == 200
    assert staff.get("/dashboards/cases").status_code == 403
    assert staff.get("/dashboards/").status_code == 200
