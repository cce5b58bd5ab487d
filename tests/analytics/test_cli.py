"""`flask analytics refresh`, once and as the worker."""

from __future__ import annotations

from portal import worker
from portal.analytics import cli
from portal.extensions import db


def test_refresh_once_then_incrementally_then_in_full(app, ledger):
    db.session.commit()  # the ledger, for the command's own session
    runner = app.test_cli_runner()
    first = runner.invoke(args=["analytics", "refresh"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("full refresh: 10 cases, 3 days of calls, 0 offerings in ")
    assert runner.invoke(args=["analytics", "refresh"]).output.startswith("refresh: 0 cases")
    assert runner.invoke(args=["analytics", "refresh", "--full"]).output.startswith("full refresh")


def test_the_worker_refreshes_at_its_interval_until_stopped(app, ledger, monkeypatch):
    db.session.commit()
    pauses = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(worker, "_sleep", lambda seconds, stopping: sleep(seconds))
    result = app.test_cli_runner().invoke(args=["analytics", "refresh", "--interval", "30"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Refreshing the dashboards every 30 s (Ctrl+C stops).",
        result.output.splitlines()[1],
        "Stopped.",
    ]
    assert result.output.splitlines()[1].startswith("full refresh: 10 cases")
    assert pauses == [30, 30]  # the quiet second pass printed nothing


def test_the_worker_survives_a_database_outage(app, ledger, monkeypatch):
    from sqlalchemy.exc import OperationalError

    db.session.commit()
    outcomes = iter([OperationalError("SELECT 1", {}, Exception("server closed"))])
    real = cli.refresh

    def flaky(**kwargs):
        failure = next(outcomes, None)
        if failure:
            raise failure
        return real(**kwargs)

    pauses = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli, "refresh", flaky)
    monkeypatch.setattr(worker, "_sleep", lambda seconds, stopping: sleep(seconds))
    result = app.test_cli_runner().invoke(args=["analytics", "refresh", "--interval", "5"])
    assert result.exit_code == 0, result.output
    assert "full refresh: 10 cases" in result.output
