"""Messages to families about their case, queued in the outbox with the change that causes them."""

from __future__ import annotations

from typing import Any

from portal.concerns.models import Case
from portal.families.models import ContactMethod
from portal.urls import public_url


def notify_family(
    case: Case, kind: str, context: dict[str, Any] | None = None, *, dedupe: str | None = None
) -> int:
    """Queue `kind` to the family by email and/or text, in their language; the caller commits.

    Email when they gave an address; a text when they asked to be texted (or gave only a
    phone). `dedupe` makes the message once-only for this case, whatever retries happen.
    """
    from portal.outbox.models import Channel
    from portal.outbox.services import queue_message

    contact = case.contact
    data = {
        "case": case,
        "reference": case.reference,
        "kind": case.kind.value,
        "track_url": public_url("concerns.track"),
        **(context or {}),
    }
    channels = []
    if contact.email:
        channels.append((Channel.EMAIL, contact.email))
    if contact.phone and (contact.contact_method == ContactMethod.TEXT or not contact.email):
        channels.append((Channel.SMS, contact.phone))
    queued = 0
    for channel, recipient in channels:
        key = f"{case.reference}:{kind}:{dedupe}:{channel.value}" if dedupe else None
        if (
            queue_message(
                channel=channel,
                recipient=recipient,
                language=case.language,
                kind=kind,
                context=data,
                dedupe_key=key,
            )
            is not None
        ):
            queued += 1
    return queued
