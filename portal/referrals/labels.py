"""What each reason, status, outcome and entry of a referral is called, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.referrals.models import (
    ConsentMethod,
    EntryKind,
    Outcome,
    Reason,
    Status,
    Urgency,
)

REASON = {
    Reason.ATTENDANCE: _l("Attendance"),
    Reason.ACADEMIC: _l("Academic"),
    Reason.BEHAVIOUR: _l("Behavior"),
    Reason.MENTAL_HEALTH: _l("Mental health"),
    Reason.BASIC_NEEDS: _l("Basic needs (food, clothing, utilities)"),
    Reason.HOUSING: _l("Housing instability or homelessness"),
    Reason.FOSTER_CARE: _l("Foster care"),
    Reason.CHILD_SAFETY: _l("Child safety (abuse or neglect)"),
}
URGENCY = {
    Urgency.ROUTINE: _l("Routine"),
    Urgency.PRIORITY: _l("Soon: within two school days"),
    Urgency.URGENT: _l("Urgent: today"),
}
STATUS = {
    Status.NEW: _l("New"),
    Status.ACCEPTED: _l("Accepted"),
    Status.DECLINED: _l("Declined"),
    Status.CONTACTED: _l("Family contacted"),
    Status.SERVICES_STARTED: _l("Services started"),
    Status.CLOSED: _l("Closed"),
}
# What the status means, for the person who made the referral (all they ever see of it).
STATUS_FOR_REFERRER = {
    Status.NEW: _l("Received. The social worker or caseworker will review it."),
    Status.ACCEPTED: _l("Accepted. The family will be contacted."),
    Status.DECLINED: _l("Declined. The social worker will tell you if another route fits better."),
    Status.CONTACTED: _l("The family has been contacted."),
    Status.SERVICES_STARTED: _l("Services have started."),
    Status.CLOSED: _l("Closed."),
}
OUTCOME = {
    Outcome.GOALS_MET: _l("Goals met"),
    Outcome.CONNECTED_TO_SERVICES: _l("Connected to services"),
    Outcome.FAMILY_DECLINED: _l("Family declined services"),
    Outcome.UNABLE_TO_CONTACT: _l("Unable to contact the family"),
    Outcome.MOVED: _l("Family moved away"),
    Outcome.TRANSFERRED: _l("Transferred to another agency or team"),
    Outcome.OTHER: _l("Other"),
}
ENTRY = {
    EntryKind.SUBMITTED: _l("Referral made"),
    EntryKind.STATUS_CHANGE: _l("Status changed"),
    EntryKind.NOTE: _l("Confidential note"),
    EntryKind.FOLLOW_UP: _l("Follow-up date"),
    EntryKind.SERVICE: _l("Service referred"),
    EntryKind.CONSENT: _l("Consent"),
    EntryKind.ASSIGNMENT: _l("Assignment"),
    EntryKind.FLAGS: _l("Flags"),
}
CONSENT_METHOD = {
    ConsentMethod.SIGNED_FORM: _l("Signed release form"),
    ConsentMethod.IN_PERSON: _l("In person"),
    ConsentMethod.PHONE: _l("By phone"),
    ConsentMethod.EMAIL: _l("By email"),
}
# Audit actions as they read in a referral's access history.
ACCESS_ACTION = {
    "referral.viewed": _l("Opened the referral"),
    "referral.listed": _l("Saw it on a caseload list"),
    "referral.meeting_viewed": _l("Saw it on a coordination meeting's page"),
    "referral.status_viewed": _l("Checked its status"),
    "referral.status_listed": _l("Saw it on their list of referrals made"),
    "referral.submitted": _l("Made the referral"),
    "referral.changed": _l("Changed the referral"),
    "referral.access_history_viewed": _l("Read this access history"),
    "referral.exported": _l("Downloaded it in a caseload file"),
    "referral.disclosed": _l("Released it in a family's records request"),
}
