"""Fresh, migrated databases for tests: a copied SQLite file or a PostgreSQL database from a template."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from hub.migrate import upgrade_sync

TEMPLATE_DB = "hub_template"


def make_sqlite_template(directory: Path) -> Path:
    template = directory / "template.sqlite3"
    upgrade_sync(f"sqlite:///{template}")
    return template


def fresh_sqlite(template: Path, directory: Path) -> str:
    target = directory / f"hub-{uuid.uuid4().hex[:8]}.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


async def _admin_execute(server_url: str, *statements: str) -> None:
    url = make_url(server_url)
    conn = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, database=url.database
    )
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name, drivername="postgresql+asyncpg").render_as_string(False)


def make_postgres_template(server_url: str) -> None:
    asyncio.run(
        _admin_execute(
            server_url,
            f"DROP DATABASE IF EXISTS {TEMPLATE_DB}",
            f"CREATE DATABASE {TEMPLATE_DB} TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
        )
    )
    upgrade_sync(_database_url(server_url, TEMPLATE_DB))


async def fresh_postgres(server_url: str) -> str:
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    await _admin_execute(server_url, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}")
    return _database_url(server_url, name)


async def drop_postgres(server_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    await _admin_execute(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
