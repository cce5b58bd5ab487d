"""The social worker's and caseworker's caseload: filters, flags, follow-ups due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, case, nulls_last, select
from sqlalchemy.orm import selectinload

from portal.referrals.models import Reason, Referral, ReferralReason, Status, Urgency
from portal.referrals.scope import visible_referrals

OPEN_STATUSES = (Status.NEW, Status.ACCEPTED, Status.CONTACTED, Status.SERVICES_STARTED)
FLAGS = ("child_safety", "mckinney_vento", "foster_youth", "follow_up_due")
PAGE_SIZE = 50


@dataclass(frozen=True)
class CaseloadFilter:
    """The caseload's filter bar; every value from an allow-list."""

    status: str = "open"  # "open", "all", or one Status value
    school_id: int | None = None
    flag: str = ""  # one of FLAGS, or ""
    reason: str = ""  # one Reason value, or ""
    mine: bool = False

    @classmethod
    def from_args(cls, args: Any) -> CaseloadFilter:
        status = args.get("status", "open")
        if status not in {"open", "all", *(s.value for s in Status)}:
            status = "open"
        flag = args.get("flag", "")
        reason = args.get("reason", "")
        try:
            school_id = int(args.get("school", "") or 0) or None
        except ValueError:
            school_id = None
        if school_id is not None and not 0 < school_id < 2**31:
            school_id = None  # no such id; a huge number would not even fit the column
        return cls(
            status=status,
            school_id=school_id,
            flag=flag if flag in FLAGS else "",
            reason=reason if reason in {r.value for r in Reason} else "",
            mine=args.get("mine") == "1",
        )


def caseload(user: Any, filters: CaseloadFilter, today: date) -> Select[tuple[Referral]]:
    """The user's referrals, child safety and urgent first, then by the follow-up date."""
    query = visible_referrals(user).options(
        selectinload(Referral.school), selectinload(Referral.social_worker)
    )
    if filters.status == "open":
        query = query.where(Referral.status.in_(OPEN_STATUSES))
    elif filters.status != "all":
        query = query.where(Referral.status == Status(filters.status))
    if filters.school_id:
        query = query.where(Referral.school_id == filters.school_id)
    if filters.flag == "follow_up_due":
        query = query.where(Referral.follow_up_on <= today, Referral.status.in_(OPEN_STATUSES))
    elif filters.flag:
        query = query.where(getattr(Referral, filters.flag).is_(True))
    if filters.reason:
        query = query.where(
            Referral.id.in_(
                select(ReferralReason.referral_id).where(
                    ReferralReason.reason == Reason(filters.reason)
                )
            )
        )
    if filters.mine:
        query = query.where(
            (Referral.social_worker_id == user.id) | (Referral.caseworker_id == user.id)
        )
    urgency_rank = case(
        (Referral.urgency == Urgency.URGENT, 0),
        (Referral.urgency == Urgency.PRIORITY, 1),
        else_=2,
    )
    return query.order_by(
        Referral.child_safety.desc(),
        urgency_rank,
        nulls_last(Referral.follow_up_on.asc()),
        Referral.created_at.desc(),
        Referral.id.desc(),
    ).limit(PAGE_SIZE)
