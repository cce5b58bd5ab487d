"""Senders that tests name in EMAIL_SENDER / SMS_SENDER, as a real gateway would be named."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

from portal.outbox.models import OutboxMessage


class RecordingSender:
    """Keeps the id of every message it is asked to send (shared by every instance)."""

    sent: list[int] = []
    lock = threading.Lock()
    delay = 0.0

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def send(self, message: OutboxMessage) -> None:
        time.sleep(self.delay)  # widens the window in which two workers could collide
        with self.lock:
            RecordingSender.sent.append(message.id)


class BrokenSender:
    """A gateway that is down, and whose error message names the recipient."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def send(self, message: OutboxMessage) -> None:
        raise RuntimeError(f"gateway rejected {message.recipient} (call +1 555 555 0100)")


class NotASender:
    """Has no send method."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
