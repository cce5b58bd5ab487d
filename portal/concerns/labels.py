"""What each status, kind and outcome is called, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.concerns.models import (
    CallOutcome,
    Channel,
    EntryKind,
    EscalationTarget,
    MeetingKind,
    MeetingOutcome,
    Status,
)

STATUS = {
    Status.NEW: _l("Received"),
    Status.ACKNOWLEDGED: _l("Acknowledged"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.MEETING: _l("Meeting scheduled"),
    Status.ESCALATED: _l("Escalated"),
    Status.RESOLVED: _l("Resolved"),
    Status.CLOSED: _l("Closed"),
}
# What the status means, for the family.
STATUS_FOR_FAMILY = {
    Status.NEW: _l("We have your message. A specialist will read it soon."),
    Status.ACKNOWLEDGED: _l("A specialist has your case and will contact you."),
    Status.IN_PROGRESS: _l("A specialist is working on your case."),
    Status.MEETING: _l("A meeting is scheduled. See the details below."),
    Status.ESCALATED: _l("Your case has been passed to a senior leader for a decision."),
    Status.RESOLVED: _l("Your case is resolved. Please tell us how we did."),
    Status.CLOSED: _l("Your case is closed."),
}
ENTRY = {
    EntryKind.SUBMITTED: _l("Received"),
    EntryKind.CALL: _l("Phone call"),
    EntryKind.EMAIL: _l("Email"),
    EntryKind.TEXT: _l("Text message"),
    EntryKind.IN_PERSON: _l("In person"),
    EntryKind.INTERNAL_NOTE: _l("Internal note"),
    EntryKind.FAMILY_NOTE: _l("Note to the family"),
    EntryKind.STATUS_CHANGE: _l("Status changed"),
    EntryKind.TRIAGE: _l("Triage"),
    EntryKind.ASSIGNMENT: _l("Assignment"),
    EntryKind.MEETING: _l("Meeting"),
    EntryKind.ESCALATION: _l("Escalation"),
    EntryKind.FAMILY_MESSAGE: _l("Message from the family"),
    EntryKind.ACCESS_CODE: _l("New access code issued"),
    EntryKind.RESOLUTION: _l("Resolution"),
}
CHANNEL = {
    Channel.WEB: _l("Web form"),
    Channel.PHONE: _l("Phone"),
    Channel.EMAIL: _l("Email"),
    Channel.IN_PERSON: _l("In person"),
    Channel.LIAISON: _l("Through a liaison"),
}
MEETING_KIND = {
    MeetingKind.FACILITATED: _l("Facilitated meeting"),
    MeetingKind.MEDIATION: _l("Mediation"),
}
OUTCOME = {
    MeetingOutcome.AGREEMENT: _l("Agreement"),
    MeetingOutcome.PARTIAL_AGREEMENT: _l("Partial agreement"),
    MeetingOutcome.NO_AGREEMENT: _l("No agreement"),
    MeetingOutcome.RELATIONSHIP_REESTABLISHED: _l("Relationship re-established"),
    MeetingOutcome.FAMILY_DID_NOT_ATTEND: _l("Family did not attend"),
    MeetingOutcome.SCHOOL_DID_NOT_ATTEND: _l("School did not attend"),
}
CALL_OUTCOME = {
    CallOutcome.ANSWERED: _l("Answered"),
    CallOutcome.TRANSFERRED: _l("Transferred"),
    CallOutcome.POLICY_CLARIFIED: _l("Policy clarified"),
}
ESCALATION = {
    EscalationTarget.SENIOR_MANAGER: _l("Senior manager"),
    EscalationTarget.SUPERINTENDENT: _l("Instructional superintendent"),
}
