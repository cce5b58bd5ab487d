"""Puente: the district's bilingual family-engagement portal."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import config


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the portal; `overrides` replaces settings read from the environment."""
    app = Flask(__name__, instance_path=str(config.INSTANCE))
    app.config.from_mapping(config.load(overrides))
    register_logging(app)
    register_security(app)  # first: the request id must exist before any hook answers
    register_proxy(app)
    register_extensions(app)
    register_blueprints(app)
    register_access(app)
    register_dashboards(app)
    register_errorhandlers(app)
    register_jinja(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    from portal.logs import configure_logging

    configure_logging(app)


def register_proxy(app: Flask) -> None:
    # Trust exactly as many proxies as are configured: client-sent forwarding headers are
    # otherwise ignored, so rate limits and audit rows see the real address.
    count = app.config["PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    from portal import models  # noqa: F401 - every table known to Alembic and the mappers
    from portal.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate
    from portal.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.ROOT / "migrations"))
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    register_database_events(app)


def register_database_events(app: Flask) -> None:
    """Statements counted for the request log; on SQLite, foreign keys, WAL and savepoints."""
    from sqlalchemy import event

    from portal import connection_checks, prepared_statements
    from portal.extensions import db
    from portal.logs import watch_statements

    with app.app_context():
        engine = db.engine
        engines = list(db.engines.values())
    watch_statements(engine)
    for each in engines:
        if each.dialect.name == "postgresql":
            jit_off(each)
            connection_checks.install(each)
            prepared_statements.install(each)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    # SQLite: foreign keys on, WAL, a busy timeout, and real transactions for savepoints.

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # IMMEDIATE takes the write lock up front: two deferred transactions that both read and
        # then write deadlock, and SQLite answers one of them "database is locked" at once
        # instead of waiting out the busy timeout.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def jit_off(engine) -> None:  # noqa: ANN001 - an Engine
    """PostgreSQL's JIT compiler off for the connection's life: it compiles a query it thinks
    costly (a sum over a large roll-up) before running it, ~40 ms here, more than any of the
    portal's queries take. Once per connection, rather than once per dashboard read."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()


def register_blueprints(app: Flask) -> None:
    from portal.admin.views import bp as admin_bp
    from portal.auth.mfa_views import bp as mfa_bp
    from portal.auth.views import bp as auth_bp
    from portal.concerns.public_views import bp as concerns_bp
    from portal.concerns.views import bp as cases_bp
    from portal.coordination.views import bp as coordination_bp
    from portal.i18n import bp as i18n_bp
    from portal.knowledge.views import bp as knowledge_bp
    from portal.main.views import bp as main_bp
    from portal.programmes.certificate_views import bp as certificates_bp
    from portal.programmes.door_views import bp as events_bp
    from portal.programmes.feedback_views import bp as feedback_bp
    from portal.programmes.public_views import bp as workshops_bp
    from portal.programmes.staff_views import bp as programmes_bp
    from portal.referrals.views import bp as referrals_bp
    from portal.resources.views import bp as resources_bp
    from portal.retention.views import bp as retention_bp
    from portal.urls import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(mfa_bp)
    app.register_blueprint(i18n_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(concerns_bp)
    app.register_blueprint(cases_bp, url_prefix="/cases")
    app.register_blueprint(knowledge_bp)
    app.register_blueprint(workshops_bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(events_bp, url_prefix="/events")
    app.register_blueprint(programmes_bp, url_prefix="/programmes")
    app.register_blueprint(certificates_bp)
    app.register_blueprint(resources_bp)
    app.register_blueprint(referrals_bp, url_prefix="/referrals")
    app.register_blueprint(retention_bp, url_prefix="/admin")
    app.register_blueprint(coordination_bp, url_prefix="/coordination")


def register_dashboards(app: Flask) -> None:
    from dashboards import init_dashboards

    init_dashboards(app)


def register_access(app: Flask) -> None:
    from portal.access import require_sign_in_by_default
    from portal.auth.mfa_views import require_second_step
    from portal.auth.views import configure_login

    configure_login(app)
    app.before_request(require_sign_in_by_default(app.view_functions))
    app.before_request(require_second_step)


def register_errorhandlers(app: Flask) -> None:
    from portal.errors import register_errorhandlers as register

    register(app)


def register_security(app: Flask) -> None:
    from portal.security import register_security as register

    register(app)


def register_jinja(app: Flask) -> None:
    from portal.templating import register_templating

    register_templating(app)


def register_commands(app: Flask) -> None:
    from portal.cli import register_cli

    register_cli(app)
