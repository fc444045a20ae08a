"""Request hygiene on /graphql: body cap, no batches, the 5 s timeout; each a clear JSON error."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
from starlette.types import Receive, Scope, Send

from hub.db import Database
from hub.limits.middleware import GuardMiddleware
from hub.limits.policy import MAX_BODY_BYTES
from tests.limits.support import hub_http
from tests.support.server import serve_asgi


def padded_body(size: int) -> bytes:
    """A valid request of exactly `size` bytes (spaces inside the query are insignificant)."""
    shell = json.dumps({"query": "{ __typename }"}).encode()
    return shell.replace(b'}"}', b"}" + b" " * (size - len(shell)) + b'"}')


async def test_body_cap_and_batching(lite: Database, tmp_path: Path) -> None:
    async with hub_http(lite, tmp_path) as http:
        headers = {"content-type": "application/json"}
        at_cap = await http.post("/graphql", content=padded_body(MAX_BODY_BYTES), headers=headers)
        over = await http.post("/graphql", content=padded_body(MAX_BODY_BYTES + 1), headers=headers)
        batch = await http.post(
            "/graphql", json=[{"query": "{ __typename }"}, {"query": "{ areas { slug } }"}], headers=headers
        )
    assert at_cap.status_code == 200 and at_cap.json()["data"] == {"__typename": "Query"}
    assert over.status_code == 413
    assert over.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert "64 KiB" in over.json()["errors"][0]["message"]
    assert batch.status_code == 400
    assert batch.json()["errors"][0]["extensions"]["code"] == "BATCHING_DISABLED"
    assert "하나씩" in batch.json()["errors"][0]["message"]


def test_streamed_oversized_body_is_refused_over_real_http(sqlite_template: Path, tmp_path: Path) -> None:
    from hub.app import create_app
    from hub.db import connect
    from tests.support import databases
    from tests.support.graph import settings_for

    url = databases.fresh_sqlite(sqlite_template, tmp_path)
    app = create_app(settings_for(url, tmp_path), db=connect(url))

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 8192  # 160 KiB without a content-length

    with serve_asgi(app) as base:
        response = httpx.post(
            f"{base}/graphql", content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413


async def test_slow_requests_end_at_the_timeout_with_a_clear_error() -> None:
    async def slow_graph(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(5)

    guarded = GuardMiddleware(slow_graph, timeout=0.05)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=guarded), base_url="http://hub.test"
    ) as http:
        response = await http.post("/graphql", json={"query": "{ feed { edges { cursor } } }"})
    assert response.status_code == 504
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert "5초" in response.json()["errors"][0]["message"]
