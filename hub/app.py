"""The Starlette application: /graphql, /healthz, /readyz, CORS, request ids and access logs.

With `hub/cli.py` this is the composition root: the only hub modules that import `schema`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from hub.db import Database, connect
from hub.errors import DatabaseUnavailable
from hub.logs import request_id_var
from hub.migrate import head_revision, is_current
from hub.scheduler import Scheduler
from hub.settings import Settings
from hub.sync.registry import SYNCERS
from hub.web import web_routes
from schema import schema
from schema.context import Context
from schema.loaders import Loaders

logger = logging.getLogger("hub.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Take a sane `X-Request-Id` or make one; echo it; log one access line per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if scope["type"] == "http" and scope["path"] not in {"/healthz"}:
                logger.info(
                    "%s %s %s",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={"status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 2)},
                )
            request_id_var.reset(token)


class HubGraphQL(GraphQL[Context, None]):
    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.is_dev else None)
        self.db = db
        self.zone = settings.zone

    def encode_json(self, data: object) -> bytes:
        # orjson: faster than the stdlib, and Korean text leaves as UTF-8 rather than \\u escapes.
        return orjson.dumps(data)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return Context(
            request=request,
            response=response,
            db=self.db,
            zone=self.zone,
            loaders=Loaders.create(self.db),
            request_id=request.scope.get("state", {}).get("request_id", ""),
        )


def create_app(settings: Settings, *, db: Database | None = None) -> Starlette:
    database = db or connect(settings.database_url)
    graphql = HubGraphQL(database, settings)

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> JSONResponse:
        try:
            current = await is_current(database)
        except DatabaseUnavailable as exc:
            return JSONResponse({"status": "unavailable", "reason": exc.message}, status_code=503)
        if not current:
            return JSONResponse(
                {
                    "status": "unavailable",
                    "reason": "마이그레이션이 필요합니다 (hub db upgrade) / "
                    f"migrations are behind head {head_revision()}",
                },
                status_code=503,
            )
        return JSONResponse({"status": "ready"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        polling = None
        if settings.scheduler:
            scheduler = Scheduler(database, settings, SYNCERS)
            polling = asyncio.create_task(scheduler.run_forever(stop), name="hub-scheduler")
        try:
            yield
        finally:
            stop.set()
            if polling is not None:
                await polling
            await database.dispose()

    middleware = [Middleware(RequestIdMiddleware)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["content-type", "authorization", "x-request-id"],
                expose_headers=["x-request-id"],
                max_age=600,
            )
        )
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *web_routes(database, settings),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.db = database
    return app
