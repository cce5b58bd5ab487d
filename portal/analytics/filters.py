"""What a dashboard viewer asked for (Filters) and what they may see (Scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from portal.auth.roles import Role

if TYPE_CHECKING:
    from portal.auth.models import User

# Roles that see every figure for the whole district, unsuppressed.
DISTRICT_ROLES = frozenset({Role.SENIOR_MANAGER, Role.PROGRAMME_STAFF, Role.ADMIN})
DASHBOARD_ROLES = DISTRICT_ROLES | {Role.SUPERINTENDENT, Role.ANALYST}
NO_NETWORK = 0  # no network has this id: a superintendent who leads none sees nothing


class NoDashboardAccess(PermissionError):
    """The user holds no role that may see the dashboards."""


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters; dates are district dates, both ends included."""

    start: date  # received_on for cases; the meeting's or session's day for events
    end: date
    network_id: int | None = None
    school_id: int | None = None
    tier: int | None = None
    category_id: int | None = None
    language: str | None = None  # "en", "es", or another code
    programme_id: int | None = None  # attendance figures only

    def instants(self, zone: Any) -> tuple[datetime, datetime]:
        """The range as UTC instants: from the start day's midnight to the day after the end."""
        first = datetime.combine(self.start, time.min, tzinfo=zone).astimezone(UTC)
        after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return first, after.astimezone(UTC)


@dataclass(frozen=True)
class Scope:
    """Limits that follow from who is looking, applied inside every query."""

    network_id: int | None = None  # a superintendent sees only their network (forced)
    suppress_small: bool = False  # analysts: any count under 10 -> None ("fewer than 10")

    def network(self, filters: Filters) -> int | None:
        """The network to restrict to: the scope's wins over whatever the filter asks."""
        return self.network_id if self.network_id is not None else filters.network_id

    @classmethod
    def for_user(cls, user: User) -> Scope:
        """District roles see everything; a superintendent their network; analysts aggregates."""
        roles = user.roles
        if roles & DISTRICT_ROLES:
            return cls()
        if Role.SUPERINTENDENT in roles:
            led = user.led_networks[0].id if user.led_networks else NO_NETWORK
            return cls(network_id=led, suppress_small=Role.ANALYST in roles)
        if Role.ANALYST in roles:
            return cls(suppress_small=True)
        raise NoDashboardAccess(user.id)


@dataclass(frozen=True)
class Selection:
    """Filters and scope merged: the equality conditions every query applies."""

    start: date
    end: date
    network_id: int | None
    school_id: int | None
    tier: int | None
    category_id: int | None
    language: str | None
    suppress: bool

    @property
    def empty(self) -> bool:
        return self.start > self.end

    def dims(self) -> dict[str, object]:
        """The dimension filters that are set, by column name."""
        values = {
            "network_id": self.network_id,
            "school_id": self.school_id,
            "tier": self.tier,
            "category_id": self.category_id,
            "language": self.language,
        }
        return {name: value for name, value in values.items() if value is not None}


def select_for(f: Filters, s: Scope) -> Selection:
    """The scope's network wins over whatever network the filters ask for."""
    return Selection(
        start=f.start,
        end=f.end,
        network_id=s.network_id if s.network_id is not None else f.network_id,
        school_id=f.school_id,
        tier=f.tier,
        category_id=f.category_id,
        language=f.language or None,
        suppress=s.suppress_small,
    )
