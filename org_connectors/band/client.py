"""Async client for the BAND Open API (reference §1.1–1.6).

One call = one GET with `access_token` as a query parameter (as BAND documents it). The envelope is
checked on every response: `result_code != 1` is an error even with HTTP 200. Only `BandRetryable`
is retried here, with capped exponential backoff and full jitter; quota, reconnect, rejected and
malformed errors go straight to the caller, whose job is pausing, alerting or dead-lettering.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

import httpx
import orjson
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from org_connectors.band.errors import (
    BandError,
    BandMalformedResponse,
    BandRetryable,
    error_for_code,
    error_for_status,
    redact,
)
from org_connectors.band.models import Band, BandComment, BandPost, PostPage

logger = logging.getLogger("org_connectors.band")

DEFAULT_API_BASE = "https://openapi.band.us"
PATH_BANDS = "/v2.1/bands"
PATH_POSTS = "/v2/band/posts"
PATH_POST = "/v2.1/band/post"
PATH_COMMENTS = "/v2/band/post/comments"
PATH_PROFILE = "/v2/profile"

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
# A band with more pages than this is not a band, it is a paging loop on BAND's side.
MAX_PAGES = 10_000


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempts in total (not retries); full-jitter wait is uniform in [0, min(cap, base·2ⁿ)] seconds."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 8.0


class _RedactTokensFilter(logging.Filter):
    """httpx logs every request URL at INFO; ours carry the token, so scrub it before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact(str(arg)) if isinstance(arg, str | httpx.URL) else arg for arg in record.args
            )
        return True


_REDACTION = _RedactTokensFilter()


def install_log_redaction() -> None:
    """Idempotent: add the token-scrubbing filter to the loggers that see request URLs."""
    for name in ("httpx", "httpcore"):
        target = logging.getLogger(name)
        if _REDACTION not in target.filters:
            target.addFilter(_REDACTION)


def clean_next_params(params: object) -> dict[str, str] | None:
    """`paging.next_params` as strings, without the token, or None on the last page."""
    if not isinstance(params, Mapping) or not params:
        return None
    return {str(k): str(v) for k, v in params.items() if k != "access_token" and v is not None}


def _retry_after(response: httpx.Response) -> timedelta | None:
    value = response.headers.get("retry-after", "").strip()
    return timedelta(seconds=int(value)) if value.isdigit() else None


