"""`Database.run_read`: one snapshot per read, every write seen by the next read, failures leave the
connection usable. On SQLite these reads run on a connection kept for the event loop; on PostgreSQL in a
REPEATABLE READ transaction."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.util import await_only

from hub.db import Database, async_url, connect
from hub.models import Area
from tests.support import databases

_AREA = Area.__table__  # type: ignore[attr-defined]


def _names(connection: Connection) -> list[str]:
    """As the hot reads do (`hub.services.prepared`): on SQLite straight on the driver's connection."""
    if connection.dialect.name == "sqlite":
        driver = connection.connection.dbapi_connection
        assert driver is not None
        return [row[0] for row in driver.execute("SELECT name FROM area ORDER BY id")]
    return [row[0] for row in connection.execute(select(_AREA.c.name).order_by(_AREA.c.id))]


async def _rename(db: Database, slug: str, name: str) -> None:
    async with db.write() as session:
        await session.execute(
            text("UPDATE area SET name = :name WHERE slug = :slug"), {"name": name, "slug": slug}
        )


async def test_each_read_sees_the_writes_committed_before_it(db: Database) -> None:
    before = await db.run_read(_names)
    await _rename(db, "youth", "청년 활동")
    after = await db.run_read(_names)
    assert "청년" in before and "청년 활동" not in before
    assert "청년 활동" in after, "a kept connection must not keep serving its old snapshot"


async def test_one_sqlite_read_is_one_snapshot_while_another_connection_writes(
    sqlite_template: Path, tmp_path: Path
) -> None:
    # SQLite only: PostgreSQL's reads run at its default READ COMMITTED.
    path = databases.fresh_sqlite(sqlite_template, tmp_path).split("///", 1)[1]
    db = connect(f"sqlite:///{path}")
    async with db.read() as connection:  # the hub's engines put the file in WAL mode when they connect
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"

    def read_twice_around_a_write(connection: Connection) -> tuple[list[str], list[str]]:
        first = _names(connection)
        other = sqlite3.connect(path, isolation_level=None, timeout=10)
        try:
            other.execute("UPDATE area SET name = '문화 예술' WHERE slug = 'culture'")
        finally:
            other.close()
        return first, _names(connection)

    try:
        first, second = await db.run_read(read_twice_around_a_write)
        assert first == second, "both statements of one read see the same snapshot"
        assert "문화 예술" in await db.run_read(_names)
    finally:
        await db.dispose()


async def test_one_postgresql_read_is_one_snapshot_while_another_connection_writes(postgres_url: str) -> None:
    url = await databases.fresh_postgres(postgres_url)
    db, other = connect(url), create_async_engine(async_url(url))

    async def rename_elsewhere() -> None:
        async with other.begin() as connection:
            await connection.execute(text("UPDATE area SET name = '문화 예술' WHERE slug = 'culture'"))

    def read_twice_around_a_write(connection: Connection) -> tuple[list[str], list[str]]:
        first = _names(connection)
        await_only(rename_elsewhere())  # `work` runs on the async connection's greenlet bridge
        return first, _names(connection)

    try:
        first, second = await db.run_read(read_twice_around_a_write)
        assert first == second, "both statements of one read see the same snapshot"
        assert "문화 예술" not in second
        assert "문화 예술" in await db.run_read(_names)
    finally:
        await other.dispose()
        await db.dispose()
        await databases.drop_postgres(postgres_url, url)


async def test_a_failed_read_leaves_nothing_open_and_the_next_read_works(db: Database) -> None:
    def fails(connection: Connection) -> Any:
        _names(connection)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await db.run_read(fails)
    # A read that stayed open would hold SQLite's WAL snapshot and keep this write from being seen.
    await _rename(db, "civic", "시민 참여")
    assert "시민 참여" in await db.run_read(_names)


async def test_a_read_that_uses_the_driver_and_sqlalchemy_together(db: Database) -> None:
    def mixed(connection: Connection) -> tuple[int, int]:
        through_sqlalchemy = connection.execute(text("SELECT count(*) FROM area")).scalar_one()
        if db.is_sqlite:
            driver = connection.connection.dbapi_connection
            assert driver is not None
            through_driver = driver.execute("SELECT count(*) FROM area").fetchone()[0]
        else:
            through_driver = through_sqlalchemy
        return through_sqlalchemy, through_driver

    for _ in range(3):  # the kept connection's transaction ends every time
        assert await db.run_read(mixed) == (5, 5)
    await _rename(db, "culture", "문화 도시")
    assert "문화 도시" in await db.run_read(_names)
