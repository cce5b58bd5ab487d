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
from portal.auth.models import MfaRecoveryCode, User, UserRole, UserSession, user_schools
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
from portal.coordination.models import NextStep, TeamAttendee, TeamMeeting, meeting_referrals
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
from portal.referrals.models import (
    Consent,
    Referral,
    ReferralEntry,
    ReferralReason,
    ServiceReferral,
    Supervision,
)
from portal.resources.models import OpeningHours, Resource, ResourceLanguage, ResourceNeed
from portal.retention.models import AnonymisedRecord, RetentionSetting
from portal.schools.models import Network, School

__all__ = [
    "AnonymisedRecord",
    "NextStep",
    "RetentionSetting",
    "TeamAttendee",
    "TeamMeeting",
    "meeting_referrals",
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
    "MfaRecoveryCode",
    "Network",
    "NonSchoolDay",
    "OutboxMessage",
    "QuickLog",
    "ReferenceCounter",
    "SatisfactionResponse",
    "Consent",
    "Referral",
    "ReferralEntry",
    "ReferralReason",
    "ServiceReferral",
    "Supervision",
    "OpeningHours",
    "Resource",
    "ResourceLanguage",
    "ResourceNeed",
    "School",
    "ServiceLevels",
    "User",
    "UserRole",
    "UserSession",
    "user_schools",
]
