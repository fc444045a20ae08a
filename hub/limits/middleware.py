"""ASGI layers in front of `/graphql`: request guard, rate limit, trusted documents with caching.

Outermost first (as `hardening_middleware` lists them):
- `GuardMiddleware`: body ≤ 64 KiB (413), no JSON-array batches (400), 5 s for the whole request (504);
  the one exception is a GraphQL multipart upload (a Kakao export) by authenticated staff: ≤ 20 MB, 60 s;
- `RateLimitMiddleware`: who is asking (IP behind trusted proxies), refuse at once when an anonymous
  client's bucket is empty (429), and put `RateLimit-*` headers on every answer; the GraphQL extension
  charges the request's real cost through the `RequestLimits` it leaves in the scope state;
- `TrustedDocumentsMiddleware`: `GET /graphql?documentId=…` runs a stored first-party query; for
  anonymous clients the answer is public, cached in process, with an `ETag` and 304s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.db import Database
from hub.limits import errors
from hub.limits.cache import CachedResponse, ResponseCache
from hub.limits.documents import TrustedDocuments
from hub.limits.errors import Refusal
from hub.limits.freshness import data_version
from hub.limits.policy import (
    CACHE_MAX_AGE_SECONDS,
    CACHE_STALE_WHILE_REVALIDATE_SECONDS,
    EXECUTION_TIMEOUT_SECONDS,
    MAX_BODY_BYTES,
    MAX_UPLOAD_BODY_BYTES,
    UPLOAD_TIMEOUT_SECONDS,
)
from hub.limits.ratelimit import STATE_KEY, Network, RateLimiter, RequestLimits, client_ip, parse_networks
from hub.services.accounts import authenticate

GRAPHQL_PATH = "/graphql"
PUBLIC_CACHE_CONTROL = (
    f"public, max-age={CACHE_MAX_AGE_SECONDS}, stale-while-revalidate={CACHE_STALE_WHILE_REVALIDATE_SECONDS}"
).encode()
PRIVATE_CACHE_CONTROL = b"private, no-store"
NO_STORE = b"no-store"


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


def _is_graphql_http(scope: Scope, path: str) -> bool:
    return bool(scope["type"] == "http" and scope["path"] == path)


async def send_refusal(
    send: Send, status: int, refusal: Refusal, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    body = orjson.dumps({"errors": [refusal.as_error()]})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", NO_STORE),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class GuardMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        path: str = GRAPHQL_PATH,
        max_body: int = MAX_BODY_BYTES,
        timeout: float = EXECUTION_TIMEOUT_SECONDS,
    ) -> None:
        self.app = app
        self.path = path
        self.max_body = max_body
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_graphql_http(scope, self.path):
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_body:
            await send_refusal(send, 413, errors.BODY_TOO_LARGE)
            return
        max_body, timeout, too_large = self.max_body, self.timeout, errors.BODY_TOO_LARGE
        if scope["method"] == "POST" and _is_multipart(scope):
            # A GraphQL multipart request carries a file (a Kakao export for `uploadKakaoExport`, ≤ 20 MB).
            # Only authenticated staff or API keys may send one, checked before any of the body is read,
            # so an anonymous client can never make the hub buffer more than 64 KiB. The resolver still
            # checks that the viewer may upload for that organisation. Importing a large export takes
            # longer than a query, hence the longer timeout.
            if not await _authenticated(scope):
                await send_refusal(send, 401, errors.UPLOAD_NEEDS_STAFF)
                return
            max_body, timeout, too_large = (
                MAX_UPLOAD_BODY_BYTES,
                UPLOAD_TIMEOUT_SECONDS,
                errors.UPLOAD_TOO_LARGE,
            )
        if scope["method"] == "POST":
            body = await self._read_body(scope, receive, max_body)
            if body is None:
                await send_refusal(send, 413, too_large)
                return
            if body.lstrip()[:1] == b"[":
                await send_refusal(send, 400, errors.BATCHING_DISABLED)
                return
            receive = replay_body(body, receive)
        await self._with_timeout(scope, receive, send, timeout)

    async def _read_body(self, scope: Scope, receive: Receive, max_body: int) -> bytes | None:
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body:
            return None
        return await read_body(receive, max_body)

    async def _with_timeout(self, scope: Scope, receive: Receive, send: Send, seconds: float) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            async with asyncio.timeout(seconds):
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            if started:
                raise
            await send_refusal(send, 504, errors.TIMEOUT)


def _is_multipart(scope: Scope) -> bool:
    content_type = (_header(scope, b"content-type") or b"").split(b";", 1)[0].strip().lower()
    return content_type == b"multipart/form-data"


async def _authenticated(scope: Scope) -> bool:
    """Whether the request's bearer credential is a live staff token or API key (one indexed lookup)."""
    authorization = _header(scope, b"authorization")
    db = getattr(getattr(scope.get("app"), "state", None), "db", None)  # `create_app` sets app.state.db
    if authorization is None or not isinstance(db, Database):
        return False
    viewer = await authenticate(db, authorization.decode("latin-1"))
    return viewer.is_authenticated


