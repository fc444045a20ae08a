"""The safe fetcher against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import ipaddress
import time

import httpx
import pytest

from org_connectors.base import ConnectorError
from org_connectors.feeds import (
    BadStatus,
    FetchError,
    FetchPolicy,
    FetchTimeout,
    ResponseTooLarge,
    TooManyRedirects,
    URLRefused,
    fetch,
    redact_url,
)
from org_connectors.feeds.addresses import is_public
from tests.connectors.feeds.support import TEST_POLICY, SiteState, get

NAVER = "/rss/naver_blog_smallchange.xml"
PRIVATE_CALENDAR = (
    "/calendar/ical/culture%40group.calendar.google.com/private-5e1f9c0ffee77aa1b2c3/basic.ics"
    "?authuser=seoyeon.kim%40example.kr&key=ZyX987secret"
)
SECRETS = ("5e1f9c0ffee77aa1b2c3", "ZyX987secret", "seoyeon.kim")


async def test_fetches_body_with_validators(site: str) -> None:
    result = await get(f"{site}{NAVER}")

    assert not result.not_modified
    assert "남원작은변화포럼".encode() in result.body
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.etag and result.etag.startswith('"')
    assert result.last_modified == "Fri, 20 Nov 2026 09:30:00 GMT"
    assert result.final_url == f"{site}{NAVER}"


async def test_follows_up_to_the_redirect_limit(site: str) -> None:
    result = await get(f"{site}/hop/2")  # /hop/2 → /hop/1 → /hop/0 → the feed: 3 redirects

    assert result.final_url == f"{site}{NAVER}"
    assert b"<rss" in result.body


async def test_too_many_redirects(site: str) -> None:
    with pytest.raises(TooManyRedirects) as caught:
        await get(f"{site}/hop/3")  # 4 redirects, policy allows 3

    assert "3번 넘게" in str(caught.value) and "more than 3 redirects" in str(caught.value)


async def test_conditional_get_returns_304(site: str) -> None:
    first = await get(f"{site}{NAVER}")

    again = await get(f"{site}{NAVER}", etag=first.etag, last_modified=first.last_modified)

    assert again.not_modified
    assert again.body == b""
    assert (again.etag, again.last_modified) == (first.etag, first.last_modified)


async def test_stale_validator_gets_the_new_body(site: str, calendar_v1: SiteState) -> None:
    url = f"{site}/calendar/ical/culture/public/basic.ics"
    first = await get(url)
    calendar_v1.calendar_version = 2

    second = await get(url, etag=first.etag)

    assert not second.not_modified and second.body != first.body and second.etag != first.etag


async def test_size_cap_from_content_length(site: str) -> None:
    small = FetchPolicy(max_bytes=2_000, allowed_private_hosts=frozenset({"127.0.0.1"}))

    with pytest.raises(ResponseTooLarge) as caught:
        await fetch(f"{site}{NAVER}", policy=small)

    assert "2,000바이트" in str(caught.value)


async def test_size_cap_enforced_while_streaming(site: str, site_state: SiteState) -> None:
    site_state.streamed_bytes = 0
    policy = FetchPolicy(max_bytes=1_000_000, allowed_private_hosts=frozenset({"127.0.0.1"}))

    with pytest.raises(ResponseTooLarge):
        await fetch(f"{site}/endless.xml", policy=policy)

    # The client hung up near the cap instead of reading the whole 26 MB.
    assert site_state.streamed_bytes < 10_000_000


async def test_loopback_refused_unless_allowed(site: str) -> None:
    with pytest.raises(URLRefused) as caught:
        await fetch(f"{site}{NAVER}")  # default policy: nothing private allowed

    assert "내부망·사설 주소로는 요청하지 않습니다" in str(caught.value)
    assert "Refusing a private, loopback" in str(caught.value)


async def test_every_redirect_hop_is_checked(site: str) -> None:
    # 127.0.0.1 is allowed, but the redirect goes to "localhost", which resolves to loopback.
    with pytest.raises(URLRefused):
        await get(f"{site}/to-localhost")


async def test_callers_client_cannot_skip_the_checks(site: str) -> None:
    async with httpx.AsyncClient(follow_redirects=True) as client:
        with pytest.raises(URLRefused):
            await fetch(f"{site}/to-localhost", policy=TEST_POLICY, http=client)
        result = await fetch(f"{site}/hop/1", policy=TEST_POLICY, http=client)

    assert result.final_url == f"{site}{NAVER}"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/rss.xml",
        "http://[::1]:8080/feed",
        "http://[::ffff:127.0.0.1]/feed",
        "http://0.0.0.0/feed",
        "file:///etc/passwd",
        "ftp://ftp.namwon.go.kr/notice.xml",
        "http:///no-host",
    ],
)
async def test_internal_addresses_and_other_schemes_are_refused(url: str) -> None:
    started = time.monotonic()
    with pytest.raises(URLRefused):
        await fetch(url)
    assert time.monotonic() - started < 1  # refused before any connection attempt


async def test_secrets_in_urls_never_reach_messages(site: str) -> None:
    with pytest.raises(BadStatus) as not_found:
        await get(f"{site}{PRIVATE_CALENDAR}")
    with pytest.raises(URLRefused) as refused:
        await fetch(f"{site}{PRIVATE_CALENDAR}")

    for error in (not_found.value, refused.value):
        text = f"{error} {error!r} {error.url}"
        assert not any(secret in text for secret in SECRETS), text
        assert "private-***" in error.url and error.url.endswith("?***")
    assert not_found.value.status == 404 and not not_found.value.retryable


async def test_server_errors_are_retryable(site: str) -> None:
    with pytest.raises(BadStatus) as caught:
        await get(f"{site}/unavailable.xml")

    assert caught.value.status == 503 and caught.value.retryable
    assert "오류 503" in str(caught.value) and "HTTP 503" in str(caught.value)


async def test_slow_server_times_out(site: str) -> None:
    policy = FetchPolicy(timeout=0.5, allowed_private_hosts=frozenset({"127.0.0.1"}))

    with pytest.raises(FetchTimeout) as caught:
        await fetch(f"{site}/slow.xml", policy=policy)

    assert "0.5초" in str(caught.value)
    assert isinstance(caught.value, FetchError) and isinstance(caught.value, ConnectorError)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("211.234.10.20", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.0.10", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),  # cloud metadata
        ("224.0.0.251", False),  # multicast
        ("240.0.0.1", False),  # reserved
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 wrapping 127.0.0.1
    ],
)
def test_public_address_rules(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://calendar.google.com/calendar/ical/abc%40group.calendar.google.com/private-0a1b2c/basic.ics",
            "https://calendar.google.com/calendar/ical/abc%40group.calendar.google.com/private-***/basic.ics",
        ),
        ("https://rss.example.kr/feed.xml?token=s3cret&x=1", "https://rss.example.kr/feed.xml?***"),
        ("https://user:pw@rss.example.kr:8443/feed.xml", "https://rss.example.kr:8443/feed.xml"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown
