"""The Dash app: one page shell whose content follows the URL, callbacks bound to this app."""

from __future__ import annotations

from dash import Input, Output, State, dcc, html
from flask import Flask
from flask_login import current_user

from dashboards import pages
from dashboards.shell import PREFIX, PortalDash


def layout() -> html.Div:
    """A function, so that it is built per request in the user's language (WIRING.md)."""
    return html.Div([dcc.Location(id="url", refresh=False), html.Div(id="page")])


def create_dash(server: Flask) -> PortalDash:
    dash_app = PortalDash(
        __name__,
        server=server,
        url_base_pathname=PREFIX,
        serve_locally=True,
        compress=False,
        include_assets_files=False,
        update_title=None,
        suppress_callback_exceptions=True,
        title="Dashboards",
    )
    dash_app.layout = layout

    # Registered on this app, never with the global @dash.callback (plotly/dash#1719).
    @dash_app.callback(Output("page", "children"), Input("url", "pathname"), State("url", "search"))
    def show_page(pathname: str | None, search: str | None):  # noqa: ANN202
        return pages.render(pathname or PREFIX, search or "", current_user)

    pages.register_callbacks(dash_app)
    return dash_app
