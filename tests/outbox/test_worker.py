"""Two workers at once, on a database they really share: every message is sent exactly once."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import delete, func, select

from portal.extensions import db
from portal.outbox.models import Channel, MessageStatus, OutboxMessage
from portal.outbox.services import deliver_due, due, queue_message
from portal.timeutil import utcnow
from tests.outbox.helpers import RecordingSender

MESSAGES = 24


def test_two_workers_never_send_the_same_message(live_app, monkeypatch):
    monkeypatch.setitem(live_app.config, "EMAIL_SENDER", "tests.outbox.helpers:RecordingSender")
    monkeypatch.setattr(RecordingSender, "delay", 0.005)
    monkeypatch.setattr(RecordingSender, "sent", [])
    with live_app.app_context():
        for n in range(MESSAGES):
            queue_message(
                channel=Channel.EMAIL,
                recipient=f"worker{n}@test.example.org",
                language="en",
                kind="account.created",
                context={
                    "name": f"Worker {n}",
                    "email": f"worker{n}@test.example.org",
                    "portal_url": "https://puente.test.example.org/",
                    "created_on": date(2026, 12, 21),
                },
                dedupe_key=f"two-workers-{n}",
            )
        db.session.commit()
        ids = set(
            db.session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.dedupe_key.like("two-workers-%"))
            )
        )
    now = utcnow()
    with live_app.app_context():
        # Other tests' messages may be due in the shared live database too, ahead of ours (a
        # registration burst leaves hundreds): a batch that covers them all keeps this test
        # about duplicates only.
        batch = db.session.scalar(select(func.count()).select_from(due(now).subquery()))
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    reports = []

    def worker() -> None:
        try:
            with live_app.app_context():
                start.wait()
                reports.append(deliver_due(now, batch=batch))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert not errors, errors
        # The live database is shared with other tests, whose pending messages (receipts,
        # say) these workers may deliver too: judge only this test's, but every send counts.
        sent = RecordingSender.sent
        assert len(sent) == len(set(sent))  # none twice
        assert sorted(i for i in sent if i in ids) == sorted(ids)  # each of ours once
        assert sum(r.sent for r in reports) >= MESSAGES
        with live_app.app_context():
            statuses = set(
                db.session.scalars(select(OutboxMessage.status).where(OutboxMessage.id.in_(ids)))
            )
            assert statuses == {MessageStatus.SENT}
    finally:
        with live_app.app_context():
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
            db.session.commit()
