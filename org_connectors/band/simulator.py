"""A BAND Open API simulator for tests and the demo: fixture bands and posts, real paging, edits,
deletions, injected faults, and the OAuth authorize/token endpoints (reference §1.1–1.7).

    state = BandSimulatorState(access_tokens={"ZQ-demo"})
    load_band_fixtures(Path("seeds/namwon/band"), state)
    app = create_band_simulator(state)      # serve it, point HUB_BAND_API_BASE at it

Behaviour that mirrors BAND: posts are listed by last modification (an edit moves a post to the top);
paging hands back `next_params` (`after`, `limit`, `band_key` and — like BAND — the `access_token`);
a deleted post simply stops appearing; a wrong token gets 10401, a band not granted 60102; missing
`band_key`/`locale` gets 212, a bad `limit`/`after` 211. The state is shared with a server thread, so
every read and write holds one lock.
"""

from __future__ import annotations

import asyncio
import base64
import enum
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from org_connectors.band.generate import generate_posts
from org_connectors.band.markup import photo_attachment_ids
from org_connectors.band.models import Band

__all__ = [
    "BandFault",
    "BandFixture",
    "BandSimulatorState",
    "RecordedRequest",
    "create_band_simulator",
    "generate_posts",
    "load_band_fixture",
    "load_band_fixtures",
]

DEFAULT_AUTHOR: dict[str, Any] = {
    "name": "센터 관리자",
    "description": "",
    "role": "leader",
    "profile_image_url": "",
    "user_key": "AABsimLeader000000000001",
}
_CODE_MESSAGES = {
    211: "Invalid Parameters",
    212: "Insufficient Parameters",
    1001: "App quota has been exceeded",
    1002: "User quota has been exceeded",
    1003: "Cool down time restriction",
    10401: "Unauthorized",
    10403: "Forbidden",
    60102: "Not Band member",
}


class BandFault(enum.StrEnum):
    COOL_DOWN = "cool_down"  # result_code 1003
    APP_QUOTA = "app_quota"  # 1001
    USER_QUOTA = "user_quota"  # 1002
    UNAUTHORIZED = "unauthorized"  # 10401
    NOT_MEMBER = "not_member"  # 60102
    INVALID_PARAMS = "invalid_params"  # 211
    HTTP_500 = "http_500"
    HTTP_503 = "http_503"
    TIMEOUT = "timeout"  # answers only after `timeout_seconds`
    MALFORMED_JSON = "malformed_json"
    SLOW = "slow"  # answers normally after `slow_seconds`


_FAULT_CODES = {
    BandFault.COOL_DOWN: 1003,
    BandFault.APP_QUOTA: 1001,
    BandFault.USER_QUOTA: 1002,
    BandFault.UNAUTHORIZED: 10401,
    BandFault.NOT_MEMBER: 60102,
    BandFault.INVALID_PARAMS: 211,
}


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the simulator saw; `params` never include the token."""

    method: str
    path: str
    params: Mapping[str, str]
    fault: str | None


@dataclass(slots=True)
class _Fault:
    fault: BandFault | int
    remaining: int | None  # None: until cleared
    path: str | None


@dataclass(slots=True)
class _Post:
    item: dict[str, Any]
    seq: int
    media_ids: list[str] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BandFixture:
    """A fixture file's band and the organisation it belongs to (slug and name as hints for seeding)."""

    band: Band
    organisation_slug: str | None
    organisation_name: str | None
    post_count: int


