"""Live updates over graphql-transport-ws: published items reach subscribers within a second, only after
commit, filtered like the feed; with PostgreSQL across processes (LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect

from hub.app import create_app
from hub.db import Database
from hub.db import connect as connect_db
from hub.ingest.pipeline import ingest_in_session, ingest_post
from hub.services.organisations import add_organisation
from tests.support import databases
from tests.support.factories import post
from tests.support.graph import settings_for
from tests.support.server import free_port, serve_asgi

SUBSCRIBE = """subscription($filter: FeedFilter) {
  feedItemPublished(filter: $filter) { title area { slug } organisation { name } } }"""
ROOT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def subscription(base: str, variables: dict[str, Any]) -> AsyncIterator[ClientConnection]:
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(orjson.dumps({"type": "connection_init"}).decode())
        assert orjson.loads(await ws.recv())["type"] == "connection_ack"
        message = {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": variables}}
        await ws.send(orjson.dumps(message).decode())
        await asyncio.sleep(0.3)  # let the server register the subscription
        yield ws


async def next_message(ws: ClientConnection, within: float = 1.0) -> dict[str, Any]:
    message: dict[str, Any] = orjson.loads(await asyncio.wait_for(ws.recv(), within))
    return message


async def nothing_arrives(ws: ClientConnection, within: float = 0.5) -> bool:
    try:
        await asyncio.wait_for(ws.recv(), within)
    except TimeoutError:
        return True
    return False


async def test_published_items_reach_matching_subscribers_within_a_second(
    db: Database, tmp_path: Path
) -> None:
    youth = await add_organisation(db, slug="namwon-youth", name="남원청년네트워크", area_slug="youth")
    culture = await add_organisation(db, slug="namwon-culture", name="남원문화도시센터", area_slug="culture")
    with serve_asgi(create_app(settings_for(db.url, tmp_path))) as base:
        async with subscription(base, {"filter": {"areas": ["youth"], "text": "공연"}}) as ws:
            await ingest_post(db, culture, post(1, title="송년 국악 공연", body="국악 공연 안내"))
            await ingest_post(db, youth, post(2, title="청년 모임", body="보드게임 모임"))
            await ingest_post(
                db, youth, post(3, title="회원 공연 홍보", body="공연 보러 오세요", staff=False)
            )
            started = time.monotonic()
            await ingest_post(db, youth, post(4, title="청년 버스킹 공연", body="광한루원 앞 버스킹 공연"))
            message = await next_message(ws)
            elapsed = time.monotonic() - started
            # An update of an item already announced is not a new publication.
            await ingest_post(db, youth, post(4, title="청년 버스킹 공연 (장소 변경)", body="공연 장소 변경"))
            quiet = await nothing_arrives(ws)
    assert message["type"] == "next", message
    assert message["payload"]["data"]["feedItemPublished"] == {
        "title": "청년 버스킹 공연",
        "area": {"slug": "youth"},
        "organisation": {"name": "남원청년네트워크"},
    }
    assert elapsed < 1.0
    assert quiet


async def test_nothing_is_announced_before_commit_or_after_rollback(db: Database, tmp_path: Path) -> None:
    youth = await add_organisation(db, slug="namwon-youth", name="남원청년네트워크", area_slug="youth")
    with serve_asgi(create_app(settings_for(db.url, tmp_path))) as base:
        async with subscription(base, {}) as ws:
            try:
                async with db.write() as session:
                    await ingest_in_session(session, youth, post(1, title="되돌려질 글"))
                    raise RuntimeError("the caller's cursor update failed")
            except RuntimeError:
                pass
            rolled_back_quiet = await nothing_arrives(ws)
            async with db.write() as session:
                await ingest_in_session(session, youth, post(2, title="함께 커밋된 글"))
                await session.flush()
                before_commit_quiet = await nothing_arrives(ws, within=0.3)
            message = await next_message(ws)
    assert rolled_back_quiet and before_commit_quiet
    assert message["payload"]["data"]["feedItemPublished"]["title"] == "함께 커밋된 글"


async def test_a_bad_filter_ends_the_subscription_with_an_error(db: Database, tmp_path: Path) -> None:
    with serve_asgi(create_app(settings_for(db.url, tmp_path))) as base:
        async with subscription(base, {"filter": {"text": "  "}}) as ws:
            message = await next_message(ws)
            end = await next_message(ws)
    # Execution errors arrive as a `next` with errors, then the server completes the subscription.
    assert message["type"] == "next" and message["payload"]["data"] is None
    error = message["payload"]["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "검색어가 비어 있습니다" in error["message"]
    assert end == {"id": "1", "type": "complete"}


async def test_postgres_delivers_across_hub_processes(postgres_url: str, tmp_path: Path) -> None:
    """A subscriber on a separate `hub serve` process hears an item this process ingests (LISTEN/NOTIFY)."""
    url = await databases.fresh_postgres(postgres_url)
    db = connect_db(url)
    port = free_port()
    env = {
        **os.environ,
        "HUB_DATABASE_URL": url,
        "HUB_SCHEDULER": "false",
        "HUB_VAR_DIR": str(tmp_path / "var"),
        "HUB_LOG_JSON": "false",
        "HUB_LOG_LEVEL": "WARNING",
    }
    server = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "hub"),
        "serve",
        "--port",
        str(port),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                try:
                    if (await http.get(f"{base}/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.returncode is not None:
                    stderr = await server.stderr.read() if server.stderr else b""
                    raise AssertionError(f"hub serve stopped: {stderr.decode()}")
                await asyncio.sleep(0.05)
        youth = await add_organisation(db, slug="namwon-youth", name="남원청년네트워크", area_slug="youth")
        async with subscription(base, {"filter": {"areas": ["youth"]}}) as ws:
            started = time.monotonic()
            await ingest_post(db, youth, post(1, title="다른 프로세스에서 올린 청년 공지"))
            message = await next_message(ws)
            elapsed = time.monotonic() - started
    finally:
        if server.returncode is None:
            server.terminate()
        await asyncio.wait_for(server.wait(), 10)
        await db.dispose()
        await databases.drop_postgres(postgres_url, url)
    assert message["payload"]["data"]["feedItemPublished"]["title"] == "다른 프로세스에서 올린 청년 공지"
    assert elapsed < 1.0
