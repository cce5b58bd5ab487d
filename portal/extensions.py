"""Unbound Flask extensions; everything imports them from here and the factory binds them."""

from __future__ import annotations

import threading

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from limits.storage import MemoryStorage
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose constraint names are stable on every database."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Past any list the portal shows, and small enough that the offset fits every database.
MAX_PAGE = 100_000


class PortalSQLAlchemy(SQLAlchemy):
    def paginate(self, select, *, page=None, **kwargs):  # noqa: ANN001, ANN201, ANN003
        """Flask-SQLAlchemy's, with the page number from the address kept in range.

        `?page=99999999999999999999` would otherwise reach the database as an offset SQLite
        cannot bind and PostgreSQL calls out of range (a 500); now it is an empty page.
        """
        if page is None:
            from flask import request

            page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
        return super().paginate(select, page=page, **kwargs)


db = PortalSQLAlchemy(model_class=Base)


def render_item(type_: str, obj: object, autogen_context) -> str | bool:
    """Write the portal's UTC timestamp type into migrations as a plain timezone-aware one."""
    from portal.timeutil import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


migrate = Migrate(render_as_batch=True, compare_type=True, render_item=render_item)
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
htmx = Htmx()


class SweptMemoryStorage(MemoryStorage):
    """limits' memory storage (no Redis configured), cleared of old counters once a second.

    Upstream sweeps every counter on a 10 ms timer thread that it starts again on the next hit
    once the last one has run: in a burst of registrations that was a new thread, and a scan
    of every address's counters, for nearly every POST. A fixed-window counter is checked for
    expiry whenever it is read, so what each limit allows is unchanged; counters nobody asks
    about are only forgotten a little later.
    """

    STORAGE_SCHEME = ["puente-memory"]
    SWEEP_SECONDS = 1.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces upstream's private method
        if not self.timer.is_alive():
            self.timer = threading.Timer(self.SWEEP_SECONDS, self._MemoryStorage__expire_events)
            # Never keeps a finished process (a command, the test run) waiting for the sweep.
            self.timer.daemon = True
            self.timer.start()


# ProxyFix (configured by PROXY_COUNT) makes remote_addr the real client behind the balancer.
limiter = Limiter(key_func=get_remote_address)
