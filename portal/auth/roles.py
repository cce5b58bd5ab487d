"""The roles of SPEC.md §1, with their names in both languages."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    """A hat a staff member or family member wears in the portal; a user may hold several."""

    FAMILY = "family"
    LIAISON = "liaison"
    SPECIALIST = "specialist"
    SENIOR_MANAGER = "senior_manager"
    SUPERINTENDENT = "superintendent"
    PROGRAMME_STAFF = "programme_staff"
    SOCIAL_WORKER = "social_worker"
    CASEWORKER = "caseworker"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def label(self):
        return ROLE_LABELS[self]

    @property
    def description(self):
        return ROLE_DESCRIPTIONS[self]


ROLE_LABELS = {
    Role.FAMILY: _l("Family member"),
    Role.LIAISON: _l("Family liaison"),
    Role.SPECIALIST: _l("Family Constituency Services specialist"),
    Role.SENIOR_MANAGER: _l("Senior manager, Family Constituency Services"),
    Role.SUPERINTENDENT: _l("Instructional superintendent"),
    Role.PROGRAMME_STAFF: _l("Family and Community Engagement programme staff"),
    Role.SOCIAL_WORKER: _l("School social worker"),
    Role.CASEWORKER: _l("Human-services caseworker"),
    Role.ANALYST: _l("Analyst"),
    Role.ADMIN: _l("Administrator"),
}

ROLE_DESCRIPTIONS = {
    Role.FAMILY: _l("Sees their own questions, concerns and registrations."),
    Role.LIAISON: _l("Runs events, rosters and check-in at their schools."),
    Role.SPECIALIST: _l("Works the concern queue, meetings and mediation."),
    Role.SENIOR_MANAGER: _l("Sees every case, handles escalations and sets service levels."),
    Role.SUPERINTENDENT: _l("Sees escalations and dashboards for their network."),
    Role.PROGRAMME_STAFF: _l("Runs programmes, cohorts, facilitators and trainings."),
    Role.SOCIAL_WORKER: _l("Handles referrals and coordination teams at their schools."),
    Role.CASEWORKER: _l("Handles child-safety referrals at human-services pilot schools."),
    Role.ANALYST: _l("Sees dashboards with aggregate figures only."),
    Role.ADMIN: _l("Manages users, roles, schools and settings."),
}

# Roles whose work is tied to particular schools; the others see the whole district or a network.
SCHOOL_BOUND_ROLES = frozenset({Role.LIAISON, Role.SOCIAL_WORKER, Role.CASEWORKER})
# Roles that see every school in the district.
DISTRICT_WIDE_ROLES = frozenset(
    {Role.SPECIALIST, Role.SENIOR_MANAGER, Role.PROGRAMME_STAFF, Role.ANALYST, Role.ADMIN}
)
STAFF_ROLES = frozenset(Role) - {Role.FAMILY}

# Roles that must sign in with a second step (a time-based code; SECURITY.md item 9, ASVS
# V6.3.3): whoever can read referrals (social workers, caseworkers) or a child-safety concern
# case (the senior manager sees every case; a specialist the ones assigned to them; an
# instructional superintendent the ones escalated to them), and administrators, who can give
# any of these roles to anyone.
MFA_ROLES = frozenset(
    {
        Role.SOCIAL_WORKER,
        Role.CASEWORKER,
        Role.SPECIALIST,
        Role.SENIOR_MANAGER,
        Role.SUPERINTENDENT,
        Role.ADMIN,
    }
)
