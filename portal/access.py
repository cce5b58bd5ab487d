"""Access control in one place: public views, role checks and the school scope of a user."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, request
from flask_login import current_user
from sqlalchemy import Select, select

from portal.auth.roles import DISTRICT_WIDE_ROLES, SCHOOL_BOUND_ROLES, Role
from portal.extensions import db, login_manager
from portal.schools.models import Network, School

F = TypeVar("F", bound=Callable[..., Any])


def public(view: F) -> F:
    """Mark a view as reachable without signing in; every other view requires an account."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def role_required(*roles: Role) -> Callable[[F], F]:
    """Let the view run only for a signed-in user holding one of `roles`; others get 403."""
    if not roles:
        raise ValueError("role_required needs at least one role")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def signed_in(view: F) -> F:
    """Let the view run for any signed-in user, whatever their roles."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    wrapped.required_roles = frozenset()  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def view_is_public(view: Callable[..., Any] | None) -> bool:
    return bool(view is not None and getattr(view, "is_public", False))


def require_sign_in_by_default(app_view_functions: dict[str, Callable[..., Any]]):
    """A before-request hook: a view that is not marked public needs a signed-in user.

    Defence in depth behind `role_required`: a view someone forgets to decorate is closed,
    not open.
    """

    def hook():
        endpoint = request.endpoint
        if endpoint is None:  # a 404 or 405; the error handler answers
            return None
        if endpoint == "static" or view_is_public(app_view_functions.get(endpoint)):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    return hook


def school_scope(user: Any) -> Select[tuple[int]] | None:
    """The ids of the schools a user works with, as a subquery; None means every school."""
    roles = user.roles
    if not roles.isdisjoint(DISTRICT_WIDE_ROLES):
        return None
    own = select(School.id).where(School.id.in_([s.id for s in user.schools]))
    parts = []
    if not roles.isdisjoint(SCHOOL_BOUND_ROLES):
        parts.append(own)
    if Role.SUPERINTENDENT in roles:
        parts.append(
            select(School.id)
            .join(Network, School.network_id == Network.id)
            .where(Network.superintendent_id == user.id)
        )
    if not parts:
        return select(School.id).where(False)
    query = parts[0]
    for part in parts[1:]:
        query = query.union(part)  # type: ignore[assignment]
    return query


def visible_schools(user: Any) -> Select[tuple[School]]:
    """The schools a user may see records of, by name."""
    query = select(School).where(School.active).order_by(School.name)
    scope = school_scope(user)
    if scope is not None:
        query = query.where(School.id.in_(scope))
    return query


def get_school_or_404(user: Any, school_id: int) -> School:
    """A school in the user's scope, or 404 (never a 403 that confirms it exists)."""
    school = db.session.scalar(visible_schools(user).where(School.id == school_id))
    if school is None:
        abort(404)
    return school
