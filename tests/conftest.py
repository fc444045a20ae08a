"""Shared fixtures: every test that takes `db` runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from hub.db import Database, connect
from tests.support import databases
from tests.support.postgres import PostgresUnavailable, postgres_server

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.make_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server with a migrated template. Missing PostgreSQL fails in CI, skips loudly elsewhere."""
    external = os.environ.get("HUB_TEST_POSTGRES_URL")
    try:
        if external:
            databases.make_postgres_template(external)
            yield external
            return
        with postgres_server() as url:
            databases.make_postgres_template(url)
            yield url
    except PostgresUnavailable as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"PostgreSQL unavailable here (CI would fail): {exc}")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield databases.fresh_sqlite(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    import asyncio

    server = request.getfixturevalue("postgres_url")
    url = asyncio.run(databases.fresh_postgres(server))
    yield url
    asyncio.run(databases.drop_postgres(server, url))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = connect(database_url)
    yield database
    await database.dispose()
