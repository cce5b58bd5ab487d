"""Sending a message to a family the way they asked to be reached, through the outbox."""

from __future__ import annotations

from typing import Any

from portal.families.models import ContactMethod, FamilyContact


def message_family(
    contact: FamilyContact,
    *,
    language: str,
    kind: str,
    context: dict[str, Any],
    dedupe: str | None = None,
) -> int:
    """Queue `kind` by email and/or text in `language`; the caller commits with its change.

    Email when they gave an address; a text when they asked to be texted (or gave only a
    phone). `dedupe` makes the message once-only whatever retries happen.
    """
    from portal.outbox.models import Channel
    from portal.outbox.services import queue_message

    channels = []
    if contact.email:
        channels.append((Channel.EMAIL, contact.email))
    if contact.phone and (contact.contact_method == ContactMethod.TEXT or not contact.email):
        channels.append((Channel.SMS, contact.phone))
    queued = 0
    for channel, recipient in channels:
        key = f"{dedupe}:{channel.value}" if dedupe else None
        if (
            queue_message(
                channel=channel,
                recipient=recipient,
                language=language,
                kind=kind,
                context=context,
                dedupe_key=key,
            )
            is not None
        ):
            queued += 1
    return queued
