"""Absolute addresses of the portal's pages, for messages sent outside a browser's request."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import IntegerConverter

# Every table addressed by a number in a path has a 32-bit integer key.
MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every route: a number no row can have does not match (a 404).

    Without the bound, SQLite cannot bind a number past 2**63 at all (a 500), and the query
    for an id past 2**31 is wasted on PostgreSQL.
    """

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002, ANN001 - werkzeug's names
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def public_url(endpoint: str, **values: object) -> str:
    """`PUBLIC_URL` plus the endpoint's path: the address a family can open from a message."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
