"""Statements built once and run many times with new values: the public feed's hot reads.

SQLite answers a page of 20 in ~0.1 ms; SQLAlchemy spends ~1 ms around it (building the statement, its
cache key, the execution context, the result rows). A `Prepared` keeps one statement whose values are
all named bind parameters. On SQLite it runs the statement's SQL text on the driver's cursor with
positional values and converts the columns as SQLAlchemy would; on PostgreSQL it hands the same
statement to SQLAlchemy, whose compiled cache it hits (the cache key is memoised on the statement).
Both give rows of the same Python values, read by position.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, Column, Connection, Integer, String, Table, bindparam, func, select
from sqlalchemy import column as sql_column
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement, ColumnElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from hub.types import JSONDocument, UTCDateTime

Row = Sequence[Any]


def record_columns(table: Table, record: type) -> list[Column[Any]]:
    """The table's columns named by the record's fields, in field order (what `from_values` reads)."""
    return [table.c[f.name] for f in fields(record)]


class _IdArray(TypeDecorator[Sequence[int]]):
    """A list of ids sent as one JSON array, written by orjson (the stdlib encoder costs ~5 µs a list)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Sequence[int] | None, dialect: Dialect) -> str | None:
        return None if value is None else orjson.dumps(list(value)).decode()


def in_ids(column: ColumnElement[Any], name: str, dialect: str) -> ColumnElement[bool]:
    """`column IN (the ids given as :name)`, for a list of ids of any length. A prepared statement has
    no lists that expand, so on SQLite the list goes as one JSON array read by `json_each`."""
    if dialect == "sqlite":
        listed = func.json_each(bindparam(name, type_=_IdArray)).table_valued(sql_column("value", Integer))
        found: ColumnElement[bool] = column.in_(select(listed.c.value))
        return found
    expanding: ColumnElement[bool] = column.in_(bindparam(name, expanding=True))
    return expanding


_parse_iso = datetime.fromisoformat


def _utc_from_sqlite(value: str | None) -> datetime | None:
    """`UTCDateTime` as read on SQLite (naive UTC text, see hub/types.py), without `replace()`, which
    costs five times the parse: a page reads about a hundred of them."""
    if value is None:
        return None
    try:
        return _parse_iso(value + "+00:00")
    except ValueError:  # text with its own offset: what `UTCDateTime` does with it
        parsed = _parse_iso(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _result_converter(type_: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    if isinstance(type_, UTCDateTime):
        return _utc_from_sqlite
    process = type_.dialect_impl(dialect).result_processor(dialect, None)
    if process is not None and isinstance(type_, JSONDocument | JSON):
        parse_json = process

        def process(value: Any) -> Any:
            # Most items have no images and no tags: no parse for an empty list.
            return [] if value == "[]" else parse_json(value)

    return process


@dataclass(frozen=True, slots=True)
class _SQLiteForm:
    sql: str
    # Per position: the value's name (None for a constant of the statement), the constant, the bind
    # processor (None when the value goes to the driver as it is).
    slots: tuple[tuple[str | None, Any, Callable[[Any], Any] | None], ...]
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, result processor)

    @classmethod
    def compile(cls, statement: ClauseElement, dialect: Dialect) -> _SQLiteForm:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
        # Expanding parameters (`in_(list)`) are rendered per execution; a prepared statement has none.
        assert "POSTCOMPILE" not in compiled.string, f"expanding parameter in {compiled.string}"
        slots: list[tuple[str | None, Any, Callable[[Any], Any] | None]] = []
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required:
                slots.append((name, None, process))
            else:
                slots.append((None, process(bind.value) if process else bind.value, None))
        columns: Sequence[Any] = getattr(statement, "selected_columns", ())
        converters = tuple(
            (index, converter)
            for index, column in enumerate(columns)
            if (converter := _result_converter(column.type, dialect)) is not None
        )
        return cls(compiled.string, tuple(slots), converters)

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            constant if name is None else process(values[name]) if process else values[name]
            for name, constant, process in self.slots
        )

    def convert(self, rows: list[Any]) -> list[Any]:
        if not self.converters:
            return rows
        converted: list[Any] = []
        for raw in rows:
            row = list(raw)
            for index, converter in self.converters:
                row[index] = converter(row[index])
            converted.append(row)
        return converted


class Prepared:
    """One statement, every value a named bind parameter; run it with `rows(connection, values)`."""

    __slots__ = ("_sqlite", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._sqlite: _SQLiteForm | None = None

    def rows(self, connection: Connection, values: Mapping[str, Any]) -> Sequence[Row]:
        """The result rows, by position; a value missing from `values` fails on both databases."""
        if connection.dialect.name != "sqlite":
            return connection.execute(self.statement, values).all()
        form = self._sqlite
        if form is None:
            assert isinstance(self.statement, ClauseElement)
            form = self._sqlite = _SQLiteForm.compile(self.statement, connection.dialect)
        parameters = form.parameters(values)
        if (
            connection.dialect.driver != "pysqlite"  # aiosqlite's connection is not a sqlite3 one
            or connection.dispatch.before_cursor_execute
            or connection.dispatch.after_cursor_execute
        ):
            # Through SQLAlchemy's cursor, which also tells whoever listens to statements (tests count
            # them, tracing): the same SQL, the same rows.
            return form.convert(list(connection.exec_driver_sql(form.sql, parameters)))
        cursor = connection.connection.driver_connection.execute(form.sql, parameters)  # type: ignore[union-attr]
        return form.convert(cursor.fetchall())
