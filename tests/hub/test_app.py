"""The HTTP surface: health, readiness, CORS, request ids, GraphiQL only in dev."""

from __future__ import annotations

from pathlib import Path

import httpx

from hub.app import create_app
from hub.db import connect
from tests.support.graph import settings_for


async def test_health_readiness_request_id_and_cors(database_url: str, tmp_path: Path) -> None:
    db = connect(database_url)
    settings = settings_for(database_url, tmp_path, cors_origins=["https://namwon.example"])
    app = create_app(settings, db=db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        ready = await http.get("/readyz")
        assert ready.status_code == 200 and ready.json() == {"status": "ready"}
        traced = await http.get("/healthz", headers={"x-request-id": "abc-123"})
        assert traced.headers["x-request-id"] == "abc-123"
        hostile = await http.get("/healthz", headers={"x-request-id": "a b\tc" * 30})
        assert hostile.headers["x-request-id"] != "a b\tc" * 30
        preflight = await http.options(
            "/graphql",
            headers={"origin": "https://namwon.example", "access-control-request-method": "POST"},
        )
        assert preflight.headers["access-control-allow-origin"] == "https://namwon.example"
        other = await http.options(
            "/graphql", headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
        )
        assert "access-control-allow-origin" not in other.headers
    await db.dispose()


async def test_readiness_fails_on_an_unmigrated_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
    db = connect(url)
    app = create_app(settings_for(url, tmp_path), db=db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test") as http:
        ready = await http.get("/readyz")
    assert ready.status_code == 503
    assert "hub db upgrade" in ready.json()["reason"]
    await db.dispose()


async def test_graphiql_only_in_dev(database_url: str, tmp_path: Path) -> None:
    for env, expected in (("dev", 200), ("prod", 404)):
        db = connect(database_url)
        settings = settings_for(database_url, tmp_path, env=env, secret_key="s" * 40)
        app = create_app(settings, db=db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
        ) as http:
            page = await http.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == expected, env
        if expected == 200:
            assert "graphiql" in page.text.lower()
        await db.dispose()
