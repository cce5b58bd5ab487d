"""`flask outbox deliver --once` and `flask outbox status`."""

from __future__ import annotations

from portal.extensions import db
from portal.outbox.cli import outbox_cli, register_outbox_cli
from tests.outbox.conftest import queue_account_created


def test_deliver_once_and_status(app, monkeypatch):
    monkeypatch.setitem(app.config, "EMAIL_SENDER", "tests.outbox.helpers:RecordingSender")
    with app.app_context():
        queue_account_created("en")
        db.session.commit()
    runner = app.test_cli_runner()
    status = runner.invoke(outbox_cli, ["status"])
    assert status.exit_code == 0, status.output
    assert "pending: 1" in status.output and "oldest pending: " in status.output
    result = runner.invoke(outbox_cli, ["deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 1, retried later 0, failed for good 0" in result.output
    status = runner.invoke(outbox_cli, ["status"])
    assert "pending: 0" in status.output and "sent: 1" in status.output
    assert "oldest pending: none" in status.output


def test_deliver_refuses_a_bad_sender_setting(app, monkeypatch):
    monkeypatch.setitem(app.config, "EMAIL_SENDER", "carrier-pigeon")
    result = app.test_cli_runner().invoke(outbox_cli, ["deliver", "--once"])
    assert result.exit_code != 0 and "EMAIL_SENDER" in result.output


def test_requeue(app, monkeypatch):
    result = app.test_cli_runner().invoke(outbox_cli, ["requeue"])
    assert result.exit_code == 0 and "queued again" in result.output


def test_register_adds_the_group():
    from flask import Flask

    app = Flask(__name__)
    register_outbox_cli(app)
    assert "outbox" in app.cli.commands
