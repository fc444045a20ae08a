"""Database engines for SQLite (embedded default) and PostgreSQL (at scale).

SQLite: WAL so readers never block the writer, a busy timeout instead of instant "database is locked",
foreign keys on, and writers open with `BEGIN IMMEDIATE` so two writers queue up front instead of
failing when a read transaction tries to upgrade. Readers and writers get separate engines for that.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
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
# Threads that run whole SQLite reads (`Database.run_read`); sqlite3 releases the GIL while it steps.
SQLITE_READ_THREADS = 4

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
    """A plain pysqlite engine for `run_read`: its connections move between the read threads."""
    sync_url = make_url(url).set(drivername="sqlite+pysqlite")
    engine = create_engine(
        sync_url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        pool_size=SQLITE_READ_THREADS,
    )
    _configure_sqlite(engine, immediate=False)
    return engine


def _configure_sqlite(engine: Engine, *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    begin_sql = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin_sql)


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
    # SQLite only: whole reads run in a thread with the sync driver (see `run_read`).
    sync_reader: Engine | None = field(default=None, compare=False, repr=False)
    _read_threads: ThreadPoolExecutor | None = field(default=None, compare=False, repr=False)

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

        For hot read paths that issue several statements: on SQLite the whole of `work` runs in one
        hop to a read thread with the sync driver, instead of one hop to aiosqlite's thread per
        statement and fetch (each ≈ 0.1 ms). On PostgreSQL it runs on the async connection's
        greenlet bridge, so the same `work` serves both.
        """
        if self.sync_reader is None or self._read_threads is None:
            async with self.reader.connect() as connection:
                return await connection.run_sync(_in_transaction, work)
        engine = self.sync_reader
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._read_threads, _read_with, engine, work)

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
        # The read threads stay: an idle pool costs nothing and a disposed engine may be used again.
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
            _read_threads=ThreadPoolExecutor(SQLITE_READ_THREADS, thread_name_prefix="hub-read"),
        )
    engine = create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
    return Database(url, engine, engine)
