"""Talk to the hub's GraphQL endpoint in-process over a real ASGI request/response cycle."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from hub.app import create_app
from hub.db import Database
from hub.settings import Settings


def settings_for(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    overrides.setdefault("scheduler", False)
    return Settings(database_url=database_url, var_dir=tmp_path / "var", log_json=False, **overrides)


@dataclass
class GraphClient:
    http: httpx.AsyncClient
    token: str | None = None  # a staff access token or API key, sent as `Authorization: Bearer …`

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of a query that must succeed."""
        body = await self.post(query, variables)
        assert "errors" not in body, body.get("errors")
        result: dict[str, Any] = body["data"]
        return result


@asynccontextmanager
async def graph_client(db: Database, tmp_path: Path, **overrides: Any) -> AsyncIterator[GraphClient]:
    app = create_app(settings_for(db.url, tmp_path, **overrides), db=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        yield GraphClient(http)


@dataclass
class StatementCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_statements(db: Database) -> Iterator[StatementCounter]:
    """Count every SQL statement the readers send while the block runs (on SQLite also the sync
    reader that `Database.run_read` uses)."""
    counter = StatementCounter()

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            counter.statements.append(statement)

    engines = [db.reader.sync_engine] + ([db.sync_reader] if db.sync_reader is not None else [])
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield counter
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


async def staff_token(db: Database) -> str:
    """An access token of a fresh ADMIN account, made through the real account service."""
    from hub.auth.roles import Role
    from hub.services import accounts

    user = await accounts.add_user(
        db, email="lead@namwon.example", name="운영자", role=Role.ADMIN, password="남원-연결-허브-2026!"
    )
    issued = await accounts.open_session(db, user)
    return issued.access_token
