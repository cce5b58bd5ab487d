"""What every figure returns: named columns and rows, the same for the chart, table and CSV."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SMALL = 10  # analysts see any count under this as "fewer than 10"
# A value with no meaning here: a rate of nothing (no one expected, no meeting held), homework
# where a programme sets none. Never None, which means "fewer than 10": an empty cell, no bar.
NOT_APPLICABLE = ""


@dataclass(frozen=True)
class Table:
    """Rows under stable snake_case column keys; the Dash side translates the headers."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


def count(value: int | None, suppress: bool) -> int | None:
    """A count as shown: None (fewer than 10) for analysts when it is small."""
    if value is None:
        return None
    value = int(value)
    return None if suppress and value < SMALL else value


def part(value: int | None, whole: int | None, suppress: bool) -> int | None:
    """A count shown beside the whole it is part of (resolved of cases): for analysts hidden
    when small, and also when what it leaves of the whole is (124 cases, 122 resolved: the
    2 unresolved would be a subtraction away)."""
    if value is None:
        return None
    if suppress and whole is not None and int(whole) - int(value) < SMALL:
        return None
    return count(value, suppress)


def rate(numerator: int, denominator: int, suppress: bool) -> float | str | None:
    """numerator / denominator; None when it would reveal a small count (a rate beside a
    hidden count would give the count back, so would one whose complement is small, and
    "nothing to divide" would say it is 0); otherwise NOT_APPLICABLE when there is nothing
    to divide."""
    small_part = numerator < SMALL or denominator - numerator < SMALL
    if suppress and (denominator < SMALL or small_part):
        return None
    if not denominator:
        return NOT_APPLICABLE
    return numerator / denominator


def table(columns: Iterable[str], rows: Iterable[tuple[Any, ...]]) -> Table:
    return Table(tuple(columns), list(rows))


def small(value: int | None, suppress: bool) -> int | None:
    """The attendance figures' name for `count`."""
    return count(value, suppress)
