"""The demo referrals: a few across the statuses at the demo workers' schools, loaded once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.referrals.caseload import OPEN_STATUSES
from portal.referrals.demo import load_demo_referrals
from portal.referrals.models import Referral, Status
from portal.referrals.scope import visible_referrals
from portal.timeutil import district_today
from tests.referrals.conftest import user

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_demo_referrals_load_once_across_statuses():
    first = load_demo_referrals(district_today())
    assert first["referrals"] == 7
    again = load_demo_referrals(district_today())
    assert again == {"supervisor accounts": 0, "referrals": 0}
    referrals = list(db.session.scalars(select(Referral)))
    assert {r.status for r in referrals} == set(Status)
    social_worker = user(Role.SOCIAL_WORKER)
    mine = list(db.session.scalars(visible_referrals(social_worker)))
    assert len(mine) == 6  # all but the one the caseworker holds with consent
    assert any(r.child_safety for r in mine) and any(r.mckinney_vento for r in mine)
    assert any(r.follow_up_due(district_today()) for r in mine if r.status in OPEN_STATUSES)
    caseworker_reads = list(db.session.scalars(visible_referrals(user(Role.CASEWORKER))))
    assert {r.foster_youth for r in caseworker_reads} == {True, False}
    # The supervisor reads what both read.
    from portal.auth.models import User
    from portal.referrals.demo import SUPERVISOR_EMAIL

    lead = db.session.scalars(select(User).where(User.email == SUPERVISOR_EMAIL)).one()
    assert len(list(db.session.scalars(visible_referrals(lead)))) == 7
