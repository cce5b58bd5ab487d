"""The one result shape every figure returns: the chart, the table and the CSV share it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SMALL = 10  # counts under this are suppressed for analysts (SPEC.md §5)


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


def small(value: int | None, suppress: bool) -> int | None:
    """A count, or None when it is under 10 and the viewer sees aggregates only."""
    if value is None:
        return None
    return None if suppress and value < SMALL else value


def rate(part: int | None, whole: int | None, suppress: bool) -> float | None:
    """part / whole as a fraction, None when there is nothing (or too little) to divide by."""
    if not whole or part is None:
        return None
    if suppress and (whole < SMALL or part < SMALL):
        # A rate over a shown total would give a hidden part back: hide both ways.
        return None
    return round(part / whole, 4)
