"""The record types that hold personal data, each with its retention rule.

A feature registers its own types (`register(RecordType(...))`) from `portal.retention.types`
or its own module imported there; the purge, the settings page and the access-request export
work over whatever is registered. Order matters for one reason: family contacts are anonymised
only once nothing still kept points at them, so they come last (`order`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select

CHUNK = 500  # ids per IN (...) list


def chunks(ids: list[int]) -> Iterator[list[int]]:
    """The ids in slices small enough for one IN (...) list each."""
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


class Action(StrEnum):
    """What the purge does to a record past its retention."""

    DELETE = "delete"
    ANONYMISE = "anonymise"


@dataclass(frozen=True)
class RecordType:
    """One kind of record with personal data, and how it leaves the database."""

    key: str  # stable: stored in settings, audit rows and the anonymised marks
    label: Any  # lazy text
    starts: Any  # lazy text: the moment the retention period counts from
    removes: Any  # lazy text: what the purge removes or blanks
    action: Action
    default_months: int
    minimum_months: int
    # The ids past retention at `cutoff` and not yet purged, in id order. `cutoffs` holds every
    # type's cutoff, for a type whose retention depends on others' (family contacts).
    due: Callable[[datetime, dict[str, datetime]], Select[tuple[int]]]
    # Remove or anonymise these ids (the caller commits, and records the marks).
    purge: Callable[[list[int]], None]
    # The family contacts this type still keeps (not purged, not due at `cutoff`): a contact
    # is anonymised only when no type keeps it.
    keeps_contacts: Callable[[datetime], Select[tuple[int]]] | None = None
    # This type's records about one family contact, as JSON-ready dicts, for an access request.
    export: Callable[[Any], list[dict[str, Any]]] | None = None
    # For a type whose reads are audited record by record (referrals): its own disclosure
    # rows for what `export` returned, written with the export's (contact, rows, actor, ip).
    audit_export: Callable[[Any, list[dict[str, Any]], int | None, str | None], None] | None = None
    # Purge order: lower first. Family contacts go last (1000), after everything linking them.
    order: int = 100


REGISTRY: dict[str, RecordType] = {}
# Records that point at family contacts but have no retention rule of their own yet: their
# contacts are kept. A record type registered under the same key replaces its keeper.
CONTACT_KEEPERS: dict[str, Callable[[datetime], Select[tuple[int]]]] = {}


def contact_keepers(cutoffs: dict[str, datetime], default: datetime) -> list[Select[tuple[int]]]:
    """The family contacts each rule keeps, every type judged by its own cutoff."""
    keepers = [
        t.keeps_contacts(cutoffs.get(t.key, default)) for t in REGISTRY.values() if t.keeps_contacts
    ]
    return keepers + [k(default) for key, k in CONTACT_KEEPERS.items() if key not in REGISTRY]


def register(record_type: RecordType) -> RecordType:
    """Add a record type; registering the same key again replaces it (module reloads)."""
    REGISTRY[record_type.key] = record_type
    return record_type


def record_types() -> list[RecordType]:
    """Every registered type, in purge order."""
    from portal.retention import types  # noqa: F401 - the built-in types register on import

    return sorted(REGISTRY.values(), key=lambda t: t.order)