def _encode_cursor(position: int) -> str:
    return "AAB" + base64.urlsafe_b64encode(f"sim:{position}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int | None:
    if not cursor.startswith("AAB"):
        return None
    raw = cursor[3:]
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    prefix, _, number = text.partition(":")
    return int(number) if prefix == "sim" and number.isdigit() else None


class BandSimulatorState:
    """Everything the simulator serves; tests and the demo change it while it runs."""

    def __init__(
        self,
        *,
        access_tokens: Iterable[str] = (),
        default_limit: int = 20,
        timeout_seconds: float = 5.0,
        slow_seconds: float = 0.5,
        user_key: str = "AABsimUser00000000000001",
        user_name: str = "연결 허브",
    ) -> None:
        self._lock = threading.RLock()
        self._bands: dict[str, dict[str, Any]] = {}
        self._posts: dict[str, dict[str, _Post]] = {}
        self._tokens: dict[str, frozenset[str] | None] = {t: None for t in access_tokens}
        self._faults: list[_Fault] = []
        self._seq = 0
        self._requests: list[RecordedRequest] = []
        self._oauth_clients: dict[str, tuple[str, frozenset[str] | None]] = {}
        self._codes: dict[str, tuple[str, str, float]] = {}
        self._refresh: dict[str, str] = {}
        self.default_limit = default_limit
        self.timeout_seconds = timeout_seconds
        self.slow_seconds = slow_seconds
        self.user_key = user_key
        self.user_name = user_name
        # Which forms of the token exchange this "BAND" accepts (reference §1.2: both exist in the wild).
        self.token_methods: frozenset[str] = frozenset({"GET", "POST"})

    # -- tokens and OAuth clients ----------------------------------------------------------------------

    def add_token(self, token: str, bands: Iterable[str] | None = None) -> None:
        """Accept `token`; for all bands, or only `bands` (others answer 60102, as an ungranted band)."""
        with self._lock:
            self._tokens[token] = frozenset(bands) if bands is not None else None

    def revoke_token(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)

    def register_oauth_client(
        self, client_id: str, client_secret: str, *, grant_bands: Iterable[str] | None = None
    ) -> None:
        """An app that may use the authorize/token endpoints; its tokens see `grant_bands` (None: all)."""
        with self._lock:
            grants = frozenset(grant_bands) if grant_bands is not None else None
            self._oauth_clients[client_id] = (client_secret, grants)

    # -- bands, posts and comments ---------------------------------------------------------------------

    def add_band(self, band_key: str, name: str, *, cover: str | None = None, member_count: int = 0) -> None:
        with self._lock:
            self._bands[band_key] = {
                "name": name,
                "band_key": band_key,
                "cover": cover or f"https://coresos-phinf.pstatic.net/a/sim/{band_key}/cover.jpg",
                "member_count": member_count,
            }
            self._posts.setdefault(band_key, {})

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def add_post(
        self,
        band_key: str,
        content: str,
        *,
        author: Mapping[str, Any] | None = None,
        created_at: int | None = None,
        post_key: str | None = None,
        photos: Sequence[Mapping[str, Any]] = (),
        comment_count: int = 0,
        emotion_count: int = 0,
    ) -> str:
        """Publish a post at the top of the list; returns its post_key."""
        key = post_key or "AAD" + secrets.token_hex(10)
        item: dict[str, Any] = {
            "post_key": key,
            "band_key": band_key,
            "content": content,
            "author": dict(author or DEFAULT_AUTHOR),
            "created_at": created_at if created_at is not None else int(time.time() * 1000),
            "comment_count": comment_count,
            "emotion_count": emotion_count,
            "photos": [dict(p) for p in photos],
        }
        self.add_posts(band_key, [item])
        return key

    def add_posts(self, band_key: str, items: Iterable[Mapping[str, Any]]) -> None:
        """Add API-shaped post items in order: the last one ends up newest (top of the list)."""
        with self._lock:
            if band_key not in self._bands:
                raise KeyError(f"unknown band {band_key}")
            posts = self._posts[band_key]
            for raw in items:
                item = {k: v for k, v in raw.items() if k not in ("latest_comments", "photo", "video")}
                item["band_key"] = band_key
                item.setdefault("photos", [])
                item.setdefault("comment_count", 0)
                item.setdefault("emotion_count", 0)
                post = _Post(item=item, seq=self._next_seq())
                post.media_ids = self._media_ids(item)
                posts[str(item["post_key"])] = post

    @staticmethod
    def _media_ids(item: Mapping[str, Any]) -> list[str]:
        # The detail call keys photos by the ids of the `<band:attachment>` tags, in content order.
        ids = photo_attachment_ids(str(item.get("content", "")))
        photos = item.get("photos") or []
        return [ids[n] if n < len(ids) else f"{90000 + n}" for n in range(len(photos))]

    def edit_post(
        self,
        band_key: str,
        post_key: str,
        content: str | None = None,
        *,
        comment_count: int | None = None,
        emotion_count: int | None = None,
        photos: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """Change a post; like BAND it moves to the top of the modification order."""
        with self._lock:
            post = self._posts[band_key][post_key]
            if content is not None:
                post.item["content"] = content
            if comment_count is not None:
                post.item["comment_count"] = comment_count
            if emotion_count is not None:
                post.item["emotion_count"] = emotion_count
            if photos is not None:
                post.item["photos"] = [dict(p) for p in photos]
                post.media_ids = self._media_ids(post.item)
            post.seq = self._next_seq()

    def delete_post(self, band_key: str, post_key: str) -> None:
        """The post silently stops appearing (BAND sends no deletion notice)."""
        with self._lock:
            del self._posts[band_key][post_key]

    def add_comment(
        self,
        band_key: str,
        post_key: str,
        content: str,
        *,
        author: Mapping[str, Any] | None = None,
        created_at: int | None = None,
        bump_count: bool = True,
    ) -> str:
        """Add a comment; `bump_count=False` when the post's `comment_count` already counts it (fixtures)."""
        with self._lock:
            post = self._posts[band_key][post_key]
            key = "AAB0" + secrets.token_hex(10)
            post.comments.append(
                {
                    "band_key": band_key,
                    "post_key": post_key,
                    "comment_key": key,
                    "content": content,
                    "author": dict(author or DEFAULT_AUTHOR),
                    "created_at": created_at if created_at is not None else int(time.time() * 1000),
                    "emotion_count": 0,
                    "is_audio_included": False,
                }
            )
            if bump_count:
                post.item["comment_count"] = int(post.item.get("comment_count") or 0) + 1
            return key

    def bands(self) -> list[Band]:
        with self._lock:
            return [Band.from_json(b) for b in self._bands.values()]

    def post_keys(self, band_key: str) -> list[str]:
        """Current post keys, newest modification first (what a full listing returns)."""
        with self._lock:
            return [p.item["post_key"] for p in self._ordered(band_key)]

    def post_content(self, band_key: str, post_key: str) -> str:
        with self._lock:
            return str(self._posts[band_key][post_key].item["content"])

    def _ordered(self, band_key: str) -> list[_Post]:
        return sorted(self._posts.get(band_key, {}).values(), key=lambda p: p.seq, reverse=True)

    # -- faults and the request log ---------------------------------------------------------------------

    def inject(self, fault: BandFault | str | int, count: int | None = 1, path: str | None = None) -> None:
        """Make the next `count` matching requests fail (None: until `clear_faults`).

        `fault` is a `BandFault` (or its value) or any BAND result code, e.g. 10403 or 60200.
        `path` limits it to one endpoint, e.g. "/v2/band/posts".
        """
        kind: BandFault | int = fault if isinstance(fault, int) else BandFault(fault)
        with self._lock:
            self._faults.append(_Fault(kind, count, path))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, path: str) -> BandFault | int | None:
        with self._lock:
            for entry in self._faults:
                if entry.path is not None and entry.path != path:
                    continue
                if entry.remaining is not None:
                    entry.remaining -= 1
                    if entry.remaining <= 0:
                        self._faults.remove(entry)
                return entry.fault
            return None

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def request_count(self, path: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self._requests if path is None or r.path == path)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def _record(self, request: Request, params: Mapping[str, str], fault: BandFault | int | None) -> None:
        safe = {k: v for k, v in params.items() if k not in ("access_token", "client_secret", "code")}
        with self._lock:
            self._requests.append(
                RecordedRequest(request.method, request.url.path, safe, str(fault) if fault else None)
            )

    # -- what the endpoints see ------------------------------------------------------------------------

    def _token_known(self, token: str | None) -> bool:
        with self._lock:
            return bool(token) and token in self._tokens

    def _band_visible(self, token: str, band_key: str) -> bool:
        with self._lock:
            if token not in self._tokens or band_key not in self._bands:
                return False
            grants = self._tokens[token]
            return grants is None or band_key in grants

    def _issue_code(self, client_id: str, redirect_uri: str) -> str:
        code = secrets.token_urlsafe(12)
        with self._lock:
            self._codes[code] = (client_id, redirect_uri, time.monotonic())
        return code

    def _redeem(self, client_id: str, client_secret: str, code: str) -> dict[str, Any] | None:
        with self._lock:
            client = self._oauth_clients.get(client_id)
            issued = self._codes.pop(code, None)
            if client is None or not secrets.compare_digest(client[0], client_secret) or issued is None:
                return None
            if issued[0] != client_id or time.monotonic() - issued[2] > 600:
                return None
            return self._grant_token(client[1])

    def _refresh_grant(self, client_id: str, client_secret: str, refresh_token: str) -> dict[str, Any] | None:
        with self._lock:
            client = self._oauth_clients.get(client_id)
            old = self._refresh.pop(refresh_token, None)
            if client is None or not secrets.compare_digest(client[0], client_secret) or old is None:
                return None
            self._tokens.pop(old, None)
            return self._grant_token(client[1])

    def _grant_token(self, bands: frozenset[str] | None) -> dict[str, Any]:
        token = "ZQAA" + secrets.token_urlsafe(24)
        refresh = "RT" + secrets.token_urlsafe(24)
        self._tokens[token] = bands
        self._refresh[refresh] = token
        return {
            "access_token": token,
            "token_type": "bearer",
            "refresh_token": refresh,
            "expires_in": 315359999,
            "scope": "READ_POST READ_BAND_AND_USERS_LIST READ_MY_PROFILE",
            "user_key": self.user_key,
        }


# -- the app -------------------------------------------------------------------------------------------


def _envelope(data: Mapping[str, Any]) -> JSONResponse:
    return JSONResponse({"result_code": 1, "result_data": dict(data)})


def _error(code: int, status: int = 200) -> JSONResponse:
    return JSONResponse(
        {"result_code": code, "result_data": {"message": _CODE_MESSAGES.get(code, "Error")}},
        status_code=status,
    )


def _list_item(post: _Post) -> dict[str, Any]:
    item = dict(post.item)
    item["latest_comments"] = [
        {"body": c["content"], "author": c["author"], "created_at": c["created_at"]}
        for c in post.comments[-3:]
    ]
    return item


def _detail_item(post: _Post, read_count: int) -> dict[str, Any]:
    item = {k: v for k, v in post.item.items() if k != "photos"}
    item["post_read_count"] = read_count
    photos = post.item.get("photos") or []
    if photos:
        item["photo"] = {media_id: photo for media_id, photo in zip(post.media_ids, photos, strict=False)}
    return item


Handler = Callable[[Request, str, Mapping[str, str]], Awaitable[Response]]


def create_band_simulator(state: BandSimulatorState) -> Starlette:
    """The Starlette app serving `state` (Open API paths and `/oauth2/*`)."""

    async def wait_or_disconnect(request: Request, seconds: float) -> None:
        # Stop early once the client has given up, so the server can shut down promptly.
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if await request.is_disconnected():
                return
            await asyncio.sleep(0.02)

    async def fault_response(request: Request, fault: BandFault | int) -> Response | None:
        if isinstance(fault, int):
            return _error(fault)
        if fault in _FAULT_CODES:
            return _error(_FAULT_CODES[fault])
        if fault is BandFault.HTTP_500:
            return PlainTextResponse("Internal Server Error", status_code=500)
        if fault is BandFault.HTTP_503:
            return PlainTextResponse("Service Temporarily Unavailable", status_code=503)
        if fault is BandFault.MALFORMED_JSON:
            # A page cut off mid-way, as a broken proxy delivers it: it echoes the token, like BAND does.
            echoed = orjson.dumps(request.query_params.get("access_token", "")).decode()
            body = (
                '{"result_code": 1, "result_data": {"paging": {"previous_params": null, "next_params": '
                f'{{"after": "AABtruncated", "access_token": {echoed}}}}}, "items": [{{"post_key": "AAD'
            )
            return Response(body.encode(), 200, media_type="application/json")
        if fault is BandFault.TIMEOUT:
            await wait_or_disconnect(request, state.timeout_seconds)
            return None
        await asyncio.sleep(state.slow_seconds)  # SLOW: answer normally, late
        return None

    def api(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            params = dict(request.query_params)
            fault = state._take_fault(request.url.path)
            state._record(request, params, fault)
            if fault is not None:
                response = await fault_response(request, fault)
                if response is not None:
                    return response
            token = params.get("access_token")
            auth = request.headers.get("authorization", "")
            if not token and auth.lower().startswith("bearer "):
                token = auth[7:].strip()
            if not token or not state._token_known(token):
                return _error(10401, status=401)
            return await handler(request, token, params)

        return endpoint

    async def bands(request: Request, token: str, params: Mapping[str, str]) -> Response:
        with state._lock:
            visible = [dict(b) for key, b in state._bands.items() if state._band_visible(token, key)]
        return _envelope({"bands": visible})

    async def profile(request: Request, token: str, params: Mapping[str, str]) -> Response:
        data: dict[str, Any] = {
            "user_key": state.user_key,
            "name": state.user_name,
            "profile_image_url": "",
            "is_app_member": True,
            "message_allowed": False,
        }
        band_key = params.get("band_key")
        if band_key and not state._band_visible(token, band_key):
            return _error(60102)
        return _envelope(data)

    def band_or_error(token: str, params: Mapping[str, str]) -> tuple[str, Response | None]:
        band_key = params.get("band_key", "")
        if not band_key:
            return band_key, _error(212)
        if not state._band_visible(token, band_key):
            return band_key, _error(60102)
        return band_key, None

    def limit_or_none(params: Mapping[str, str]) -> int | None:
        raw = params.get("limit", str(state.default_limit))
        if not raw.isdigit() or not 1 <= int(raw) <= 100:
            return None
        return int(raw)

    async def posts(request: Request, token: str, params: Mapping[str, str]) -> Response:
        band_key, problem = band_or_error(token, params)
        if problem is not None:
            return problem
        if not params.get("locale"):
            return _error(212)
        limit = limit_or_none(params)
        after = _decode_cursor(params["after"]) if "after" in params else 0
        if limit is None or after is None:
            return _error(211)
        with state._lock:
            ordered = state._ordered(band_key)
            if "after" in params:
                ordered = [p for p in ordered if p.seq < after]
            page = ordered[:limit]
            items = [_list_item(p) for p in page]
            more = len(ordered) > limit
        next_params = (
            {
                "after": _encode_cursor(page[-1].seq),
                "limit": str(limit),
                "band_key": band_key,
                "access_token": token,
            }
            if more
            else None
        )
        return _envelope({"paging": {"previous_params": None, "next_params": next_params}, "items": items})

    async def post_detail(request: Request, token: str, params: Mapping[str, str]) -> Response:
        band_key, problem = band_or_error(token, params)
        if problem is not None:
            return problem
        post_key = params.get("post_key", "")
        if not post_key:
            return _error(212)
        with state._lock:
            post = state._posts[band_key].get(post_key)
            if post is None:
                return _error(60000)
            read_count = 10 + 3 * int(post.item.get("comment_count") or 0)
            return _envelope({"post": _detail_item(post, read_count)})

    async def comments(request: Request, token: str, params: Mapping[str, str]) -> Response:
        band_key, problem = band_or_error(token, params)
        if problem is not None:
            return problem
        post_key = params.get("post_key", "")
        limit = limit_or_none(params)
        start = _decode_cursor(params["after"]) if "after" in params else 0
        if not post_key:
            return _error(212)
        if limit is None or start is None:
            return _error(211)
        with state._lock:
            post = state._posts[band_key].get(post_key)
            if post is None:
                return _error(60000)
            ordered = list(post.comments)
        if params.get("sort") == "-created_at":
            ordered.reverse()
        items = ordered[start : start + limit]
        more = start + limit < len(ordered)
        next_params = (
            {
                "after": _encode_cursor(start + limit),
                "limit": str(limit),
                "band_key": band_key,
                "post_key": post_key,
                "access_token": token,
            }
            if more
            else None
        )
        return _envelope({"paging": {"previous_params": None, "next_params": next_params}, "items": items})

    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        state._record(request, params, None)
        client_id = params.get("client_id", "")
        redirect_uri = params.get("redirect_uri", "")
        with state._lock:
            known = client_id in state._oauth_clients
        if (
            params.get("response_type") != "code"
            or not known
            or not redirect_uri.startswith(("http://", "https://"))
        ):
            return PlainTextResponse(
                "잘못된 인증 요청입니다 / Invalid authorization request", status_code=400
            )
        # Consent is given at once: a simulated staff member always agrees.
        query = {"code": state._issue_code(client_id, redirect_uri)}
        if "state" in params:
            query["state"] = params["state"]
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(redirect_uri + separator + urlencode(query), status_code=302)

    async def token_endpoint(request: Request) -> Response:
        if request.method not in state.token_methods:
            state._record(request, {}, None)
            return PlainTextResponse("Method Not Allowed", status_code=405)
        fields: dict[str, str] = dict(request.query_params)
        if request.method == "POST":
            form = await request.form()
            fields.update({k: v for k, v in form.items() if isinstance(v, str)})
        state._record(request, fields, None)
        client_id, client_secret = fields.get("client_id", ""), fields.get("client_secret", "")
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode()
            except (ValueError, UnicodeDecodeError):
                decoded = ""
            client_id, _, client_secret = decoded.partition(":")
        grant_type = fields.get("grant_type")
        grant: dict[str, Any] | None = None
        if grant_type == "authorization_code":
            grant = state._redeem(client_id, client_secret, fields.get("code", ""))
        elif grant_type == "refresh_token":
            grant = state._refresh_grant(client_id, client_secret, fields.get("refresh_token", ""))
        if grant is None:
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "Invalid authorization code or client"},
                status_code=400,
            )
        return JSONResponse(grant)

    routes = [
        Route("/v2.1/bands", api(bands)),
        Route("/v2/profile", api(profile)),
        Route("/v2/band/posts", api(posts)),
        Route("/v2.1/band/post", api(post_detail)),
        Route("/v2/band/post", api(post_detail)),  # some clients use the older path (reference §1.1)
        Route("/v2/band/post/comments", api(comments)),
        Route("/oauth2/authorize", authorize),
        Route("/oauth2/token", token_endpoint, methods=["GET", "POST", "PUT"]),
    ]
    return Starlette(routes=routes)


