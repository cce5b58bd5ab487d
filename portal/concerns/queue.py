"""Who sees which cases (scope), and the queue's filters, sorting and paging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, false, nulls_last, or_, select
from sqlalchemy.orm import selectinload

from portal.auth.roles import Role
from portal.concerns.models import Case, EscalationTarget, Status
from portal.schools.models import Network, School

CASE_ROLES = (Role.SPECIALIST, Role.SENIOR_MANAGER, Role.SUPERINTENDENT)
OPEN_STATUSES = (
    Status.NEW,
    Status.ACKNOWLEDGED,
    Status.IN_PROGRESS,
    Status.MEETING,
    Status.ESCALATED,
)


def visible_cases(user: Any) -> Select[tuple[Case]]:
    """The cases a user may open: the one place that turns a user into their cases.

    Senior manager: every case. Specialist: unassigned cases (except child-safety ones, which
    go to the senior manager) and their own. Superintendent: cases escalated to them or to
    the superintendent of a network they lead. Anyone else: none.
    """
    query = select(Case)
    if user.has_role(Role.SENIOR_MANAGER):
        return query
    conditions = []
    if user.has_role(Role.SPECIALIST):
        conditions.append(Case.assignee_id == user.id)
        conditions.append(and_(Case.assignee_id.is_(None), Case.child_safety.is_(False)))
    if user.has_role(Role.SUPERINTENDENT):
        led_schools = (
            select(School.id)
            .join(Network, School.network_id == Network.id)
            .where(Network.superintendent_id == user.id)
        )
        conditions.append(Case.escalated_to_id == user.id)
        conditions.append(
            and_(
                Case.escalation_target == EscalationTarget.SUPERINTENDENT,
                Case.school_id.in_(led_schools),
            )
        )
    return query.where(or_(*conditions) if conditions else false())


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filter bar; every field optional, all from allow-lists."""

    status: str = "open"  # "open", "all", or one Status value
    tier: int | None = None
    category_id: int | None = None
    school_id: int | None = None
    network_id: int | None = None
    assignee: str = ""  # "", "me", "none", or a user id
    language: str = ""
    urgent: bool = False
    overdue: bool = False

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments, for links that keep it."""
        args = {
            "status": self.status,
            "tier": self.tier,
            "category": self.category_id,
            "school": self.school_id,
            "network": self.network_id,
            "assignee": self.assignee,
            "language": self.language,
            "urgent": "1" if self.urgent else "",
            "overdue": "1" if self.overdue else "",
        }
        return {k: str(v) for k, v in args.items() if v not in (None, "")}


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def parse_filter(args: Any) -> QueueFilter:
    """Read the filter from query arguments; anything unknown is ignored, never an error."""
    status = args.get("status", "open")
    if status not in ("open", "all", *(s.value for s in Status)):
        status = "open"
    tier = _int(args.get("tier"))
    assignee = args.get("assignee", "")
    if assignee not in ("", "me", "none") and _int(assignee) is None:
        assignee = ""
    language = args.get("language", "")
    return QueueFilter(
        status=status,
        tier=tier if tier in (1, 2, 3) else None,
        category_id=_int(args.get("category")),
        school_id=_int(args.get("school")),
        network_id=_int(args.get("network")),
        assignee=assignee,
        language=language if language in ("en", "es") else "",
        urgent=args.get("urgent") == "1",
        overdue=args.get("overdue") == "1",
    )


def queue(user: Any, flt: QueueFilter, today: date) -> Select[tuple[Case]]:
    """The user's cases narrowed by the filter, soonest due first, urgent ones on top."""
    query = visible_cases(user)
    if flt.status == "open":
        query = query.where(Case.status.in_(OPEN_STATUSES))
    elif flt.status != "all":
        query = query.where(Case.status == Status(flt.status))
    if flt.tier:
        query = query.where(Case.tier == flt.tier)
    if flt.category_id:
        query = query.where(Case.category_id == flt.category_id)
    if flt.school_id:
        query = query.where(Case.school_id == flt.school_id)
    if flt.network_id:
        query = query.where(
            Case.school_id.in_(select(School.id).where(School.network_id == flt.network_id))
        )
    if flt.assignee == "me":
        query = query.where(Case.assignee_id == user.id)
    elif flt.assignee == "none":
        query = query.where(Case.assignee_id.is_(None))
    elif flt.assignee:
        query = query.where(Case.assignee_id == int(flt.assignee))
    if flt.language:
        query = query.where(Case.language == flt.language)
    if flt.urgent:
        query = query.where(Case.urgent.is_(True))
    if flt.overdue:
        query = query.where(
            Case.status.in_(OPEN_STATUSES),
            or_(
                Case.resolve_due < today,
                and_(Case.acknowledged_at.is_(None), Case.acknowledge_due < today),
                and_(Case.first_contact_at.is_(None), Case.first_contact_due < today),
            ),
        )
    return query.options(
        selectinload(Case.category), selectinload(Case.school), selectinload(Case.assignee)
    ).order_by(Case.urgent.desc(), nulls_last(Case.resolve_due.asc()), Case.id)
