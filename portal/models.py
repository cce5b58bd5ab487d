"""Imports every model so that Alembic and SQLAlchemy's mappers see the whole schema."""

from portal.audit.models import AuditEvent
from portal.auth.models import User, UserRole, UserSession, user_schools
from portal.calendar.models import NonSchoolDay
from portal.schools.models import Network, School

__all__ = [
    "AuditEvent",
    "Network",
    "NonSchoolDay",
    "School",
    "User",
    "UserRole",
    "UserSession",
    "user_schools",
]
