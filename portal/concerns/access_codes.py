"""Case references (FCS-2026-004217) and the secret access codes that go with them."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from portal.concerns.models import ReferenceCounter
from portal.extensions import db

# Crockford's base32: no I, L, O or U, so that a code read aloud or copied by hand survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_BITS = 140  # 28 characters of 5 bits: more than the 128 bits SECURITY.md asks for
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
REFERENCE = re.compile(r"^FCS-(\d{4})-(\d{6})$")


def next_reference(year: int) -> str:
    """The next case reference of the year; unique under concurrency on both engines."""
    for _ in range(3):
        with db.session.begin_nested():
            value = db.session.scalar(
                update(ReferenceCounter)
                .where(ReferenceCounter.year == year)
                .values(last_value=ReferenceCounter.last_value + 1)
                .returning(ReferenceCounter.last_value)
            )
        if value is not None:
            return f"FCS-{year}-{value:06d}"
        try:
            with db.session.begin_nested():
                db.session.execute(insert(ReferenceCounter).values(year=year, last_value=1))
            return f"FCS-{year}-{1:06d}"
        except IntegrityError:
            continue  # another request created the year's counter first; take the next value
    raise RuntimeError("could not allocate a case reference")


def normalize_reference(raw: str) -> str:
    """'fcs 2026 4217' or 'FCS-2026-004217' → 'FCS-2026-004217'; '' when it cannot be one."""
    digits = re.sub(r"[^0-9]", "", raw or "")
    if len(digits) < 5 or len(digits) > 10:
        return ""
    year, number = digits[:4], digits[4:]
    return f"FCS-{year}-{int(number):06d}"


def new_salt() -> str:
    return secrets.token_hex(16)


def derive_code(secret_key: str, reference: str, salt: str) -> str:
    """The access code for a case: the same for a retried submit, new after a re-issue."""
    digest = hmac.new(
        secret_key.encode(), f"access:{reference}:{salt}".encode(), hashlib.sha256
    ).digest()
    number = int.from_bytes(digest, "big") >> (256 - CODE_BITS)
    chars = []
    for _ in range(CODE_BITS // 5):
        chars.append(ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def format_code(code: str) -> str:
    """'ABCD-EFGH-...': seven groups of four that a person can copy or read aloud."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize_code(raw: str) -> str:
    """What a family typed, with spaces, dashes, case and look-alike letters forgiven."""
    cleaned = re.sub(r"[\s\-]", "", (raw or "").upper()).translate(_CONFUSABLE)
    return cleaned if len(cleaned) == CODE_BITS // 5 and set(cleaned) <= set(ALPHABET) else ""


def hash_code(code: str) -> str:
    # The code carries 130 random bits, so a fast hash is enough: nothing to brute-force offline.
    return hashlib.sha256(code.encode()).hexdigest()


def code_matches(stored_hash: str, typed: str) -> bool:
    code = normalize_code(typed)
    return bool(code) and hmac.compare_digest(stored_hash, hash_code(code))