# -- fixtures ------------------------------------------------------------------------------------------


def load_band_fixture(path: Path, state: BandSimulatorState) -> BandFixture:
    """Load one `seeds/namwon/band/*.json` file: its band, posts (newest first) and comments."""
    data = orjson.loads(path.read_bytes())
    band = Band.from_json(data["band"])
    state.add_band(band.band_key, band.name, cover=band.cover, member_count=band.member_count or 0)
    posts: list[Mapping[str, Any]] = list(data.get("posts", []))
    # Files list posts as the API does, newest modification first; add oldest first.
    state.add_posts(band.band_key, reversed(posts))
    for post_key, comments in (data.get("comments") or {}).items():
        for comment in comments:
            state.add_comment(
                band.band_key,
                post_key,
                comment["content"],
                author=comment.get("author"),
                created_at=comment.get("created_at"),
                bump_count=False,
            )
    organisation = data.get("organisation") or {}
    return BandFixture(
        band=band,
        organisation_slug=organisation.get("slug"),
        organisation_name=organisation.get("name"),
        post_count=len(posts),
    )


def load_band_fixtures(directory: Path, state: BandSimulatorState) -> list[BandFixture]:
    """Every fixture file directly in `directory` (the saved reference examples live in a subfolder)."""
    return [load_band_fixture(path, state) for path in sorted(directory.glob("*.json"))]


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m org_connectors.band.simulator`: serve the Namwon fixtures for the demo."""
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="BAND Open API 시뮬레이터 / BAND Open API simulator")
    parser.add_argument("--fixtures", type=Path, default=Path("seeds/namwon/band"))
    parser.add_argument("--token", action="append", default=[], help="accepted access token (repeatable)")
    parser.add_argument("--generate", type=int, default=0, help="extra generated posts per band")
    parser.add_argument("--client-id", help="OAuth client id the authorize/token endpoints accept")
    parser.add_argument("--client-secret", default="")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)

    state = BandSimulatorState(access_tokens=args.token)
    for fixture in load_band_fixtures(args.fixtures, state):
        if args.generate:
            key = fixture.band.band_key
            state.add_posts(
                key, generate_posts(key, args.generate, organisation=fixture.organisation_name or "")
            )
    if args.client_id:
        state.register_oauth_client(args.client_id, args.client_secret)
    # No access log: request lines carry the token in the query string.
    uvicorn.run(create_band_simulator(state), host=args.host, port=args.port, access_log=False)


if __name__ == "__main__":
    main()
