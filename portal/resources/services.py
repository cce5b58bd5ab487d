"""The directory's rules: finding listings, saving them, keeping them verified."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.dbtypes import contains
from portal.extensions import db
from portal.resources.hours import Opening, check_openings, open_at_clause
from portal.resources.models import (
    SPOKEN_LANGUAGES,
    STALE_AFTER,
    Need,
    OpeningHours,
    Resource,
    ResourceLanguage,
    ResourceNeed,
)
from portal.textclean import clean_line, fold
from portal.timeutil import utcnow

_SIGN_LANGUAGE_NAMES = {"en": "American Sign Language", "es": "lengua de señas americana"}


@cache
def language_name(code: str, locale: str) -> str:
    """A spoken language's name in the reader's language: 'vietnamita' for a Spanish reader.

    From Babel's locale data, so a third portal language needs no new msgids for these.
    """
    if code == "asl":
        return _SIGN_LANGUAGE_NAMES.get(locale, _SIGN_LANGUAGE_NAMES["en"])
    try:
        return Locale.parse(code).get_display_name(locale) or code
    except (ValueError, UnknownLocaleError):
        return code


def capitalised(name: str) -> str:
    """A name starting a line or an option: 'árabe' becomes 'Árabe'."""
    return name[:1].upper() + name[1:]


@cache
def autonym(code: str) -> str:
    """A language's name in itself, so a family reading neither English nor Spanish sees it."""
    if code == "asl":
        return "ASL"
    try:
        return Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        return code


# ---- finding listings ---------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilter:
    """What a family asked the directory for; every part optional."""

    text: str = ""
    need: Need | None = None
    language: str = ""
    neighbourhood: str = ""
    open_now: bool = False

    def as_args(self) -> dict[str, str]:
        args = {
            "q": self.text,
            "need": self.need.value if self.need else "",
            "language": self.language,
            "neighbourhood": self.neighbourhood,
            "open": "1" if self.open_now else "",
        }
        return {k: v for k, v in args.items() if v}

    @property
    def narrowed(self) -> bool:
        return bool(self.as_args())


def clean_query(value: object, limit: int = 100) -> str:
    """Typed search text, one line, without control characters (PostgreSQL refuses NUL)."""
    cleaned = clean_line(str(value or ""))
    return cleaned[:limit] if isinstance(cleaned, str) else ""


def parse_filter(args: Any) -> DirectoryFilter:
    """From query arguments; anything unknown or malformed is ignored, never an error."""
    need = args.get("need", "")
    language = args.get("language", "")
    return DirectoryFilter(
        text=clean_query(args.get("q", "")),
        need=Need(need) if need in Need._value2member_map_ else None,
        language=language if language in SPOKEN_LANGUAGES else "",
        neighbourhood=clean_query(args.get("neighbourhood", ""), 80),
        open_now=args.get("open", "") in ("1", "on", "y", "true"),
    )


def _with_details(query: Select[tuple[Resource]]) -> Select[tuple[Resource]]:
    return query.options(
        selectinload(Resource.need_rows),
        selectinload(Resource.language_rows),
        selectinload(Resource.hours),
    )


def search(flt: DirectoryFilter, *, local_now: datetime, language: str) -> Select[tuple[Resource]]:
    """Active listings matching the filter, by name in the reader's language.

    `local_now` is the district's wall-clock time, for "open now". Every word typed must
    appear somewhere (names, descriptions, eligibility, neighbourhood) in either language,
    whatever its case or accents: 'comida gratis' finds 'Comida gratuita … gratis'.
    """
    query = select(Resource).where(Resource.archived_at.is_(None))
    for word in fold(flt.text).split()[:8]:
        query = query.where(contains(Resource.search_text, word))
    if flt.need:
        query = query.where(
            select(ResourceNeed.resource_id)
            .where(ResourceNeed.resource_id == Resource.id, ResourceNeed.need == flt.need)
            .exists()
        )
    if flt.language:
        query = query.where(
            select(ResourceLanguage.resource_id)
            .where(
                ResourceLanguage.resource_id == Resource.id,
                ResourceLanguage.code == flt.language,
            )
            .exists()
        )
    if flt.neighbourhood:
        query = query.where(func.lower(Resource.neighbourhood) == flt.neighbourhood.lower())
    if flt.open_now:
        query = query.where(open_at_clause(local_now))
    name = Resource.name_es if language == "es" else Resource.name_en
    return _with_details(query.order_by(func.lower(name), Resource.id))


