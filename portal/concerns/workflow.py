"""The tier model as a state machine: which status a case may move to, in one place."""

from __future__ import annotations

from portal.concerns.models import Status


class TransitionNotAllowed(ValueError):
    """A status change the tier model does not allow."""


# Every move the model allows. Meeting and escalation have their own actions (scheduling a
# meeting, escalating with a reason); the rest are plain status changes on the case page.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset(
        {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.MEETING, Status.ESCALATED, Status.RESOLVED}
    ),
    Status.ACKNOWLEDGED: frozenset(
        {Status.IN_PROGRESS, Status.MEETING, Status.ESCALATED, Status.RESOLVED}
    ),
    Status.IN_PROGRESS: frozenset({Status.MEETING, Status.ESCALATED, Status.RESOLVED}),
    Status.MEETING: frozenset({Status.IN_PROGRESS, Status.ESCALATED, Status.RESOLVED}),
    Status.ESCALATED: frozenset({Status.IN_PROGRESS, Status.MEETING, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset(),
}
# Reached only through their own actions, never through the plain status menu.
SPECIAL = frozenset({Status.MEETING, Status.ESCALATED})


def allowed(status: Status, tier: int) -> frozenset[Status]:
    """Where a case of this tier may go from `status`."""
    moves = TRANSITIONS[status]
    if tier == 1:
        # An inquiry is answered or escalated; meetings belong to Tier 2 concerns.
        moves = moves - {Status.MEETING}
    return moves


def manual_choices(status: Status, tier: int) -> list[Status]:
    """The statuses offered in the case page's status menu, in workflow order."""
    order = list(Status)
    return sorted(allowed(status, tier) - SPECIAL, key=order.index)


def check(status: Status, tier: int, target: Status) -> None:
    """Raise TransitionNotAllowed unless the move is allowed."""
    if target not in allowed(status, tier):
        raise TransitionNotAllowed(f"{status.value} → {target.value} (tier {tier})")
