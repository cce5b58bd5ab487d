"""Coordination-team meetings under the retention rules: deleted five years after the meeting.

The minutes name family members and record decisions about students; nothing counts them on a
dashboard, so the whole meeting goes (attendees, next steps and referral links with it).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, select

from portal.coordination.models import TeamMeeting
from portal.extensions import db
from portal.retention.registry import Action, RecordType, chunks, register


def _due(cutoff: datetime, cutoffs: dict[str, datetime] | None = None) -> Select[tuple[int]]:
    return (
        select(TeamMeeting.id).where(TeamMeeting.held_on < cutoff.date()).order_by(TeamMeeting.id)
    )


def _purge(ids: list[int]) -> None:
    for part in chunks(ids):
        # Attendees, next steps and referral links go with the meeting (ON DELETE CASCADE).
        db.session.execute(
            delete(TeamMeeting).where(TeamMeeting.id.in_(part)),
            execution_options={"synchronize_session": False},
        )


register(
    RecordType(
        key="team_meetings",
        label=_l("Coordination-team meetings"),
        starts=_l("the day of the meeting"),
        removes=_l("Deleted, with who attended, the next steps and the referrals discussed."),
        action=Action.DELETE,
        default_months=60,
        minimum_months=12,
        due=_due,
        purge=_purge,
        order=50,
    )
)
