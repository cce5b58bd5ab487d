"""Bulk loading: COPY on PostgreSQL, executemany in one transaction on SQLite, timed per table.

Rows arrive as tuples of plain Python values (ints, strings, booleans, None, dates and aware
UTC datetimes, JSON already serialised) from generators, so that two million cases never sit
in memory as objects. Every table is written inside the caller's transaction: a failure leaves
nothing behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice

from sqlalchemy import Connection, Date, DateTime, Table, func, select, text

CHUNK = 20_000

# progress(label, expected rows) -> a context manager giving update(rows done since last call)
Progress = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


@contextmanager
def no_progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    yield lambda done: None


@dataclass
class TableLoad:
    rows: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class Loaded:
    """Rows written per table and the time each took (generation and writing together)."""

    tables: dict[str, TableLoad] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)  # seconds of work that writes no rows

    def add(self, name: str, rows: int, seconds: float) -> None:
        entry = self.tables.setdefault(name, TableLoad())
        entry.rows += rows
        entry.seconds += seconds

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables.values())


class BulkLoader:
    """Writes generated rows into tables of the connection's database, as fast as it allows."""

    def __init__(self, connection: Connection, progress: Progress = no_progress) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self.progress = progress
        self.loaded = Loaded()

    @property
    def postgresql(self) -> bool:
        return self.dialect == "postgresql"

    def next_id(self, table: Table) -> int:
        """The first id free for explicit ids: rows are numbered here, not by the sequence."""
        return (self.connection.scalar(select(func.max(table.c.id))) or 0) + 1

    def load(
        self,
        table: Table,
        columns: Sequence[str],
        rows: Iterable[tuple],
        *,
        expected: int,
        label: str | None = None,
    ) -> int:
        started = time.perf_counter()
        with self.progress(label or table.name, expected) as update:
            if self.postgresql:
                count = self._copy(table, columns, rows, update)
            else:
                count = self._insert(table, columns, rows, update)
        self.loaded.add(table.name, count, time.perf_counter() - started)
        return count

    def _copy(self, table: Table, columns: Sequence[str], rows: Iterable[tuple], update) -> int:
        quote = self.connection.dialect.identifier_preparer.quote
        statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        raw = self.connection.connection.driver_connection
        count = 0
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            iterator = iter(rows)
            while chunk := list(islice(iterator, CHUNK)):
                for row in chunk:
                    copy.write_row(row)
                count += len(chunk)
                update(len(chunk))
        return count

    def _insert(self, table: Table, columns: Sequence[str], rows: Iterable[tuple], update) -> int:
        convert = _sqlite_converters(table, columns)
        # Table and column names come from the models, never from input.
        names, marks = ", ".join(columns), ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608
        raw = self.connection.connection.driver_connection
        count = 0
        iterator = iter(rows)
        while chunk := list(islice(iterator, CHUNK)):
            raw.executemany(
                statement,
                [
                    tuple(f(v) if f else v for f, v in zip(convert, row, strict=True))
                    for row in chunk
                ],
            )
            count += len(chunk)
            update(len(chunk))
        return count

    def reset_sequences(self, tables: Iterable[Table]) -> None:
        """Move each id sequence past the ids written, so the portal's own inserts follow on."""
        if not self.postgresql:
            return  # SQLite's rowid continues from the largest id by itself
        for table in tables:
            # The table name comes from the models, never from input.
            largest = f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}"  # noqa: S608
            self.connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence(:table, 'id'), ({largest}), false)"),
                {"table": table.name},
            )

    @contextmanager
    def indexes_rebuilt_after(self, tables: Sequence[Table]) -> Iterator[None]:
        """Load without secondary indexes and foreign keys, then build them back, validated.

        What `pg_restore` does: maintaining a dozen B-trees and firing a foreign-key trigger
        for each of millions of rows costs far more than one sorted build per index at the end.
        The definitions are read from the catalog, so what comes back is exactly what was
        there; re-adding a unique or foreign-key constraint checks every row, and all of it
        happens in the caller's transaction (a failure leaves the schema as it was).
        """
        if not self.postgresql:
            yield
            return
        names = [t.name for t in tables]
        constraints = self.connection.execute(
            text(
                "SELECT c.conrelid::regclass::text, c.conname, c.contype, "
                "pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.conrelid = ANY(CAST(:tables AS regclass[])) AND c.contype IN ('f', 'u') "
                "ORDER BY c.contype, c.conname"
            ),
            {"tables": names},
        ).all()
        indexes = self.connection.execute(
            text(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = ANY(CAST(:tables AS regclass[])) "
                "AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))"
            ),
            {"tables": names},
        ).all()
        quote = self.connection.dialect.identifier_preparer.quote
        for table, name, _, _ in constraints:
            self.connection.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _ in indexes:
            self.connection.exec_driver_sql(f"DROP INDEX {name}")
        yield
        started = time.perf_counter()
        self.connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        steps = len(indexes) + len(constraints)
        with self.progress("indexes and constraints", steps) as update:
            for _, definition in indexes:
                self.connection.exec_driver_sql(definition)
                update(1)
            # Unique constraints first; the foreign keys point at primary keys, never dropped.
            for table, name, _, definition in sorted(constraints, key=lambda c: c[2] != "u"):
                self.connection.exec_driver_sql(
                    f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}"
                )
                update(1)
        self.loaded.steps["indexes and constraints"] = time.perf_counter() - started


def _sqlite_datetime(value: datetime | None) -> str | None:
    # The format SQLAlchemy's SQLite DateTime writes and reads back, in UTC like UTCDateTime.
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_converters(table: Table, columns: Sequence[str]) -> list[Callable | None]:
    converters: list[Callable | None] = []
    for name in columns:
        column_type = table.c[name].type
        impl = getattr(column_type, "impl", column_type)
        if isinstance(impl, DateTime):
            converters.append(_sqlite_datetime)
        elif isinstance(impl, Date):
            converters.append(_sqlite_date)
        else:
            converters.append(None)
    return converters
