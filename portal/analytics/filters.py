"""What a dashboard is asked for (filters) and what the person may see of it (scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from portal.auth.roles import Role


@dataclass(frozen=True)
class Filters:
    start: date  # inclusive, district dates
    end: date  # inclusive
    network_id: int | None = None
    school_id: int | None = None
    tier: int | None = None
    category_id: int | None = None
    language: str | None = None
    programme_id: int | None = None

    def instants(self, zone: Any) -> tuple[datetime, datetime]:
        """The range as UTC instants: from the start day's midnight to the day after the end."""
        first = datetime.combine(self.start, time.min, tzinfo=zone).astimezone(UTC)
        after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return first, after.astimezone(UTC)


@dataclass(frozen=True)
class Scope:
    network_id: int | None = None  # a superintendent sees only their network
    suppress_small: bool = False  # analysts: counts under 10 are not shown

    @classmethod
    def for_user(cls, user: Any) -> Scope:
        """Leadership sees everything; a superintendent their network; analysts aggregates."""
        from sqlalchemy import select

        from portal.extensions import db
        from portal.schools.models import Network

        if user.has_role(Role.SENIOR_MANAGER, Role.PROGRAMME_STAFF):
            return cls()
        if user.has_role(Role.SUPERINTENDENT):
            led = db.session.scalar(select(Network.id).where(Network.superintendent_id == user.id))
            # A superintendent who leads no network sees nothing, not everything.
            return cls(network_id=led if led is not None else -1)
        return cls(suppress_small=True)

    def network(self, filters: Filters) -> int | None:
        """The network to restrict to: the scope's wins over whatever the filter asks."""
        return self.network_id if self.network_id is not None else filters.network_id
