"""Service levels in business days on the district calendar: due dates and their settings."""

from __future__ import annotations

from sqlalchemy import select

from portal.calendar.services import add_business_days, calendar_changed
from portal.concerns.models import Case, ServiceLevels, Status
from portal.extensions import db

OPEN = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.MEETING, Status.ESCALATED)


def current() -> ServiceLevels:
    """The targets in force; the defaults of SPEC.md §2 until the senior manager changes them."""
    levels = db.session.get(ServiceLevels, 1)
    if levels is None:
        levels = ServiceLevels(id=1)
        db.session.add(levels)
        db.session.flush()
    return levels


def apply_due_dates(case: Case, levels: ServiceLevels | None = None) -> None:
    """Set the case's due dates from its intake date, tier and the calendar."""
    levels = levels or current()
    start = case.received_on
    if case.tier == 1:
        # An inquiry is answered, not worked: one target, the first-contact one.
        case.acknowledge_due = None
        case.first_contact_due = None
        case.resolve_due = add_business_days(start, levels.first_contact_days)
        return
    case.acknowledge_due = add_business_days(start, levels.acknowledge_days)
    case.first_contact_due = add_business_days(start, levels.first_contact_days)
    case.resolve_due = add_business_days(start, levels.resolve_days)


def refresh_open_cases() -> int:
    """Recompute due dates of every open case, after the calendar or the targets change."""
    levels = current()
    count = 0
    for case in db.session.scalars(select(Case).where(Case.status.in_(OPEN))):
        apply_due_dates(case, levels)
        count += 1
    return count


def update_levels(
    *,
    acknowledge_days: int,
    first_contact_days: int,
    resolve_days: int,
    escalate_unresponsive_days: int,
    actor_id: int,
    ip: str | None,
) -> int:
    """Change the targets (senior manager), move open cases' due dates, and audit it."""
    from portal.audit.services import record

    levels = current()
    before = {
        "acknowledge_days": levels.acknowledge_days,
        "first_contact_days": levels.first_contact_days,
        "resolve_days": levels.resolve_days,
        "escalate_unresponsive_days": levels.escalate_unresponsive_days,
    }
    levels.acknowledge_days = acknowledge_days
    levels.first_contact_days = first_contact_days
    levels.resolve_days = resolve_days
    levels.escalate_unresponsive_days = escalate_unresponsive_days
    levels.updated_by_id = actor_id
    moved = refresh_open_cases()
    record(
        "service_levels.changed",
        actor_id=actor_id,
        target=levels,
        ip=ip,
        detail={"from": before, "to": {k: getattr(levels, k) for k in before}},
    )
    db.session.commit()
    return moved


@calendar_changed.connect
def _calendar_changed(_sender: object) -> None:
    # The caller commits: the calendar change and the moved due dates land together.
    refresh_open_cases()
