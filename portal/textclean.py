"""Cleaning what people type before it is validated or stored."""

from __future__ import annotations

import re
import unicodedata

# Control characters (NUL and friends) and invisible direction overrides, but not \t \n \r.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: object) -> object:
    """A WTForms filter: NFC-normalised text without control characters or stray spaces."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    return _UNWANTED.sub("", value).strip()


def clean_line(value: object) -> object:
    """Like clean_text, for one-line fields: runs of white space become one space."""
    value = clean_text(value)
    return re.sub(r"\s+", " ", value) if isinstance(value, str) else value


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching names: 'cesar chavez' finds César."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
