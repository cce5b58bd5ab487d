"""The moves a referral may make: new → accepted or declined → contacted → services → closed."""

from __future__ import annotations

from portal.referrals.models import Status

MOVES: dict[Status, tuple[Status, ...]] = {
    Status.NEW: (Status.ACCEPTED, Status.DECLINED),
    Status.ACCEPTED: (Status.CONTACTED, Status.CLOSED),
    Status.CONTACTED: (Status.SERVICES_STARTED, Status.CLOSED),
    Status.SERVICES_STARTED: (Status.CLOSED,),
    Status.DECLINED: (),
    Status.CLOSED: (),
}


def next_statuses(current: Status) -> tuple[Status, ...]:
    return MOVES[current]


def can_move(current: Status, target: Status) -> bool:
    return target in MOVES[current]
