"""Every referral route × every role × a referral at the user's school and at another school.

Another school's referral answers exactly as a referral that does not exist: 404 for the roles
that may use the route, and the same 403 as for their own school's for roles that may not.
Nothing about the referral appears in any answer outside its scope.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.referrals.models import Reason, Referral
from tests.conftest import csrf
from tests.referrals.conftest import NOTE, OTHER_PILOT, OWN_PILOT, user

WORKERS = {Role.SOCIAL_WORKER, Role.CASEWORKER}
REFERRERS = {
    Role.LIAISON,
    Role.SPECIALIST,
    Role.SENIOR_MANAGER,
    Role.SOCIAL_WORKER,
    Role.CASEWORKER,
}
MISSING = "A" * 22  # a well-formed token no referral has

# (method, path with {token} and {consent}, who may use the route)
RECORD_ROUTES = [
    ("GET", "/referrals/{token}", WORKERS),
    ("GET", "/referrals/{token}/access", WORKERS | {Role.ADMIN}),
    ("GET", "/referrals/sent/{token}", REFERRERS),
    ("POST", "/referrals/{token}/status", WORKERS),
    ("POST", "/referrals/{token}/notes", WORKERS),
    ("POST", "/referrals/{token}/follow-up", WORKERS),
    ("POST", "/referrals/{token}/services", WORKERS),
    ("POST", "/referrals/{token}/consent", WORKERS),
    ("POST", "/referrals/{token}/consent/{consent}/revoke", WORKERS),
    ("POST", "/referrals/{token}/flags", WORKERS),
]
LIST_ROUTES = [
    ("/referrals/", WORKERS),
    ("/referrals/caseload.csv", WORKERS),
    ("/referrals/sent", REFERRERS),
    ("/referrals/new", REFERRERS),
]


@pytest.fixture
def two_referrals(refer):  # noqa: ANN001, ANN201
    """A child-safety referral at a pilot school every school-bound demo role works at (so both
    workers read it), and one at a pilot school none of them covers; the senior manager made
    both, so that no table role is the one who made them but the senior manager."""
    own = refer(
        OWN_PILOT,
        reasons=(Reason.CHILD_SAFETY,),
        by=Role.SENIOR_MANAGER,
        student_first_name="Ownschoolkid",
    )
    other = refer(
        OTHER_PILOT,
        reasons=(Reason.CHILD_SAFETY,),
        by=Role.SENIOR_MANAGER,
        student_first_name="Otherschoolkid",
    )
    from portal.referrals import services

    with_note = db.session.get(Referral, other.id)
    services.add_note(with_note, NOTE, actor=user(Role.SOCIAL_WORKER), ip=None)
    services.add_note(
        db.session.get(Referral, own.id), NOTE, actor=user(Role.SOCIAL_WORKER), ip=None
    )
    return own.token, other.token


def expected(role: Role, path: str, allowed: set[Role], which: str) -> set[int]:
    """What a role gets on a route for its own school's referral, another's, or none."""
    if role not in allowed:
        return {403}
    if path.startswith("/referrals/sent/"):
        # Only whoever made it (the senior manager, here) follows its status.
        return {200} if role is Role.SENIOR_MANAGER and which != "missing" else {404}
    if path.endswith("/access") and role is Role.ADMIN:
        return {200} if which != "missing" else {404}
    if which == "own":
        return {200, 303, 422}  # the page, or an action done or refused on its form
    return {404}


@pytest.mark.parametrize("role", list(Role))
def test_every_record_route_for_every_role(app, as_role, two_referrals, role):
    own, other = two_referrals
    client = as_role(role)
    token_csrf = csrf(client)
    for method, template, allowed in RECORD_ROUTES:
        for which, token in (("own", own), ("other", other), ("missing", MISSING)):
            path = template.format(token=token, consent=1)
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, data={"csrf_token": token_csrf})
            want = expected(role, template, allowed, which)
            assert response.status_code in want, (role, method, template, which)
            body = response.get_data(as_text=True)
            if which != "own" or role not in WORKERS:
                # The confidential note reaches only the workers on the referral.
                assert NOTE not in body, (role, template, which)
            if response.status_code in (403, 404):
                # A refusal says nothing of the referral, not even the student's name.
                assert "Ownschoolkid" not in body and "Otherschoolkid" not in body


@pytest.mark.parametrize("role", list(Role))
def test_every_list_route_for_every_role(app, as_role, two_referrals, role):
    client = as_role(role)
    for path, allowed in LIST_ROUTES:
        response = client.get(path)
        assert response.status_code == (200 if role in allowed else 403), (role, path)
        body = response.get_data(as_text=True)
        assert NOTE not in body, (role, path)
        if path == "/referrals/sent" and role is Role.SENIOR_MANAGER:
            assert "Otherschoolkid" in body  # who made it follows it, wherever it is
            continue
        assert "Otherschoolkid" not in body, (role, path)
        if path in ("/referrals/", "/referrals/caseload.csv") and role in WORKERS:
            assert "Ownschoolkid" in body


def test_the_list_of_the_school_scope_holds_for_a_worker_elsewhere(app, make_user, two_referrals):
    """A social worker at another school sees neither referral, and each is a 404."""
    from tests.conftest import sign_in
    from tests.referrals.conftest import school

    stranger = make_user(Role.SOCIAL_WORKER, schools=(school("102").id,))
    client = app.test_client()
    assert sign_in(client, stranger.email).status_code in (200, 303)
    body = client.get("/referrals/").get_data(as_text=True)
    assert "Ownschoolkid" not in body and "Otherschoolkid" not in body
    for token in two_referrals:
        assert client.get(f"/referrals/{token}").status_code == 404
        assert client.get(f"/referrals/{token}/access").status_code == 404


def test_tokens_in_the_table_are_real(app, two_referrals):
    with app.app_context():
        tokens = set(db.session.scalars(select(Referral.token)))
    assert set(two_referrals) <= tokens
