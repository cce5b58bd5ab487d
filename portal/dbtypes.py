"""Column types shared by every feature's models."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ColumnElement, Enum, func


def str_enum(enum: type[StrEnum], name: str, length: int = 32) -> Enum:
    """A string enum stored as its values in a VARCHAR with a CHECK, the same on every engine.

    Adding a member later is a migration that alters one CHECK constraint, not a native type.
    """
    return Enum(
        enum,
        native_enum=False,
        length=length,
        create_constraint=True,
        name=name,
        values_callable=lambda members: [m.value for m in members],
    )


def contains(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """Case-insensitive "column contains text", with % and _ in the text taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")
