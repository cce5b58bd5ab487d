"""Imports every model so that Alembic and SQLAlchemy's mappers see the whole schema."""

from portal.analytics.attendance_models import (
    EventDay,
    FacilitatorFact,
    SeriesCube,
    SeriesFact,
    SessionCube,
    SessionFact,
    VisitCube,
    VisitFact,
)
from portal.analytics.models import (
    CaseCube,
    CaseFact,
    Change,
    DurationCube,
    MeetingCube,
    MeetingFact,
    QuickLogCube,
    QuickLogDay,
    RefreshState,
)
from portal.audit.models import AuditEvent
from portal.auth.models import User, UserRole, UserSession, user_schools
from portal.calendar.models import NonSchoolDay
from portal.concerns.models import (
    Case,
    CaseEntry,
    Meeting,
    QuickLog,
    ReferenceCounter,
    SatisfactionResponse,
    ServiceLevels,
)
from portal.families.models import FamilyContact
from portal.knowledge.models import Article, Category
from portal.outbox.models import OutboxMessage
from portal.programmes.models import (
    Attendance,
    Offering,
    OfferingSession,
    Programme,
    Registration,
    offering_facilitators,
)
from portal.schools.models import Network, School

__all__ = [
    "EventDay",
    "FacilitatorFact",
    "SeriesCube",
    "SeriesFact",
    "SessionCube",
    "SessionFact",
    "VisitCube",
    "VisitFact",
    "CaseCube",
    "CaseFact",
    "Change",
    "DurationCube",
    "MeetingCube",
    "MeetingFact",
    "QuickLogCube",
    "QuickLogDay",
    "RefreshState",
    "Article",
    "Attendance",
    "Offering",
    "OfferingSession",
    "Programme",
    "Registration",
    "offering_facilitators",
    "AuditEvent",
    "Case",
    "CaseEntry",
    "Category",
    "FamilyContact",
    "Meeting",
    "Network",
    "NonSchoolDay",
    "OutboxMessage",
    "QuickLog",
    "ReferenceCounter",
    "SatisfactionResponse",
    "School",
    "ServiceLevels",
    "User",
    "UserRole",
    "UserSession",
    "user_schools",
]
