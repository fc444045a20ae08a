"""The Starlette application: /graphql, /healthz, /readyz, CORS, request ids and access logs.

With `hub/cli.py` this is the composition root: the only hub modules that import `schema`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.types import ExecutionResult

from hub.broadcast import Broadcaster
from hub.db import Database, connect
from hub.errors import DatabaseUnavailable
from hub.limits.documents import TrustedDocuments
from hub.limits.middleware import hardening_middleware, read_body, replay_body
from hub.limits.ratelimit import STATE_KEY, RequestLimits
from hub.logs import request_id_var
from hub.migrate import head_revision, is_current
from hub.scheduler import Scheduler
from hub.services.accounts import authenticate
from hub.settings import Settings
from hub.sync.registry import SYNCERS
from hub.web import web_routes
from schema import schema
from schema.context import Context
from schema.documents import DOCUMENTS_DIR
from schema.extensions.limits import client_key
from schema.loaders import Loaders
from schema.planned_lane import PlannedLane

logger = logging.getLogger("hub.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SECRET_SEGMENT = re.compile(r"^(/hooks/kakao/[^/]*/)[^/]+")


def loggable_path(path: str) -> str:
    """The path with secret segments (the Kakao skill URL secret) redacted: access logs never hold them."""
    return _SECRET_SEGMENT.sub(r"\1***", path)


class RequestIdMiddleware:
    """Take a sane `X-Request-Id` or make one; echo it; log one access line per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else os.urandom(16).hex()
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
                    loggable_path(scope["path"]),
                    status,
                    extra={"status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 2)},
                )
            request_id_var.reset(token)


_LANE_KEYS = frozenset({"query", "variables", "operationName"})


def _lane_may_take(scope: Scope) -> bool:
    """Anonymous JSON: staff requests, uploads and anything else keep strawberry's whole way."""
    content_type = b""
    for key, value in scope.get("headers", ()):
        if key == b"authorization":
            return False
        if key == b"content-type":
            content_type = value
    return content_type.split(b";", 1)[0].strip().lower() == b"application/json"


class HubGraphQL(GraphQL[Context, None]):
    def __init__(self, db: Database, settings: Settings) -> None:
        # Multipart (file upload) requests: staff only, refused for anyone else in hub/limits' guard.
        super().__init__(
            schema, graphql_ide="graphiql" if settings.is_dev else None, multipart_uploads_enabled=True
        )
        self.db = db
        self.zone = settings.zone
        self.settings = settings
        self.lane = PlannedLane(schema)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and _lane_may_take(scope):
            # The guard in front has already capped the body at 64 KiB and replays it.
            body = await read_body(receive) or b""
            if await self._answer_in_lane(scope, body, send):
                return
            receive = replay_body(body, receive)
        await super().__call__(scope, receive, send)

    async def _answer_in_lane(self, scope: Scope, body: bytes, send: Send) -> bool:
        """Answer an anonymous JSON query through `schema.planned_lane`; False leaves it to strawberry."""
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return False
        if not isinstance(payload, dict) or not payload.keys() <= _LANE_KEYS:
            return False
        query, variables, operation_name = (
            payload.get("query"),
            payload.get("variables"),
            payload.get("operationName"),
        )
        if (
            not isinstance(query, str)
            or not (variables is None or isinstance(variables, dict))
            or not (operation_name is None or isinstance(operation_name, str))
        ):
            return False
        document = self.lane.admit(query, operation_name)
        if document is None:
            return False
        request = Request(scope)
        context = await self.get_context(request, None)
        answer = await self.lane.answer(document, query, variables, operation_name, context)
        if answer is None:
            return False
        limits = scope.get("state", {}).get(STATE_KEY)
        if isinstance(limits, RequestLimits):
            decision = limits.charge(client_key(context, limits), answer.points, authenticated=False)
            if not decision.allowed:
                return False  # the usual way refuses it, with its error and status
        content = orjson.dumps(answer.body)
        media_type = (
            f"{self.GRAPHQL_RESPONSE}; charset=utf-8".encode()
            if self.wants_graphql_response(request)
            else b"application/json"
        )
        headers = [(b"content-type", media_type), (b"content-length", str(len(content)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": content})
        return True

    def encode_json(self, data: object) -> bytes:
        # orjson: faster than the stdlib, and Korean text leaves as UTF-8 rather than \\u escapes.
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        # orjson's error is a json.JSONDecodeError, which strawberry turns into its 400.
        return orjson.loads(data)

    class TextFrames(ASGIWebSocketAdapter):
        """graphql-transport-ws messages go out as text frames: gateways' graphql-ws clients reject binary
        frames ("Message is missing the 'type' property"), which orjson's bytes would otherwise become."""

        async def send_json(self, message: Mapping[str, object]) -> None:
            try:
                await self.ws.send_text(self.view.encode_json_string(message))
            except WebSocketDisconnect as exc:
                raise WebSocketDisconnected from exc

    websocket_adapter_class = TextFrames

    # GraphQL over HTTP: a client that prefers `application/graphql-response+json` gets it, with 400 and no
    # `data` for a request that never executed (parse, validation, variable errors). `application/json` and
    # `*/*` keep the legacy contract: 200 with `errors`.
    GRAPHQL_RESPONSE = "application/graphql-response+json"

    @classmethod
    def wants_graphql_response(cls, request: Request | WebSocket) -> bool:
        weights: dict[str, float] = {}
        for media_range in request.headers.get("accept", "").lower().split(","):
            media_type, *params = (part.strip() for part in media_range.split(";"))
            q = next((p.removeprefix("q=") for p in params if p.startswith("q=")), "1")
            try:
                weights[media_type] = max(weights.get(media_type, 0.0), float(q))
            except ValueError:
                continue
        preferred = weights.get(cls.GRAPHQL_RESPONSE, 0.0)
        return preferred > 0 and preferred >= weights.get("application/json", 0.0)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        if self.wants_graphql_response(request):
            sub_response.media_type = self.GRAPHQL_RESPONSE
        return sub_response

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        # Errors without a path come from before execution; with a path, execution ran and `data` stays.
        never_executed = result.data is None and any(error.path is None for error in result.errors or [])
        if never_executed and self.wants_graphql_response(request):
            response.pop("data", None)
        return response

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type == self.GRAPHQL_RESPONSE:
            response.headers["content-type"] = f"{self.GRAPHQL_RESPONSE}; charset=utf-8"
            request_error = isinstance(response_data, dict) and "data" not in response_data
            if request_error and not sub_response.status_code:
                response.status_code = 400
        return response

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return Context(
            request=request,
            response=response,
            db=self.db,
            zone=self.zone,
            loaders=Loaders(self.db),
            request_id=request.scope.get("state", {}).get("request_id", ""),
            viewer=await authenticate(self.db, request.headers.get("authorization")),
            settings=self.settings,
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
        broadcaster = Broadcaster(database)
        await broadcaster.start()
        if settings.scheduler:
            scheduler = Scheduler(database, settings, SYNCERS)
            polling = asyncio.create_task(scheduler.run_forever(stop), name="hub-scheduler")
        try:
            yield
        finally:
            stop.set()
            if polling is not None:
                await polling
            await broadcaster.stop()
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
    # Body cap, timeout, rate limit, trusted documents and their cache (hub/limits): inside CORS, so
    # refusals carry CORS headers too.
    middleware.extend(
        hardening_middleware(
            documents=TrustedDocuments.load(DOCUMENTS_DIR),
            rate_limit=settings.rate_limit,
            trusted_proxies=settings.trusted_proxies,
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
