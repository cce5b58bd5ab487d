"""Finding a returning family, and normalising how they can be reached."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import phonenumbers
from sqlalchemy import Select, bindparam, insert, or_, select

from portal.extensions import db
from portal.families.models import ContactMethod, FamilyContact

DEFAULT_REGION = "US"


# Each form checks the number and its view then stores it: one parse each, not two.
@lru_cache(maxsize=1024)
def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """A phone number in E.164 (+17205550142), or None when it cannot be a real number."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# The same few hundred numbers are shown again and again (a roster, each search at the door),
# and formatting one took longer than rendering the rest of its row.
@lru_cache(maxsize=4096)
def display_phone(e164: str | None) -> str:
    """A stored number as a person writes it: (720) 555-0142, or +52 … for other countries."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, None)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


@dataclass(frozen=True)
class ContactInput:
    """What a family told us about themselves on a form."""

    name: str
    phone: str | None = None  # already E.164
    email: str | None = None  # already lower case
    language: str = "en"
    other_language: str = ""
    interpreter_needed: bool = False
    contact_method: ContactMethod = ContactMethod.PHONE
    best_time: str = ""


def find_or_create_contact(data: ContactInput) -> FamilyContact:
    """The family's existing record when the phone or email matches, updated; else a new one.

    The caller commits. What the family says now wins: a new phone, language or best time
    replaces the old one, and nothing they gave before is erased by a blank.
    """
    contact = find_contact(data)
    if contact is None:
        contact = FamilyContact()
        update_contact(contact, data)
        db.session.add(contact)
    return contact


def find_contact(data: ContactInput) -> FamilyContact | None:
    """The family's existing record when the phone or email matches, updated; else None."""
    if not (data.phone or data.email):
        return None
    contact = db.session.scalars(
        matching_contacts(bool(data.phone), bool(data.email)),
        {"phone": data.phone, "email": data.email},
    ).first()
    if contact is not None:
        update_contact(contact, data)
    return contact


def insert_contact(data: ContactInput) -> int:
    """A new family's record in one INSERT, without an object in the session; its id.

    For a registration, where the unit of work's flush of one new row cost more than the
    statement itself. The values are those `find_or_create_contact` gives a new record.
    """
    values = {
        "name": data.name,
        "phone": data.phone,
        "email": data.email,
        "language": data.language,
        "other_language": data.other_language,
        "interpreter_needed": data.interpreter_needed,
        "contact_method": data.contact_method,
        "best_time": data.best_time or "",
    }
    # On the session's connection: a plain statement needs none of the session's ORM steps.
    return db.session.connection().execute(_INSERT_CONTACT, values).scalar_one()


_INSERT_CONTACT = insert(FamilyContact.__table__).returning(FamilyContact.__table__.c.id)


def update_contact(contact: FamilyContact, data: ContactInput) -> None:
    """What the family says now wins; nothing they gave before is erased by a blank."""
    values = {
        "name": data.name or contact.name,
        "phone": data.phone or contact.phone,
        "email": data.email or contact.email,
        "language": data.language,
        "other_language": data.other_language,
        "interpreter_needed": data.interpreter_needed,
        "contact_method": data.contact_method,
        "best_time": data.best_time or contact.best_time or "",
    }
    for name, value in values.items():
        # Only what changed: a returning family usually tells us the same again, and an
        # attribute set to its own value still sends the unit of work through a flush.
        if getattr(contact, name) != value:
            setattr(contact, name, value)


@cache
def matching_contacts(phone: bool, email: bool) -> Select[tuple[FamilyContact]]:
    """Records with the phone (bindparam "phone") or the email ("email"), oldest first."""
    # Built once for each way of being reached: every registration and walk-in asks this.
    conditions = []
    if phone:
        conditions.append(FamilyContact.phone == bindparam("phone"))
    if email:
        conditions.append(FamilyContact.email == bindparam("email"))
    return select(FamilyContact).where(or_(*conditions)).order_by(FamilyContact.id)