async def read_body(receive: Receive, max_body: int | None = None) -> bytes | None:
    """The whole request body; None once it grows past `max_body`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if max_body is not None and size > max_body:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay_body(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        trusted_proxies: Sequence[Network] = (),
        path: str = GRAPHQL_PATH,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.trusted_proxies = tuple(trusted_proxies)
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_graphql_http(scope, self.path) or scope["method"] not in {"GET", "POST"}:
            await self.app(scope, receive, send)
            return
        peer = (scope.get("client") or ("unknown", 0))[0]
        forwarded = _header(scope, b"x-forwarded-for")
        ip = client_ip(peer, forwarded.decode("latin-1") if forwarded else None, self.trusted_proxies)
        limits = RequestLimits(self.limiter, ip)
        scope.setdefault("state", {})[STATE_KEY] = limits
        if _header(scope, b"authorization") is None:
            # An empty bucket is refused before any parsing; the real cost is charged by the extension.
            waiting = self.limiter.peek(f"ip:{ip}", authenticated=False)
            if not waiting.allowed:
                await send_refusal(send, 429, errors.RATE_LIMITED, waiting.headers())
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and limits.decision is not None:
                message["headers"] = [*message.get("headers", []), *limits.decision.headers()]
                if not limits.decision.allowed:
                    message["status"] = 429
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass(frozen=True, slots=True)
class _Captured:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: bytes) -> bytes | None:
        return next((value for key, value in self.headers if key == name), None)


def _etag_matches(if_none_match: bytes | None, etag: bytes) -> bool:
    if if_none_match is None:
        return False
    candidates = [part.strip().removeprefix(b"W/") for part in if_none_match.split(b",")]
    return b"*" in candidates or etag in candidates


class TrustedDocumentsMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        documents: TrustedDocuments,
        cache: ResponseCache,
        path: str = GRAPHQL_PATH,
    ) -> None:
        self.app = app
        self.documents = documents
        self.cache = cache
        self.path = path
        # Single flight: while one request computes an entry, the same key's other requests wait for it
        # instead of all computing it (a shared link opened by many at once, or a cold cache under load).
        self._computing: dict[str, asyncio.Future[None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not _is_graphql_http(scope, self.path)
            or scope["method"] != "GET"
            or b"documentId=" not in scope.get("query_string", b"")
        ):
            await self.app(scope, receive, send)
            return
        params = dict(parse_qsl(scope["query_string"].decode("latin-1")))
        document = self.documents.lookup(params.get("documentId", ""))
        if document is None:
            await send_refusal(send, 404, errors.UNKNOWN_DOCUMENT)
            return
        try:
            variables = orjson.loads(params.get("variables") or "{}")
        except orjson.JSONDecodeError:
            variables = None
        if not isinstance(variables, dict):
            await send_refusal(send, 400, errors.BAD_VARIABLES)
            return
        canonical = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS).decode()
        forwarded = [("query", document.text), ("variables", canonical)]
        if params.get("operationName"):
            forwarded.append(("operationName", params["operationName"]))
        inner: dict[str, Any] = {**scope, "query_string": urlencode(forwarded).encode()}

        if _header(scope, b"authorization") is not None:
            await self._private(inner, receive, send)
            return
        accept = (_header(scope, b"accept") or b"")[:200].decode("latin-1")
        key = "\n".join((document.id, params.get("operationName", ""), accept, canonical))
        if_none_match = _header(scope, b"if-none-match")
        entry = self.cache.get(key)
        if entry is None and (computing := self._computing.get(key)) is not None:
            await asyncio.shield(computing)
            entry = self.cache.get(key)  # None when that answer could not be cached: compute our own
        if entry is not None:
            await self._send_entry(send, entry, if_none_match, age=self.cache.age(entry))
            return
        mine: asyncio.Future[None] | None = None
        if key not in self._computing:
            mine = self._computing[key] = asyncio.get_running_loop().create_future()
        try:
            version = data_version.value  # read before executing: a write meanwhile invalidates the result
            captured = await _capture(self.app, inner, receive)
            cacheable = captured.status == 200 and not _has_errors(captured.body)
            if cacheable:
                content_type = captured.header(b"content-type") or b"application/json"
                entry = self.cache.put(key, captured.body, content_type, version)
        finally:
            if mine is not None:  # wake the waiters once the entry (if any) is in the cache
                del self._computing[key]
                mine.set_result(None)
        if entry is None:
            await _send_captured(send, captured, [(b"cache-control", NO_STORE)])
            return
        await self._send_entry(send, entry, if_none_match, age=0)

    async def _private(self, inner: Scope, receive: Receive, send: Send) -> None:
        async def private_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"cache-control", PRIVATE_CACHE_CONTROL)]
            await send(message)

        await self.app(inner, receive, private_send)

    async def _send_entry(
        self, send: Send, entry: CachedResponse, if_none_match: bytes | None, *, age: int
    ) -> None:
        headers = [
            (b"etag", entry.etag),
            (b"cache-control", PUBLIC_CACHE_CONTROL),
            (b"vary", b"Accept, Authorization"),
            (b"age", str(age).encode()),
        ]
        if _etag_matches(if_none_match, entry.etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", entry.content_type),
                    (b"content-length", str(len(entry.body)).encode()),
                    *headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": entry.body})


def _has_errors(body: bytes) -> bool:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return True
    return not isinstance(parsed, dict) or "errors" in parsed


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> _Captured:
    status = 500
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    return _Captured(status, headers, b"".join(chunks))


async def _send_captured(send: Send, captured: _Captured, extra: list[tuple[bytes, bytes]]) -> None:
    headers = [(k, v) for k, v in captured.headers if k != b"cache-control"] + extra
    await send({"type": "http.response.start", "status": captured.status, "headers": headers})
    await send({"type": "http.response.body", "body": captured.body})


def hardening_middleware(
    *,
    documents: TrustedDocuments,
    rate_limit: float,
    trusted_proxies: Sequence[str] = (),
) -> list[Middleware]:
    """The layers `create_app` mounts, outermost first; `rate_limit` 0 turns rate limiting off."""
    layers = [Middleware(GuardMiddleware)]
    if rate_limit > 0:
        layers.append(
            Middleware(
                RateLimitMiddleware,
                limiter=RateLimiter.per_second(rate_limit),
                trusted_proxies=parse_networks(trusted_proxies),
            )
        )
    cache = ResponseCache(data_version, max_age=CACHE_MAX_AGE_SECONDS)
    layers.append(Middleware(TrustedDocumentsMiddleware, documents=documents, cache=cache))
    return layers
