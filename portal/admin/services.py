"""Managing accounts: create, edit, deactivate, and set roles and schools, all audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record
from portal.auth.models import User, UserRole
from portal.auth.roles import Role
from portal.auth.services import end_all_sessions, hash_password, normalize_email, password_problems
from portal.dbtypes import contains
from portal.extensions import db
from portal.schools.models import Network, School


class UserInputError(ValueError):
    """A change to an account that cannot be saved; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class UserInput:
    """What an administrator (or the command line) says an account should be."""

    email: str
    name: str
    preferred_language: str = "en"
    roles: frozenset[Role] = field(default_factory=frozenset)
    school_ids: frozenset[int] = field(default_factory=frozenset)
    network_id: int | None = None  # the network a superintendent leads
    active: bool = True
    password: str | None = None


def list_users(
    *, text: str = "", role: Role | None = None, active: bool | None = None
) -> Select[tuple[User]]:
    """Accounts matching a name or email fragment, a role and a status, by name."""
    query = select(User).order_by(func.lower(User.name), User.id)
    text = text.strip()
    if text:
        query = query.where(or_(contains(User.name, text), contains(User.email, text)))
    if role is not None:
        query = query.where(User.role_rows.any(UserRole.role == role))
    if active is not None:
        query = query.where(User.active.is_(active))
    return query


def _validate(data: UserInput, *, existing: User | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    email = normalize_email(data.email)
    taken = db.session.scalar(select(User.id).where(User.email == email))
    if taken is not None and (existing is None or taken != existing.id):
        errors["email"] = [str(_l("Another account already uses this email address."))]
    if not data.name.strip():
        errors["name"] = [str(_l("Enter the person's name."))]
    if not data.roles:
        errors["roles"] = [str(_l("Choose at least one role."))]
    if data.school_ids:
        found = set(db.session.scalars(select(School.id).where(School.id.in_(data.school_ids))))
        if found != set(data.school_ids):
            errors["schools"] = [str(_l("One of the chosen schools does not exist."))]
    if data.network_id is not None:
        if Role.SUPERINTENDENT not in data.roles:
            errors["network"] = [str(_l("Only an instructional superintendent leads a network."))]
        elif db.session.get(Network, data.network_id) is None:
            errors["network"] = [str(_l("That network does not exist."))]
    if existing is None and not data.password:
        errors["password"] = [str(_l("Set a first password for the account."))]
    if data.password:
        problems = password_problems(
            data.password,
            user_inputs=(email, data.name),
            mfa=existing is not None and existing.mfa_enrolled,
        )
        if problems:
            errors["password"] = problems
    return errors


def _apply(user: User, data: UserInput) -> dict[str, object]:
    """Copy the input onto the account; return what changed, for the audit trail."""
    changes: dict[str, object] = {}
    email = normalize_email(data.email)
    for attr, value in (
        ("email", email),
        ("name", data.name.strip()),
        ("preferred_language", data.preferred_language),
        ("active", data.active),
    ):
        if getattr(user, attr) != value:
            changes[attr] = {"from": getattr(user, attr), "to": value}
            setattr(user, attr, value)
    old_roles = {r.value for r in user.roles}
    new_roles = {r.value for r in data.roles}
    if old_roles != new_roles:
        changes["roles"] = {"from": sorted(old_roles), "to": sorted(new_roles)}
        keep = [row for row in user.role_rows if row.role.value in new_roles]
        user.role_rows = keep + [UserRole(role=Role(r)) for r in sorted(new_roles - old_roles)]
    old_schools = {s.id for s in user.schools}
    if old_schools != set(data.school_ids):
        changes["schools"] = {"from": sorted(old_schools), "to": sorted(data.school_ids)}
        user.schools = list(
            db.session.scalars(select(School).where(School.id.in_(data.school_ids)))
        )
    if data.password:
        user.password_hash = hash_password(data.password)
        changes["password_reset"] = True
    return changes


def _lead_network(user: User, network_id: int | None, changes: dict[str, object]) -> None:
    led = db.session.scalars(select(Network).where(Network.superintendent_id == user.id)).all()
    current = led[0].id if led else None
    if Role.SUPERINTENDENT not in user.roles:
        network_id = None
    if current == network_id:
        return
    for network in led:
        network.superintendent_id = None
    if network_id is not None:
        db.session.get_one(Network, network_id).superintendent_id = user.id
    changes["network"] = {"from": current, "to": network_id}


def led_network_id(user: User) -> int | None:
    """The network an instructional superintendent leads, if any."""
    return db.session.scalar(select(Network.id).where(Network.superintendent_id == user.id))


def create_user(
    data: UserInput, *, actor_id: int | None, ip: str | None, notify: bool = True
) -> User:
    """Create an account and email the person that it exists; raises UserInputError."""
    errors = _validate(data, existing=None)
    if errors:
        raise UserInputError(errors)
    user = User(email="", name="", password_hash="", active=True)
    changes = _apply(user, data)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:  # two admins creating the same email at once
        db.session.rollback()
        raise UserInputError(
            {"email": [str(_l("Another account already uses this email address."))]}
        ) from exc
    _lead_network(user, data.network_id, changes)
    record("user.created", actor_id=actor_id, target=user, ip=ip, detail=changes)
    if notify:
        _queue_welcome(user)
    db.session.commit()
    return user


def _queue_welcome(user: User) -> None:
    from portal.outbox.models import Channel
    from portal.outbox.services import queue_message
    from portal.timeutil import district_today
    from portal.urls import public_url

    queue_message(
        channel=Channel.EMAIL,
        recipient=user.email,
        language=user.preferred_language,
        kind="account.created",
        context={
            "name": user.name,
            "email": user.email,
            "portal_url": public_url("auth.sign_in"),
            "created_on": district_today(),
        },
        dedupe_key=f"account.created:{user.id}",
    )


def update_user(user: User, data: UserInput, *, actor_id: int | None, ip: str | None) -> User:
    """Change an account; role changes and deactivation are audited, and end its sessions."""
    errors = _validate(data, existing=user)
    if actor_id == user.id and (not data.active or Role.ADMIN not in data.roles):
        errors["roles"] = [
            str(
                _l(
                    "You cannot remove your own administrator access or "
                    "deactivate your own account."
                )
            )
        ]
    if errors:
        raise UserInputError(errors)
    changes = _apply(user, data)
    _lead_network(user, data.network_id, changes)
    if not changes:
        return user
    if "roles" in changes:
        record(
            "user.roles_changed",
            actor_id=actor_id,
            target=user,
            ip=ip,
            detail={"roles": changes["roles"]},
        )
    if not user.active or "roles" in changes or "password_reset" in changes:
        # Whatever the account could reach before, it must sign in again to reach now.
        end_all_sessions(user.id)
    action = (
        "user.deactivated"
        if "active" in changes and not user.active
        else ("user.reactivated" if "active" in changes else "user.updated")
    )
    record(action, actor_id=actor_id, target=user, ip=ip, detail=changes)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise UserInputError(
            {"email": [str(_l("Another account already uses this email address."))]}
        ) from exc
    return user


def set_active(user: User, active: bool, *, actor_id: int | None, ip: str | None) -> None:
    """Deactivate (ending every session at once) or reactivate an account."""
    if actor_id == user.id and not active:
        raise UserInputError({"active": [str(_l("You cannot deactivate your own account."))]})
    if user.active == active:
        return
    user.active = active
    if not active:
        end_all_sessions(user.id)
    record(
        "user.deactivated" if not active else "user.reactivated",
        actor_id=actor_id,
        target=user,
        ip=ip,
    )
    db.session.commit()
