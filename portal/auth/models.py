"""Accounts, the roles they hold and their server-side sign-in sessions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.roles import MFA_ROLES, Role
from portal.dbtypes import str_enum
from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from portal.schools.models import Network, School

user_schools = Table(
    "user_schools",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    """A person who signs in: staff in one or more roles, or a family member."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Two-step sign-in: the TOTP secret, encrypted (portal/auth/mfa.py); set when enrolment
    # starts, trusted only once a code has confirmed it (mfa_enrolled_at).
    mfa_secret: Mapped[str | None] = mapped_column(String(255))
    mfa_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The 30-second time step of the last code accepted: a code is never accepted twice.
    mfa_last_step: Mapped[int | None] = mapped_column(Integer)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    schools: Mapped[list[School]] = relationship(secondary=user_schools, lazy="selectin")
    # The networks a superintendent leads, joined into the sign-in session's statement: a
    # dashboard callback's scope needs them, and asking separately was one more round trip per
    # callback. Only the signed-in person's are needed, so other loads of users leave them.
    led_networks: Mapped[list[Network]] = relationship(
        primaryjoin="Network.superintendent_id == User.id",
        order_by="Network.id",
        viewonly=True,
    )

    # Set by the user loader: the token of the sign-in session this request belongs to, and
    # the account's language as it was loaded. A commit expires every row the request loaded;
    # picking the language of a page rendered after one must not load the account again.
    session_token = None
    loaded_language = None
    session_mfa_verified = False

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    @property
    def is_authenticated(self) -> bool:
        # Only the user loader and sign-in make an account the current user, and both refuse
        # an inactive one; reading `active` here would load the row again after every commit.
        return True

    @property
    def needs_mfa(self) -> bool:
        """True when one of the user's roles may only be used after a second sign-in step."""
        return not self.roles.isdisjoint(MFA_ROLES)

    @property
    def mfa_enrolled(self) -> bool:
        return self.mfa_enrolled_at is not None

    def has_role(self, *roles: Role) -> bool:
        """True when the user holds any of the given roles."""
        return not self.roles.isdisjoint(roles)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the cookie: a server-side session token, never the user id,
        # so that signing out or deactivating ends the session for every copy of the cookie.
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), primary_key=True)
    user: Mapped[User] = relationship(back_populates="role_rows")


class UserSession(db.Model):
    """A signed-in session; the cookie carries only a random token whose hash is stored here."""

    __tablename__ = "user_sessions"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(45))
    # True when this session began with a second step (a code or a recovery code).
    mfa_verified: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class MfaRecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
