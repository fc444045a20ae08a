"""Cost-based leaky buckets per client, with RateLimit-* headers, 429 + Retry-After, and recovery."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from hub.db import Database
from hub.limits.ratelimit import BucketSpec, RateLimiter, client_ip, parse_networks
from tests.limits.support import hub_http, staff_token


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_drains_at_its_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(BucketSpec(capacity=10, rate=2), BucketSpec(capacity=50, rate=10), clock=clock)
    assert limiter.charge("ip:1", 8, authenticated=False).remaining == 2
    refused = limiter.charge("ip:1", 5, authenticated=False)
    assert not refused.allowed and refused.retry_after == 2  # 3 points over at 2 points/s
    assert limiter.charge("ip:2", 5, authenticated=False).allowed  # another client, another bucket
    clock.now += 1.5  # 3 points drained
    assert limiter.charge("ip:1", 5, authenticated=False).allowed
    assert limiter.charge("user:7", 40, authenticated=True).allowed


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    proxies = parse_networks(["10.0.0.0/8"])
    assert client_ip("203.0.113.9", "198.51.100.1", proxies) == "203.0.113.9"  # not a proxy of ours
    assert client_ip("10.0.0.5", "198.51.100.1", proxies) == "198.51.100.1"
    # The left part is written by the client: read right to left up to the first outside address.
    assert client_ip("10.0.0.5", "1.2.3.4, 198.51.100.1, 10.0.0.7", proxies) == "198.51.100.1"
    assert client_ip("10.0.0.5", "198.51.100.1", ()) == "10.0.0.5"


async def post(http: httpx.AsyncClient, query: str, **headers: str) -> httpx.Response:
    return await http.post("/graphql", json={"query": query}, headers=headers)


async def test_anonymous_clients_are_throttled_by_cost_and_recover(lite: Database, tmp_path: Path) -> None:
    token = await staff_token(lite)
    # 5 points/s, a bucket of 100; a 20-item page with categories costs 4 points (420 nodes).
    async with hub_http(lite, tmp_path, rate_limit=5, trusted_proxies=["127.0.0.1/32"]) as http:
        first = await post(http, "{ __typename }")
        assert first.headers["ratelimit-limit"] == "100"
        assert first.headers["ratelimit-remaining"] == "99"
        page = "{ feed(first: 20) { edges { node { title categories { slug } sources { kind } } } } }"
        answers = [await post(http, page) for _ in range(30)]
        statuses = [answer.status_code for answer in answers]
        assert 200 in statuses and statuses[-1] == 429
        refused = answers[-1]
        assert int(refused.headers["retry-after"]) >= 1
        assert int(refused.headers["ratelimit-remaining"]) < 5
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert "요청이 너무 많습니다" in refused.json()["errors"][0]["message"]
        # Once full, even a cheap query is refused (before it is parsed)...
        cheap = await post(http, "{ __typename }")
        while cheap.status_code == 200:
            cheap = await post(http, "{ __typename }")
        assert cheap.status_code == 429 and "retry-after" in cheap.headers
        # ...while a staff member on the same address has a bucket of their own,
        staff = await post(http, "{ __typename }", authorization=f"Bearer {token}")
        assert staff.status_code == 200 and staff.headers["ratelimit-limit"] == "500"
        # and so does another resident behind our proxy (X-Forwarded-For, trusted here).
        neighbour = await post(http, "{ __typename }", **{"x-forwarded-for": "198.51.100.23"})
        assert neighbour.status_code == 200
        # A bucket drains: a second later a cheap query fits again.
        await asyncio.sleep(float(cheap.headers["retry-after"]) + 0.1)
        recovered = await post(http, "{ __typename }")
        assert recovered.status_code == 200


async def test_zero_turns_rate_limiting_off(lite: Database, tmp_path: Path) -> None:
    async with hub_http(lite, tmp_path, rate_limit=0) as http:
        answer = await post(http, "{ __typename }")
    assert answer.status_code == 200 and "ratelimit-limit" not in answer.headers
