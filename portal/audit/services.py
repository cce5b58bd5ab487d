"""The one function every feature calls to leave an audit row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from portal.audit.models import AuditEvent
from portal.extensions import db

# Never written to the audit trail, whatever a caller passes in `detail`.
_SECRET_KEYS = frozenset({"password", "password_hash", "token", "access_code", "csrf_token"})


def record(
    action: str,
    *,
    actor_id: int | None = None,
    target: Any = None,
    target_type: str | None = None,
    target_id: Any = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit row to the current transaction, so that it is written with the change."""
    if target is not None:
        target_type = target_type or target.__tablename__
        target_id = target_id if target_id is not None else getattr(target, "id", None)
    clean = {k: v for k, v in (detail or {}).items() if k not in _SECRET_KEYS}
    row = AuditEvent(
        action=action[:64],
        actor_id=actor_id,
        target_type=target_type[:40] if target_type else None,
        target_id=str(target_id)[:64] if target_id is not None else None,
        ip=(ip or None) and ip[:45],
        detail=clean,
    )
    db.session.add(row)
    return row


def events(
    *, action: str | None = None, actor_id: int | None = None, target_type: str | None = None
) -> Select[tuple[AuditEvent]]:
    """Audit rows, newest first, narrowed by any of the given filters."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if target_type:
        query = query.where(AuditEvent.target_type == target_type)
    return query


def actions() -> list[str]:
    """Every action name that appears in the trail, for the filter menu."""
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )
