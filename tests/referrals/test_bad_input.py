"""Odd or hostile input to every referral form: a 422 with the form, never a 5xx."""

from __future__ import annotations

import pytest

from portal.auth.roles import Role
from tests.conftest import post
from tests.referrals.conftest import OWN_PLAIN

ODD = [
    "",
    "\x00",
    "ñ" * 6000,
    "\u202e\u200bá",
    "<script>alert(1)</script>",
    "2026-13-45",
    "-1",
    "99999999999999999999",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("value", ODD)
def test_the_referral_form(as_role, value):
    client = as_role(Role.SPECIALIST)
    fields = [
        "school",
        "student_first_name",
        "student_last_initial",
        "student_grade",
        "name",
        "phone",
        "email",
        "language",
        "reasons",
        "urgency",
        "destination",
        "details",
        "tried",
        "consent_method",
        "consent_given_on",
        "submission_key",
        "case",
    ]
    response = post(client, "/referrals/new", {name: value for name in fields})
    assert response.status_code in (400, 422)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ODD)
def test_every_action_on_a_referral(as_role, refer, value):
    referral = refer(OWN_PLAIN)
    client = as_role(Role.SOCIAL_WORKER)
    base = f"/referrals/{referral.token}"
    actions = {
        "/status": ["status-to", "status-reason", "status-outcome", "status-follow_up_on"],
        "/notes": ["note-body"],
        "/follow-up": ["follow-follow_up_on"],
        "/services": ["service-resource"],
        "/consent": ["consent-consent_given_by", "consent-consent_method"],
        "/consent/1/revoke": ["revoke-method"],
        "/flags": ["flags-mckinney_vento"],
    }
    for path, names in actions.items():
        response = post(client, base + path, {name: value for name in names})
        assert response.status_code < 500, (path, value)
    response = client.get("/referrals/", query_string={"status": value, "school": value})
    assert response.status_code == 200


@pytest.mark.parametrize("token", ["x\x00y", "\x00", "ñ" * 300, "a b", "%00"])
def test_a_malformed_referral_address_is_a_404(as_role, token):
    """PostgreSQL refuses a NUL byte in a query (a 500): a token that no referral could have
    is not looked up at all."""
    worker = as_role(Role.SOCIAL_WORKER)
    for path in (f"/referrals/{token}", f"/referrals/{token}/access", f"/referrals/sent/{token}"):
        assert worker.get(path).status_code == 404, path
    assert post(worker, f"/referrals/{token}/notes", {"note-body": "x"}).status_code == 404
    assert as_role(Role.ADMIN).get(f"/referrals/{token}/access").status_code == 404