def neighbourhoods() -> list[str]:
    """Neighbourhoods that have at least one active listing, for the filter."""
    return list(
        db.session.scalars(
            select(Resource.neighbourhood)
            .where(Resource.archived_at.is_(None), Resource.neighbourhood != "")
            .distinct()
            .order_by(Resource.neighbourhood)
        )
    )


_SLUG = re.compile(r"^[a-z0-9-]{1,80}$")


def public_resource(slug: str) -> Resource | None:
    """A listing a family may open: active only; an archived one is gone for them."""
    if not _SLUG.match(slug):
        return None  # not an address we ever make: no query
    return db.session.scalar(
        _with_details(select(Resource).where(Resource.slug == slug, Resource.archived_at.is_(None)))
    )


def active_resources(need: Need | str | None = None) -> list[Resource]:
    """Active listings, by English name, optionally for one need: for pickers elsewhere.

    Referrals call this to offer "services referred to"; it does no paging or filtering
    beyond the need.
    """
    query = select(Resource).where(Resource.archived_at.is_(None))
    if need:
        query = query.where(
            select(ResourceNeed.resource_id)
            .where(ResourceNeed.resource_id == Resource.id, ResourceNeed.need == Need(need))
            .exists()
        )
    return list(db.session.scalars(_with_details(query.order_by(Resource.name_en, Resource.id))))


# ---- the staff list -----------------------------------------------------------------------


def stale_clause(today: date):  # noqa: ANN201
    return or_(Resource.verified_on.is_(None), Resource.verified_on < today - STALE_AFTER)


def staff_list(*, today: date, show: str = "active", text: str = "") -> Select[tuple[Resource]]:
    """Listings for staff: 'active', 'stale' (not verified in a year) or 'archived'.

    Oldest verification first, so that what most needs a call is at the top.
    """
    query = select(Resource)
    if show == "archived":
        query = query.where(Resource.archived_at.is_not(None))
    else:
        query = query.where(Resource.archived_at.is_(None))
        if show == "stale":
            query = query.where(stale_clause(today))
    for word in fold(text).split()[:8]:
        query = query.where(contains(Resource.search_text, word))
    return _with_details(
        query.order_by(Resource.verified_on.is_not(None), Resource.verified_on, Resource.name_en)
    )


def stale_count(today: date) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Resource)
        .where(and_(Resource.archived_at.is_(None), stale_clause(today)))
    )


# ---- saving -------------------------------------------------------------------------------


class InvalidWebsite(ValueError):
    """A web address the directory will not link to."""


def clean_website(raw: str) -> str:
    """An http(s) address to link to, or "" for none; InvalidWebsite for anything else.

    The server never fetches it: the address is only ever shown as a link.
    """
    raw = (raw or "").strip()
    if not raw:
        return ""
    if "://" not in raw and not raw.lower().startswith(("javascript:", "data:", "mailto:")):
        raw = "https://" + raw  # staff often paste "www.example.org"
    if len(raw) > 300 or any(c.isspace() or ord(c) < 32 for c in raw):
        raise InvalidWebsite(raw)
    parts = urlsplit(raw)
    host = parts.hostname or ""
    if (
        parts.scheme.lower() not in ("http", "https")
        or "." not in host
        or parts.username
        or parts.password
        or host.startswith(".")
        or host.endswith(".")
    ):
        raise InvalidWebsite(raw)
    return raw


@dataclass(frozen=True)
class ResourceInput:
    """A listing as staff enter it, already cleaned (phone in E.164, website checked)."""

    name_en: str
    name_es: str
    description_en: str
    description_es: str
    needs: frozenset[Need]
    languages: frozenset[str]
    eligibility_en: str = ""
    eligibility_es: str = ""
    street: str = ""
    city: str = ""
    postal_code: str = ""
    neighbourhood: str = ""
    phone: str | None = None
    website: str = ""
    by_appointment: bool = False
    hours_note_en: str = ""
    hours_note_es: str = ""
    openings: tuple[Opening, ...] = field(default_factory=tuple)


def _search_text(resource: Resource) -> str:
    return fold(
        " ".join(
            (
                resource.name_en,
                resource.name_es,
                resource.description_en,
                resource.description_es,
                resource.eligibility_en,
                resource.eligibility_es,
                resource.neighbourhood,
                resource.street,
                resource.postal_code,
            )
        )
    )


def _language_order(code: str) -> tuple[int, str]:
    return (SPOKEN_LANGUAGES.index(code) if code in SPOKEN_LANGUAGES else 99, code)


