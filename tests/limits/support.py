"""A hub app on an SQLite copy of the migrated template, for tests that exercise HTTP limits only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from hub.app import create_app
from hub.auth.roles import Role
from hub.db import Database, connect
from hub.services import accounts
from tests.support import databases
from tests.support.graph import settings_for

SECRET = "s" * 40


@asynccontextmanager
async def sqlite_db(template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    db = connect(databases.fresh_sqlite(template, tmp_path))
    try:
        yield db
    finally:
        await db.dispose()


@asynccontextmanager
async def hub_http(db: Database, tmp_path: Path, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for(db.url, tmp_path, **overrides), db=db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as http:
        yield http


async def staff_token(db: Database) -> str:
    user = await accounts.add_user(
        db,
        email="admin@namwon.example",
        name="남원 운영자",
        role=Role.ADMIN,
        password="연결허브-비밀번호-2026",
    )
    return (await accounts.open_session(db, user)).access_token


async def graphql(http: httpx.AsyncClient, query: str, token: str | None = None, **variables: Any) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    return response.json()
