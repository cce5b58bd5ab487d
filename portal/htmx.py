"""Deciding between a fragment and a full page, the one way every view does it."""

from __future__ import annotations

from flask import request


def is_fragment_request() -> bool:
    """An htmx request that wants a fragment; history restores get the full page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def redirect_to(url: str):
    """Go to `url` after a successful POST: a full-page redirect, also from htmx."""
    from flask import current_app, redirect

    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)