def _slug_for(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:60] or "listing"
    if base in ("manage", "new"):  # the staff pages' own addresses
        base += "-listing"
    taken = set(
        db.session.scalars(
            select(Resource.slug).where(or_(Resource.slug == base, Resource.slug.like(f"{base}-%")))
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


_FIELDS = (
    "name_en",
    "name_es",
    "description_en",
    "description_es",
    "eligibility_en",
    "eligibility_es",
    "street",
    "city",
    "postal_code",
    "neighbourhood",
    "phone",
    "website",
    "by_appointment",
    "hours_note_en",
    "hours_note_es",
)


def save_resource(
    resource: Resource | None,
    data: ResourceInput,
    *,
    actor_id: int | None,
    ip: str | None,
    verified_today: date | None = None,
    commit: bool = True,
    submission_key: str | None = None,
) -> Resource:
    """Create or change a listing; audited. `verified_today` also marks it checked that day.

    The address of a listing (its slug) is set once, so links families saved keep working
    when the name is corrected. A new listing's `submission_key` makes the form count once:
    sent again, the listing it already made is the answer.
    """
    from portal.audit.services import record

    if resource is None and submission_key:
        existing = _already_sent(submission_key)
        if existing is not None:
            return existing
    if not data.needs or not data.languages:
        raise ValueError("a listing needs at least one need and one language")
    rows = check_openings(list(data.openings))
    if data.website:
        clean_website(data.website)
    created = resource is None
    resource = resource or Resource(slug=_slug_for(data.name_en))
    before = {f: getattr(resource, f) for f in _FIELDS} if not created else {}
    for name in _FIELDS:
        setattr(resource, name, getattr(data, name))
    # Rows kept where they stay the same: a new row with an old one's key would clash.
    kept_needs = {row.need: row for row in resource.need_rows if row.need in data.needs}
    resource.need_rows = [kept_needs.get(n) or ResourceNeed(need=n) for n in sorted(data.needs)]
    kept_languages = {r.code: r for r in resource.language_rows if r.code in data.languages}
    resource.language_rows = [
        kept_languages.get(c) or ResourceLanguage(code=c)
        for c in sorted(data.languages, key=_language_order)
    ]
    resource.hours = [OpeningHours(weekday=d, opens=o, closes=c) for d, o, c in sorted(rows)]
    resource.search_text = _search_text(resource)
    resource.updated_by_id = actor_id
    if verified_today is not None:
        resource.verified_on = verified_today
        resource.verified_by_id = actor_id
    if created:
        resource.submission_key = submission_key
        db.session.add(resource)
    try:
        db.session.flush()
    except IntegrityError:
        # The same form sent twice at once: the other request made it; answer with its listing.
        if not (created and submission_key):
            raise
        db.session.rollback()
        existing = _already_sent(submission_key)
        if existing is None:
            raise
        return existing
    changed = sorted(f for f in _FIELDS if before.get(f) != getattr(resource, f)) if before else []
    record(
        "resource.created" if created else "resource.changed",
        actor_id=actor_id,
        target=resource,
        ip=ip,
        detail={"fields": changed, "verified": verified_today is not None},
    )
    if commit:  # the demo loader writes its listings in one transaction
        db.session.commit()
    return resource


def _already_sent(key: str) -> Resource | None:
    return db.session.scalar(select(Resource).where(Resource.submission_key == key))


def mark_verified(resource: Resource, *, today: date, actor_id: int, ip: str | None) -> None:
    """Someone confirmed the details with the service today: the listing is fresh again."""
    from portal.audit.services import record

    resource.verified_on = today
    resource.verified_by_id = actor_id
    record("resource.verified", actor_id=actor_id, target=resource, ip=ip)
    db.session.commit()


def archive(resource: Resource, *, actor_id: int, ip: str | None) -> None:
    """Take a listing off the public directory (closed, moved away); kept for the record."""
    from portal.audit.services import record

    if resource.archived_at is None:
        resource.archived_at = utcnow()
        record("resource.archived", actor_id=actor_id, target=resource, ip=ip)
    db.session.commit()


def restore(resource: Resource, *, actor_id: int, ip: str | None) -> None:
    """Put an archived listing back on the public directory."""
    from portal.audit.services import record

    if resource.archived_at is not None:
        resource.archived_at = None
        record("resource.restored", actor_id=actor_id, target=resource, ip=ip)
    db.session.commit()
