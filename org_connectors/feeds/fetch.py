"""Fetch a feed or calendar URL politely and safely.

- Conditional GET: the caller passes the ETag / Last-Modified it stored; a 304 comes back as
  `not_modified=True` with an empty body, so an unchanged feed costs one small request.
- Bounded: one overall deadline (`timeout`), a byte cap enforced while streaming (`max_bytes`, counted
  after content decoding, so a gzip bomb stops at the cap too), and at most `max_redirects` redirects.
- No requests into the operator's own network: every hop's host is resolved and refused if any address
  is private, loopback, link-local, multicast or reserved, unless the host is in
  `allowed_private_hosts`. Only http and https.
- Messages never show a query string or a Google private-calendar token (`redact_url`).

Known limit: the address is checked before httpx connects and httpx resolves the name again, so a DNS
server that answers differently between the two lookups (DNS rebinding) is not stopped here.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from org_connectors.feeds.addresses import UnresolvableHost, is_public, resolve
from org_connectors.feeds.errors import (
    BadStatus,
    FetchTimeout,
    FetchUnavailable,
    ResponseTooLarge,
    TooManyRedirects,
    URLRefused,
)
from org_connectors.feeds.links import redact_url, redact_url_for_log


class _RedactUrlsFilter(logging.Filter):
    """httpx logs every request URL at INFO; a secret calendar address is a credential, so redact it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url_for_log(str(arg)) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


_REDACT_URLS = _RedactUrlsFilter()
for _logger_name in ("httpx", "httpcore"):
    if _REDACT_URLS not in logging.getLogger(_logger_name).filters:
        logging.getLogger(_logger_name).addFilter(_REDACT_URLS)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/calendar;q=0.9, */*;q=0.5"
)
# Naver serves an HTML error page to some bare clients; a browser-compatible prefix avoids that.
USER_AGENT = "Mozilla/5.0 (compatible; YeongyeolHub/0.1; feed reader)"


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    timeout: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 3
    allowed_private_hosts: frozenset[str] = field(default_factory=frozenset)
    user_agent: str = USER_AGENT


@dataclass(frozen=True, slots=True)
class FetchResult:
    not_modified: bool
    body: bytes
    etag: str | None
    last_modified: str | None
    final_url: str
    content_type: str | None


DEFAULT_POLICY = FetchPolicy()


async def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    policy: FetchPolicy = DEFAULT_POLICY,
    http: httpx.AsyncClient | None = None,
) -> FetchResult:
    """GET `url` under `policy`. Raises a `FetchError` subclass on anything but a 2xx or 304 answer."""
    try:
        async with asyncio.timeout(policy.timeout):
            if http is not None:
                return await _follow(http, url, etag=etag, last_modified=last_modified, policy=policy)
            async with httpx.AsyncClient(timeout=policy.timeout, trust_env=False) as client:
                return await _follow(client, url, etag=etag, last_modified=last_modified, policy=policy)
    except TimeoutError as exc:
        raise FetchTimeout(
            f"{policy.timeout:g}초 안에 응답을 받지 못했습니다 / No answer within {policy.timeout:g} s",
            url=redact_url(url),
        ) from exc


async def _follow(
    client: httpx.AsyncClient, url: str, *, etag: str | None, last_modified: str | None, policy: FetchPolicy
) -> FetchResult:
    headers = {"User-Agent": policy.user_agent, "Accept": _ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    for _hop in range(policy.max_redirects + 1):
        await _check(current, policy)
        shown = redact_url(current)
        try:
            async with client.stream("GET", current, headers=headers, follow_redirects=False) as response:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    current = urljoin(current, location)
                    continue
                content_type = response.headers.get("content-type")
                if response.status_code == 304:
                    return FetchResult(
                        not_modified=True,
                        body=b"",
                        etag=response.headers.get("etag") or etag,
                        last_modified=response.headers.get("last-modified") or last_modified,
                        final_url=current,
                        content_type=content_type,
                    )
                if not response.is_success:
                    raise BadStatus(
                        f"서버가 오류 {response.status_code}을(를) 돌려주었습니다 / "
                        f"The server answered HTTP {response.status_code}",
                        url=shown,
                        status=response.status_code,
                    )
                body = await _read_capped(response, policy.max_bytes, shown)
                return FetchResult(
                    not_modified=False,
                    body=body,
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    final_url=current,
                    content_type=content_type,
                )
        except httpx.TimeoutException as exc:
            raise FetchTimeout(
                f"서버가 {policy.timeout:g}초 안에 응답하지 않았습니다 / The server did not answer within "
                f"{policy.timeout:g} s",
                url=shown,
            ) from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise URLRefused("잘못된 주소입니다 / Invalid URL", url=shown) from exc
        except httpx.TransportError as exc:
            # The exception text may echo the URL, so only its type is shown.
            reason = type(exc).__name__
            raise FetchUnavailable(
                f"서버에 연결할 수 없습니다 / Could not connect to the server [{reason}]", url=shown
            ) from exc
    raise TooManyRedirects(
        f"다른 주소로 {policy.max_redirects}번 넘게 넘겨져 중단했습니다 / "
        f"Stopped after more than {policy.max_redirects} redirects",
        url=redact_url(current),
    )


async def _check(url: str, policy: FetchPolicy) -> None:
    """Refuse a URL the hub must not fetch; called again for every redirect hop."""
    shown = redact_url(url)
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise URLRefused("잘못된 주소입니다 / Invalid URL", url=shown) from exc
    if parts.scheme not in ("http", "https"):
        raise URLRefused("http·https 주소만 가져옵니다 / Only http and https URLs are fetched", url=shown)
    if not host:
        raise URLRefused("주소에 호스트가 없습니다 / The URL has no host", url=shown)
    if host.lower() in policy.allowed_private_hosts:
        return
    try:
        addresses = await resolve(host, port or (443 if parts.scheme == "https" else 80))
    except UnresolvableHost as exc:
        message = "호스트 이름을 찾을 수 없습니다 / The host name does not resolve"
        raise FetchUnavailable(message, url=shown) from exc
    if not all(is_public(address) for address in addresses):
        raise URLRefused(
            "내부망·사설 주소로는 요청하지 않습니다(운영자가 설정에서 허용할 수 있습니다) / "
            "Refusing a private, loopback or otherwise internal address (an operator may allow the host)",
            url=shown,
        )


async def _read_capped(response: httpx.Response, max_bytes: int, shown: str) -> bytes:
    too_large = ResponseTooLarge(
        f"응답이 허용 크기 {max_bytes:,}바이트를 넘습니다 / The response is over {max_bytes:,} bytes",
        url=shown,
    )
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)