class BandClient:
    """`BandClient(base_url, token)`; use `async with` or `aclose()` when it owns its HTTP client."""

    def __init__(
        self,
        base_url: str,
        access_token: str,
        *,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy = RetryPolicy(),
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        min_interval: float = 0.0,
    ) -> None:
        """`min_interval` spaces calls apart (seconds between starts): BAND rejects bursts with 1003 and
        community advice is ~10 s between calls (reference §1.6). Calls through one client never overlap."""
        if not access_token:
            raise ValueError("access_token must not be empty")
        self._base_url = base_url.rstrip("/")
        self._token = access_token
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self._retry = retry
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._clock = clock
        self._min_interval = min_interval
        self._one_at_a_time = asyncio.Lock()
        self._last_start = float("-inf")
        install_log_redaction()

    def __repr__(self) -> str:
        return f"BandClient(base_url={self._base_url!r}, access_token='***')"

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> BandClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # -- the API ---------------------------------------------------------------------------------------

    async def list_bands(self) -> list[Band]:
        data = await self._call(PATH_BANDS, {})
        bands = data.get("bands")
        if not isinstance(bands, list):
            raise BandMalformedResponse(
                "밴드 목록 형식이 올바르지 않습니다 / The band list has the wrong shape", endpoint=PATH_BANDS
            )
        return [Band.from_json(item) for item in bands]

    async def get_profile(self, band_key: str | None = None) -> Mapping[str, Any]:
        """The token owner's profile (`user_key`, `name`, …); with `band_key`, their profile in that band."""
        return await self._call(PATH_PROFILE, {"band_key": band_key} if band_key else {})

    async def get_posts(
        self,
        band_key: str,
        *,
        locale: str = "ko_KR",
        next_params: Mapping[str, str] | None = None,
        limit: int | None = None,
    ) -> PostPage:
        """One page, newest modification first. Pass the previous page's `next_params` for the next."""
        params: dict[str, str] = {"band_key": band_key}
        if limit is not None:
            params["limit"] = str(limit)
        if next_params:
            params.update({k: str(v) for k, v in next_params.items() if k != "access_token"})
        # `locale` is required and BAND does not echo it in next_params; never send it empty.
        params["locale"] = locale or "ko_KR"
        data = await self._call(PATH_POSTS, params)
        items = data.get("items")
        if not isinstance(items, list):
            raise BandMalformedResponse(
                "글 목록 형식이 올바르지 않습니다 / The post list has the wrong shape", endpoint=PATH_POSTS
            )
        posts: list[BandPost] = []
        invalid: list[BandMalformedResponse] = []
        for index, item in enumerate(items, start=1):
            try:
                posts.append(BandPost.from_json(item, band_key=band_key))
            except BandMalformedResponse as exc:
                exc.where = f"item {index}: {exc.where}" if exc.where else f"item {index}"
                exc.raw = redact(orjson.dumps(item).decode(), self._token)
                invalid.append(exc)
        paging = data.get("paging")
        next_page = clean_next_params(paging.get("next_params")) if isinstance(paging, Mapping) else None
        return PostPage(posts=tuple(posts), next_params=next_page, invalid=tuple(invalid))

    async def iter_posts(
        self,
        band_key: str,
        *,
        locale: str = "ko_KR",
        next_params: Mapping[str, str] | None = None,
        limit: int | None = None,
        max_pages: int = MAX_PAGES,
    ) -> AsyncIterator[PostPage]:
        """Pages until BAND says there are no more (or `max_pages`); stop iterating to stop early."""
        seen: set[tuple[tuple[str, str], ...]] = set()
        current = dict(next_params) if next_params else None
        for _ in range(max_pages):
            page = await self.get_posts(band_key, locale=locale, next_params=current, limit=limit)
            yield page
            if page.next_params is None:
                return
            marker = tuple(sorted(page.next_params.items()))
            if marker in seen:
                raise BandMalformedResponse(
                    "BAND가 같은 페이지를 반복해서 돌려줍니다 / BAND keeps returning the same page",
                    endpoint=PATH_POSTS,
                )
            seen.add(marker)
            current = page.next_params

    async def get_post(self, band_key: str, post_key: str) -> BandPost:
        data = await self._call(PATH_POST, {"band_key": band_key, "post_key": post_key})
        post = BandPost.from_json(data.get("post"), band_key=band_key)
        return post

    async def get_comments(
        self, band_key: str, post_key: str, *, sort: str | None = None, max_pages: int = 100
    ) -> list[BandComment]:
        """All comments of a post, following paging; `sort` is `+created_at` (default) or `-created_at`."""
        comments: list[BandComment] = []
        params: dict[str, str] = {"band_key": band_key, "post_key": post_key}
        if sort:
            params["sort"] = sort
        for _ in range(max_pages):
            data = await self._call(PATH_COMMENTS, params)
            items = data.get("items")
            if not isinstance(items, list):
                raise BandMalformedResponse(
                    "댓글 목록 형식이 올바르지 않습니다 / The comment list has the wrong shape",
                    endpoint=PATH_COMMENTS,
                )
            comments.extend(BandComment.from_json(i, band_key=band_key, post_key=post_key) for i in items)
            paging = data.get("paging")
            next_page = clean_next_params(paging.get("next_params")) if isinstance(paging, Mapping) else None
            if next_page is None:
                break
            params = {**params, **next_page}
        return comments

    # -- transport -------------------------------------------------------------------------------------

    def _log_retry(self, state: RetryCallState) -> None:
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        logger.warning(
            "BAND 호출 재시도 %d/%d, %.2f초 후 / retrying BAND call in %.2fs: %s",
            state.attempt_number,
            self._retry.attempts,
            wait,
            wait,
            error,
        )

    async def _call(self, path: str, params: Mapping[str, str]) -> Mapping[str, Any]:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(max(1, self._retry.attempts)),
            wait=wait_random_exponential(multiplier=self._retry.base, max=self._retry.cap),
            retry=retry_if_exception_type(BandRetryable),
            before_sleep=self._log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._call_once(path, params)
        raise AssertionError("tenacity stops by raising")  # pragma: no cover

    async def _call_once(self, path: str, params: Mapping[str, str]) -> Mapping[str, Any]:
        logger.debug("BAND GET %s %s", path, {k: v for k, v in params.items() if k != "access_token"})
        # Build the failure outside `except` so no httpx exception (whose request URL holds the token)
        # stays attached as __context__.
        failure: BandError | None = None
        try:
            async with self._one_at_a_time:
                pause = self._last_start + self._min_interval - time.monotonic()
                if pause > 0:
                    await asyncio.sleep(pause)
                self._last_start = time.monotonic()
                response = await self._http.get(
                    self._base_url + path,
                    params={**params, "access_token": self._token},
                    timeout=self._timeout,
                )
        except httpx.TimeoutException as exc:
            failure = BandRetryable(
                "BAND가 제때 응답하지 않았습니다 / BAND did not answer in time "
                f"({type(exc).__name__}, {path})",
                endpoint=path,
            )
        except httpx.TransportError as exc:
            failure = BandRetryable(
                f"BAND에 연결하지 못했습니다 / Could not reach BAND ({type(exc).__name__}, {path})",
                endpoint=path,
            )
        if failure is not None:
            raise failure
        return self._read_envelope(response, path)

    def _read_envelope(self, response: httpx.Response, path: str) -> Mapping[str, Any]:
        status = response.status_code
        try:
            body: object = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = None
        code = body.get("result_code") if isinstance(body, Mapping) else None
        if isinstance(code, str) and code.isdigit():
            code = int(code)
        if isinstance(body, Mapping) and isinstance(code, int) and not isinstance(code, bool):
            data = body.get("result_data")
            if code != 1:
                message = data.get("message") if isinstance(data, Mapping) else None
                raise error_for_code(
                    code,
                    endpoint=path,
                    status=status,
                    server_message=redact(message, self._token) if isinstance(message, str) else None,
                    retry_after_header=_retry_after(response),
                    now=self._clock(),
                )
            if not 200 <= status < 300:
                raise error_for_status(status, endpoint=path)
            if not isinstance(data, Mapping):
                raise BandMalformedResponse(
                    f"BAND 응답에 result_data가 없습니다 / BAND response lacks result_data ({path})",
                    status=status,
                    endpoint=path,
                )
            return data
        if not 200 <= status < 300:
            raise error_for_status(status, endpoint=path)
        snippet = response.content[:300].decode("utf-8", errors="replace")
        raise BandMalformedResponse(
            f"BAND 응답을 읽을 수 없습니다(JSON이 아니거나 형식이 다름) / Unreadable BAND response "
            f"(not JSON or not the documented envelope) (HTTP {status}, {path})",
            raw=redact(snippet, self._token),
            where=path,
            status=status,
            endpoint=path,
        )
