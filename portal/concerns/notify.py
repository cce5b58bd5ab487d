"""Messages to families about their case, queued in the outbox with the change that causes them."""

from __future__ import annotations

from typing import Any

from portal.concerns.models import Case
from portal.families.messages import message_family
from portal.urls import public_url


def notify_family(
    case: Case, kind: str, context: dict[str, Any] | None = None, *, dedupe: str | None = None
) -> int:
    """Queue `kind` about this case to the family, in the case's language."""
    data = {
        "case": case,
        "reference": case.reference,
        "kind": case.kind.value,
        "track_url": public_url("concerns.track"),
        **(context or {}),
    }
    return message_family(
        case.contact,
        language=case.language,
        kind=kind,
        context=data,
        dedupe=f"{case.reference}:{kind}:{dedupe}" if dedupe else None,
    )
