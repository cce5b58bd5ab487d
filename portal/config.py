"""Settings read from the environment; the README's settings table documents each one."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "es")
ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


class ConfigError(RuntimeError):
    """Raised when the environment cannot run the portal safely."""


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from exc


def database_url(raw: str) -> str:
    """Normalise a database URL so that PostgreSQL always goes through psycopg 3."""
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw.removeprefix("postgres://")
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw.removeprefix("postgresql://")
    return raw


def engine_options(url: str) -> dict[str, Any]:
    """Pool settings: survive a database restart, and give SQLite time to wait for a lock."""
    if url.startswith("sqlite"):
        return {"pool_pre_ping": True, "connect_args": {"timeout": 15}}
    return {
        # Checked on checkout by portal.connection_checks: a ping only when in doubt.
        "pool_pre_ping": False,
        # The connection used last is used again: its server process has the request's
        # statements prepared (psycopg prepares one after five runs) and its caches warm, where
        # first-in-first-out handed each request the connection idle longest
        # (bench/dashboards.py: a callback's first answers after other work took twice as long).
        "pool_use_lifo": True,
        "pool_size": _int("DATABASE_POOL_SIZE", 5),
        "max_overflow": 10,
        "pool_recycle": 1800,
        "connect_args": {"connect_timeout": 5},
    }


def load(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config from the environment, then apply test or CLI overrides."""
    overrides = overrides or {}
    env = overrides.get("PUENTE_ENV") or os.environ.get("PUENTE_ENV", "production")
    if env not in {"development", "production", "test"}:
        raise ConfigError(f"PUENTE_ENV must be development, production or test, not {env!r}.")
    production = env == "production"

    secret = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY", "")
    # The key that encrypts two-step sign-in secrets: its own setting, so that SECRET_KEY can
    # be rotated without every authenticator app having to be set up again; derived from a
    # fixed SECRET_KEY when unset; in development without either, a fixed development value
    # (a per-process key would lose every enrolment at each restart).
    mfa_key = os.environ.get("MFA_ENCRYPTION_KEY", "") or secret or "puente-development-only"
    if not secret:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. Puente refuses to start in production without it: "
                "set SECRET_KEY to a long random value (for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`), the same on "
                "every app server. For local work set PUENTE_ENV=development."
            )
        # Development only: a fresh key per process means sessions end on restart, nothing worse.
        secret = secrets.token_urlsafe(48)
    elif production and len(secret) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters long in production.")

    url = database_url(os.environ.get("DATABASE_URL", "") or f"sqlite:///{INSTANCE / 'puente.db'}")
    analytics_url = os.environ.get("ANALYTICS_DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    config: dict[str, Any] = {
        "PUENTE_ENV": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url),
        # Dashboards may read from a replica; the roll-ups are written on the main database.
        "ANALYTICS_DATABASE_URL": analytics_url,
        "REDIS_URL": redis_url,
        # Rate limits: Redis shared by every app server in production, memory otherwise;
        # a dead Redis falls back to memory so that sign-in throttling still holds. Memory is
        # limits' own, swept less often (portal.extensions.SweptMemoryStorage).
        "RATELIMIT_STORAGE_URI": redis_url or "puente-memory://",
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3}
        if redis_url
        else {},
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_KEY_PREFIX": "puente",
        "SESSION_COOKIE_NAME": "puente_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_DURATION": 0,
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 30),
        "SESSION_MAX_HOURS": _int("SESSION_MAX_HOURS", 12),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "HSTS": _flag("HSTS", production),
        "PROXY_COUNT": _int("PROXY_COUNT", 0),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": production,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("DISTRICT_TIMEZONE", "America/Denver"),
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "LANGUAGES": LANGUAGES,
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        "PASSWORD_MIN_LENGTH": 15,
        # With a second sign-in step (ASVS V6.2.1): 8 characters are enough.
        "PASSWORD_MIN_LENGTH_WITH_MFA": 8,
        "MFA_ENCRYPTION_KEY": mfa_key,
        # How long a visitor who gave the right password has to give the code.
        "MFA_PENDING_MINUTES": _int("MFA_PENDING_MINUTES", 10),
        # argon2id cost; tests lower it so that the suite stays fast.
        "ARGON2_TIME_COST": _int("ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_KIB": _int("ARGON2_MEMORY_KIB", 65536),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "DEMO_DATA_ALLOWED": not production or _flag("DEMO_DATA_ALLOWED", False),
        # The portal's address as families reach it, for links in emails and texts.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        # Outbox: how `flask outbox deliver` sends. Email by SMTP in production, to the log
        # otherwise; text messages through a gateway class named as "package.module:Class".
        "EMAIL_SENDER": os.environ.get("EMAIL_SENDER") or ("smtp" if production else "console"),
        "SMS_SENDER": os.environ.get("SMS_SENDER") or ("" if production else "console"),
        "SMTP_HOST": os.environ.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": _int("SMTP_PORT", 587),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _flag("SMTP_STARTTLS", True),
        "MAIL_FROM": os.environ.get("MAIL_FROM", ""),
        "OUTBOX_MAX_ATTEMPTS": _int("OUTBOX_MAX_ATTEMPTS", 12),
        # Referrals: the district's McKinney-Vento (homeless) liaison and foster-care liaison
        # hear of each flagged referral (the school and the social worker, no student detail).
        # Empty: nobody is told. Outside production they default to demo addresses.
        "REFERRALS_HOMELESS_LIAISON_EMAIL": os.environ.get(
            "REFERRALS_HOMELESS_LIAISON_EMAIL",
            "" if production else "homeless.liaison@demo.puente.example.org",
        ),
        "REFERRALS_FOSTER_CARE_LIAISON_EMAIL": os.environ.get(
            "REFERRALS_FOSTER_CARE_LIAISON_EMAIL",
            "" if production else "foster.care.liaison@demo.puente.example.org",
        ),
    }
    config.update(overrides)
    if "SQLALCHEMY_DATABASE_URI" in overrides:
        config["SQLALCHEMY_DATABASE_URI"] = database_url(config["SQLALCHEMY_DATABASE_URI"])
        if "SQLALCHEMY_ENGINE_OPTIONS" not in overrides:
            config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(config["SQLALCHEMY_DATABASE_URI"])
    if config["ANALYTICS_DATABASE_URL"]:
        analytics = database_url(config["ANALYTICS_DATABASE_URL"])
        config["ANALYTICS_DATABASE_URL"] = analytics
        config["SQLALCHEMY_BINDS"] = {"analytics": {"url": analytics, **engine_options(analytics)}}
    return config
