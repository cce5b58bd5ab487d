"""School scope: who sees which schools' records."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from portal.access import get_school_or_404, visible_schools
from portal.auth.models import User
from portal.auth.roles import Role
from portal.extensions import db
from portal.schools.models import Network, School
from tests.conftest import demo_email


def user_of(role: Role) -> User:
    return db.session.scalars(select(User).where(User.email == demo_email(role))).one()


def codes(user: User) -> set[str]:
    return {s.code for s in db.session.scalars(visible_schools(user))}


@pytest.mark.usefixtures("app_ctx")
class TestSchoolScope:
    def test_liaison_sees_only_their_schools(self):
        assert codes(user_of(Role.LIAISON)) == {"506", "501"}

    def test_social_worker_and_caseworker_see_their_schools(self):
        assert codes(user_of(Role.SOCIAL_WORKER)) == {"101", "103", "301", "506"}
        assert codes(user_of(Role.CASEWORKER)) == {"101", "506"}

    def test_superintendent_sees_their_network(self):
        network = db.session.scalars(
            select(Network).where(Network.name == "Northwest Network")
        ).one()
        assert codes(user_of(Role.SUPERINTENDENT)) == {s.code for s in network.schools}

    @pytest.mark.parametrize(
        "role",
        [Role.SPECIALIST, Role.SENIOR_MANAGER, Role.PROGRAMME_STAFF, Role.ANALYST, Role.ADMIN],
    )
    def test_district_wide_roles_see_every_school(self, role):
        assert len(codes(user_of(role))) == db.session.query(School).count()

    def test_family_account_has_no_school_scope(self):
        assert codes(user_of(Role.FAMILY)) == set()

    def test_school_outside_scope_is_a_404(self):
        liaison = user_of(Role.LIAISON)
        other = db.session.scalars(select(School).where(School.code == "101")).one()
        with pytest.raises(NotFound):
            get_school_or_404(liaison, other.id)
        own = db.session.scalars(select(School).where(School.code == "506")).one()
        assert get_school_or_404(liaison, own.id) is own

    def test_roles_combine(self, make_user):
        school = db.session.scalars(select(School).where(School.code == "203")).one()
        network = db.session.scalars(
            select(Network).where(Network.name == "Southwest Network")
        ).one()
        person = make_user(
            Role.LIAISON, Role.SUPERINTENDENT, schools=(school.id,), network_id=network.id
        )
        person = db.session.get(User, person.id)
        assert codes(person) == {"203"} | {s.code for s in network.schools}
