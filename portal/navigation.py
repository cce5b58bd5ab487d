"""The main navigation, and which of it each role may use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from dashboards.shell import DASHBOARD_ROLES
from portal.auth.roles import STAFF_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation; `roles` None means every signed-in user."""

    endpoint: str
    label: Any
    roles: frozenset[Role] | None = None
    signed_in: bool = False

    def visible_to(self, user: Any) -> bool:
        if not self.signed_in and self.roles is None:
            return True
        if not (user and user.is_authenticated):
            return False
        return self.roles is None or user.has_role(*self.roles)


NAV: tuple[NavItem, ...] = (
    NavItem("main.home", _l("Home")),
    NavItem("concerns.ask", _l("Ask or raise a concern")),
    NavItem("concerns.track", _l("Follow your case")),
    NavItem("knowledge.answers", _l("Answers")),
    NavItem("workshops.index", _l("Workshops")),
    NavItem("resources.index", _l("Community help")),
    NavItem("main.calendar", _l("School calendar")),
    NavItem("events.index", _l("Events"), roles=frozenset({Role.LIAISON, Role.PROGRAMME_STAFF})),
    NavItem(
        "programmes.index",
        _l("Plan offerings"),
        roles=frozenset({Role.LIAISON, Role.PROGRAMME_STAFF}),
    ),
    NavItem("programmes.facilitators", _l("Facilitators"), roles=frozenset({Role.PROGRAMME_STAFF})),
    NavItem("programmes.trainings", _l("My trainings"), roles=frozenset({Role.LIAISON})),
    NavItem(
        "/dashboards/",
        _l("Dashboards"),
        roles=DASHBOARD_ROLES,
    ),
    NavItem(
        "cases.index",
        _l("Cases"),
        roles=frozenset({Role.SPECIALIST, Role.SENIOR_MANAGER, Role.SUPERINTENDENT}),
    ),
    NavItem(
        "cases.knowledge",
        _l("Knowledge base"),
        roles=frozenset({Role.SPECIALIST, Role.SENIOR_MANAGER}),
    ),
    NavItem(
        "cases.service_level_settings", _l("Service levels"), roles=frozenset({Role.SENIOR_MANAGER})
    ),
    NavItem(
        "referrals.caseload",
        _l("Caseload"),
        roles=frozenset({Role.SOCIAL_WORKER, Role.CASEWORKER}),
    ),
    NavItem(
        "referrals.new",
        _l("Make a referral"),
        roles=frozenset(
            {
                Role.LIAISON,
                Role.SPECIALIST,
                Role.SENIOR_MANAGER,
                Role.SOCIAL_WORKER,
                Role.CASEWORKER,
            }
        ),
    ),
    NavItem(
        "coordination.index",
        _l("Coordination teams"),
        roles=frozenset({Role.SOCIAL_WORKER, Role.CASEWORKER}),
    ),
    NavItem("resources.manage", _l("Resource listings"), roles=STAFF_ROLES),
    NavItem("auth.account", _l("My account"), signed_in=True),
    NavItem("admin.users", _l("Users"), roles=frozenset({Role.ADMIN})),
    NavItem("admin.audit_log", _l("Audit log"), roles=frozenset({Role.ADMIN})),
    NavItem("admin.calendar", _l("District calendar"), roles=frozenset({Role.ADMIN})),
    NavItem("retention.settings", _l("Data retention"), roles=frozenset({Role.ADMIN})),
    NavItem("retention.family_records", _l("A family's records"), roles=frozenset({Role.ADMIN})),
)


def nav_for(user: Any) -> list[NavItem]:
    """The navigation links this user can follow."""
    return [item for item in NAV if item.visible_to(user)]
