"""Leadership dashboards (Dash), mounted on the portal's own server under /dashboards/."""

from __future__ import annotations

from flask import Flask


def init_dashboards(app: Flask) -> None:
    """Mount Dash on the portal; called by the app factory after the blueprints."""
    from dashboards import answers
    from dashboards.app import create_dash
    from dashboards.export import bp as export_bp
    from dashboards.shell import install

    answers.install()
    app.register_blueprint(export_bp)

    dash_app = create_dash(app)
    install(app, dash_app)
    app.extensions["dash"] = dash_app
