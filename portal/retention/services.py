"""Retention settings, the purge, and the export of one family's records."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal.audit.services import record
from portal.extensions import db
from portal.families.models import FamilyContact
from portal.families.services import normalize_phone
from portal.retention.models import AnonymisedRecord, RetentionSetting
from portal.retention.registry import Action, RecordType, record_types
from portal.timeutil import utcnow
from portal.urls import MAX_ROW_ID

MAX_MONTHS = 1200


class SettingsError(ValueError):
    """Settings refused, with a message per record type."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("retention settings refused")
        self.errors = errors


def months_before(instant: datetime, months: int) -> datetime:
    """The same day and time `months` earlier (the last day of a shorter month)."""
    total = instant.year * 12 + instant.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)


def current_months() -> dict[str, int]:
    """Months kept per record type: the administrator's setting, or the type's default."""
    stored = dict(
        db.session.execute(select(RetentionSetting.record_type, RetentionSetting.months)).all()
    )
    return {t.key: stored.get(t.key, t.default_months) for t in record_types()}


def save_settings(wanted: dict[str, Any], *, actor_id: int | None, ip: str | None) -> dict:
    """Store new month counts (all or nothing) and audit what changed; returns the changes."""
    types = {t.key: t for t in record_types()}
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for key, raw in wanted.items():
        record_type = types.get(key)
        if record_type is None:  # a made-up key posted by hand: ignored
            continue
        try:
            months = int(str(raw).strip())
        except ValueError:
            errors[key] = _("Enter a whole number of months.")
            continue
        if months < record_type.minimum_months or months > MAX_MONTHS:
            errors[key] = _(
                "Enter a number of months from %(low)d to %(high)d.",
                low=record_type.minimum_months,
                high=MAX_MONTHS,
            )
            continue
        clean[key] = months
    if errors:
        raise SettingsError(errors)
    before = current_months()
    changes = {k: {"from": before[k], "to": v} for k, v in clean.items() if before[k] != v}
    for key, change in changes.items():
        setting = db.session.get(RetentionSetting, key) or RetentionSetting(record_type=key)
        setting.months = change["to"]
        setting.updated_by_id = actor_id
        db.session.add(setting)
    if changes:
        record("retention.settings_changed", actor_id=actor_id, ip=ip, detail=changes)
    db.session.commit()
    return changes


@dataclass
class TypeReport:
    """What the purge found (and, unless a dry run, did) for one record type."""

    key: str
    action: Action
    months: int
    cutoff: datetime
    ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.ids)


def purge(
    *, apply: bool = False, now: datetime | None = None, only: str | None = None
) -> list[TypeReport]:
    """Find (and with `apply`, remove or anonymise) what is past retention, type by type.

    A dry run writes nothing. A real run commits each type in its own transaction together
    with its audit row (counts only), so a failure halfway leaves whole types done or undone.
    """
    now = now or utcnow()
    months = current_months()
    cutoffs = {key: months_before(now, n) for key, n in months.items()}
    reports = []
    for record_type in record_types():
        if only and record_type.key != only:
            continue
        report = _purge_type(record_type, months[record_type.key], cutoffs, now, apply)
        reports.append(report)
    return reports


def _purge_type(
    record_type: RecordType, months: int, cutoffs: dict[str, datetime], now: datetime, apply: bool
) -> TypeReport:
    cutoff = cutoffs[record_type.key]
    ids = list(db.session.scalars(record_type.due(cutoff, cutoffs)))
    report = TypeReport(record_type.key, record_type.action, months, cutoff, ids)
    if not apply:  # a dry run only reads
        return report
    try:
        if ids:
            record_type.purge(ids)
            if record_type.action is Action.ANONYMISE:
                db.session.add_all(
                    AnonymisedRecord(record_type=record_type.key, record_id=i, anonymised_at=now)
                    for i in ids
                )
        record(
            "retention.purged",
            target_type=record_type.key,
            detail={
                "action": record_type.action.value,
                "count": len(ids),
                "months": months,
                "cutoff": cutoff.isoformat(),
            },
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.expire_all()  # bulk updates bypassed the identity map
    return report


# Access requests (FERPA) ----------------------------------------------------------------------


def find_families(query: str) -> list[FamilyContact]:
    """Family contacts whose phone or email is the one given (exact, after normalising)."""
    query = (query or "").strip()
    if not query:
        return []
    conditions = []
    if "@" in query:
        conditions.append(FamilyContact.email == query.lower())
    phone = normalize_phone(query)
    if phone:
        conditions.append(FamilyContact.phone == phone)
    if not conditions:
        return []
    return list(
        db.session.scalars(select(FamilyContact).where(or_(*conditions)).order_by(FamilyContact.id))
    )


def family_export(
    contact_id: int, *, reason: str, actor_id: int | None, ip: str | None
) -> dict[str, Any] | None:
    """Everything kept about one family contact, as a JSON-ready document; audited.

    The audit row is the record of disclosure FERPA asks for (34 CFR 99.32): who, when, whose
    records and why. It is committed before the document is handed out.
    """
    # A number no row can have (SQLite cannot even bind one past 2**63): no such family.
    if not 0 < contact_id <= MAX_ROW_ID:
        return None
    contact = db.session.get(FamilyContact, contact_id)
    if contact is None:
        return None
    now = utcnow()
    records = {}
    for record_type in record_types():
        if record_type.export is not None:
            records[record_type.key] = record_type.export(contact)
    counts = {key: len(rows) for key, rows in records.items()}
    record(
        "family.records_exported",
        actor_id=actor_id,
        target=contact,
        ip=ip,
        detail={"reason": reason[:500], "counts": counts},
    )
    for record_type in record_types():
        if record_type.audit_export is not None and records.get(record_type.key):
            record_type.audit_export(contact, records[record_type.key], actor_id, ip)
    db.session.commit()
    return {
        "exported_at": now.isoformat(),
        "reason": reason,
        "family_contact_id": contact.id,
        "records": records,
    }
