"""Database engines for SQLite (embedded default) and PostgreSQL (at scale).

SQLite: WAL so readers never block the writer, a busy timeout instead of instant "database is locked",
foreign keys on, and writers open with `BEGIN IMMEDIATE` so two writers queue up front instead of
failing when a read transaction tries to upgrade. Readers and writers get separate engines for that.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.errors import DatabaseUnavailable

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Connections of the sync reader (`Database.run_read`) besides the one kept for the event loop: reads
# that run in threads while this process writes.
SQLITE_READ_CONNECTIONS = 2

T = TypeVar("T")


def async_url(url: str) -> str:
    """Accept plain `sqlite:///` and `postgresql://` URLs and pick the async drivers."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.drivername in {"sqlite", "sqlite+pysqlite"}:
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in {"postgresql", "postgresql+psycopg2", "postgresql+psycopg"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_engine(url: str, *, immediate: bool) -> AsyncEngine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    _configure_sqlite(engine.sync_engine, immediate=immediate)
    return engine


def _sqlite_sync_reader(url: str) -> Engine:
    """A plain pysqlite engine for `run_read`."""
    sync_url = make_url(url).set(drivername="sqlite+pysqlite")
    engine = create_engine(
        sync_url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        pool_size=SQLITE_READ_CONNECTIONS,
    )
    # No `journal_mode=WAL` here: the other engines set it (it is kept in the file), and changing it takes a
    # lock this reader might wait for while the event loop it blocks holds the writer.
    _configure_sqlite(engine, immediate=False, set_wal=False, nested_begin=True)
    return engine


def _configure_sqlite(
    engine: Engine, *, immediate: bool, set_wal: bool = True, nested_begin: bool = False
) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if set_wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    begin_sql = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # The loop reader begins on the driver (`_LoopReader`); SQLAlchemy's own begin inside that
        # transaction (a `work` that calls `connection.execute`) joins it.
        if nested_begin and connection.connection.dbapi_connection.in_transaction:
            return
        connection.exec_driver_sql(begin_sql)


class _LoopReader:
    """The sync reader's connection kept for the reads that run on the event loop, one at a time.

    A feed page is one read; checking a connection out of the pool and SQLAlchemy's begin and commit
    cost about 0.2 ms of its 2 ms. Here the connection stays checked out, and the transaction is begun
    and ended on the driver: the same snapshot from the first statement to the last, the same isolation.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None

    def read(self, work: Callable[[Connection], T]) -> T:
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            connection = self._connection = self._engine.connect()
        driver = connection.connection.dbapi_connection
        assert driver is not None
        driver.execute("BEGIN")
        try:
            result = work(connection)
        except BaseException:
            self._end(connection, driver, commit=False)
            raise
        self._end(connection, driver, commit=True)
        return result

    def _end(self, connection: Connection, driver: Any, *, commit: bool) -> None:
        try:
            if connection.in_transaction():  # `work` used SQLAlchemy's execute, which joined ours
                (connection.commit if commit else connection.rollback)()
            if driver.in_transaction:
                driver.execute("COMMIT" if commit else "ROLLBACK")
        except BaseException:
            # A connection whose transaction would not end is not used again.
            self.close()
            raise

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.closed:
            connection.invalidate()  # its DBAPI connection is closed, not put back in the pool
            connection.close()


WRITE_QUEUE_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Database:
    """The reader and writer engines of one database (the same engine on PostgreSQL).

    On SQLite the writers of one process queue on a lock before `BEGIN IMMEDIATE`: SQLite's busy handler
    retries at random and can starve a writer, a first-come-first-served queue cannot.
    """

    url: str
    reader: AsyncEngine
    writer: AsyncEngine
    _write_queue: asyncio.Lock = field(default_factory=asyncio.Lock, compare=False, repr=False)
    # SQLite only: whole reads run with the sync driver (see `run_read`).
    sync_reader: Engine | None = field(default=None, compare=False, repr=False)
    _loop_reader: _LoopReader | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.sync_reader is not None and self._loop_reader is None:
            object.__setattr__(self, "_loop_reader", _LoopReader(self.sync_reader))

    @property
    def dialect(self) -> str:
        return self.reader.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.reader.connect() as connection:
            yield connection

    async def run_read(self, work: Callable[[Connection], T]) -> T:
        """Run `work` with a connection in one read transaction (one snapshot) and return its result.

        For hot read paths that issue several statements. On SQLite, with no write transaction open in
        this process, `work` runs right here on the event loop with the sync driver: a page's reads take
        about a millisecond, and moving them off the loop costs more than it saves. aiosqlite hops to its
        thread for every statement and fetch (≈ 0.1 ms each); a thread pool suffers the GIL convoy
        (sqlite3 releases the GIL on every row, then waits up to the 5 ms switch interval to get it back
        while the loop is busy): under 32 connections that halved throughput (80 against 140 req/s).
        While this process writes, reads go to a thread instead: a read that had to wait for that writer
        would otherwise hold the very loop the writer needs to finish. On PostgreSQL `work` runs on the
        async connection's greenlet bridge, so the same `work` serves both.
        """
        if self.sync_reader is None or self._loop_reader is None:
            async with self.reader.connect() as connection:
                # PostgreSQL's default, READ COMMITTED, gives each statement its own snapshot: a page and
                # its relations could then see different commits. A read-only REPEATABLE READ
                # transaction sees one snapshot and never fails to serialise.
                snapshot = await connection.execution_options(isolation_level="REPEATABLE READ")
                return await snapshot.run_sync(_in_transaction, work)
        if not self._write_queue.locked():
            return self._loop_reader.read(work)
        return await asyncio.to_thread(_read_with, self.sync_reader, work)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in one write transaction: committed on success, rolled back on error."""
        if not self.is_sqlite:
            async with AsyncSession(self.writer, expire_on_commit=False) as session, session.begin():
                yield session
            return
        try:
            await asyncio.wait_for(self._write_queue.acquire(), WRITE_QUEUE_TIMEOUT_SECONDS)
        except TimeoutError as exc:
            raise DatabaseUnavailable(
                "데이터베이스 쓰기가 밀려 있습니다. 잠시 후 다시 시도하세요 / "
                "The database is busy writing; retry shortly"
            ) from exc
        try:
            async with AsyncSession(self.writer, expire_on_commit=False) as session, session.begin():
                yield session
        finally:
            self._write_queue.release()

    async def dispose(self) -> None:
        await self.reader.dispose()
        if self.writer is not self.reader:
            await self.writer.dispose()
        if self._loop_reader is not None:
            self._loop_reader.close()
        if self.sync_reader is not None:
            self.sync_reader.dispose()


def _in_transaction(connection: Connection, work: Callable[[Connection], T]) -> T:
    with connection.begin():
        return work(connection)


def _read_with(engine: Engine, work: Callable[[Connection], T]) -> T:
    with engine.connect() as connection:
        return _in_transaction(connection, work)


def connect(url: str) -> Database:
    url = async_url(url)
    if url.startswith("sqlite"):
        return Database(
            url,
            _sqlite_engine(url, immediate=False),
            _sqlite_engine(url, immediate=True),
            sync_reader=_sqlite_sync_reader(url),
        )
    engine = create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
    return Database(url, engine, engine)
