"""Cost-based leaky buckets, one per client: an API key, a staff user, or the IP of an anonymous reader.

A bucket holds at most `capacity` points and drains at `rate` points per second; a request adds the
points its node estimate costs (`policy.points_for`) and is refused when it would overflow. Residents
behind one carrier IP (CGNAT) share a bucket, so the anonymous numbers are generous, and the trusted
documents answered from the response cache cost nothing (a cache hit is as cheap as a refusal).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

STATE_KEY: Final = "hub.limits"
MAX_TRACKED_CLIENTS: Final = 100_000  # least recently seen buckets are forgotten (they have drained anyway)
BURST_SECONDS: Final = 20  # capacity = 20 s worth of the drain rate
AUTHENTICATED_FACTOR: Final = 5


@dataclass(frozen=True, slots=True)
class BucketSpec:
    capacity: float
    rate: float  # points drained per second

    @classmethod
    def per_second(cls, rate: float) -> BucketSpec:
        return cls(capacity=rate * BURST_SECONDS, rate=rate)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the bucket is empty again
    retry_after: int  # when refused: until this request would fit

    def headers(self) -> list[tuple[bytes, bytes]]:
        found = [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(self.reset_seconds).encode()),
        ]
        if not self.allowed:
            found.append((b"retry-after", str(self.retry_after).encode()))
        return found


@dataclass(slots=True)
class _Bucket:
    level: float
    updated: float


class RateLimiter:
    """Leaky buckets keyed by client; not thread-safe (one event loop owns it)."""

    def __init__(
        self,
        anonymous: BucketSpec,
        authenticated: BucketSpec,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.anonymous = anonymous
        self.authenticated = authenticated
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @classmethod
    def per_second(cls, anonymous_rate: float) -> RateLimiter:
        return cls(
            BucketSpec.per_second(anonymous_rate),
            BucketSpec.per_second(anonymous_rate * AUTHENTICATED_FACTOR),
        )

    def _drained(self, key: str, spec: BucketSpec) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(0.0, now)
            if len(self._buckets) > MAX_TRACKED_CLIENTS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket.level = max(0.0, bucket.level - (now - bucket.updated) * spec.rate)
            bucket.updated = now
        return bucket

    def _decision(self, bucket: _Bucket, spec: BucketSpec, allowed: bool, points: float) -> Decision:
        overflow = bucket.level + points - spec.capacity
        return Decision(
            allowed=allowed,
            limit=int(spec.capacity),
            remaining=max(0, math.floor(spec.capacity - bucket.level)),
            reset_seconds=math.ceil(bucket.level / spec.rate),
            retry_after=max(1, math.ceil(overflow / spec.rate)) if not allowed else 0,
        )

    def charge(self, key: str, points: float, *, authenticated: bool) -> Decision:
        """Add `points` to the client's bucket if they fit; say how much is left either way."""
        spec = self.authenticated if authenticated else self.anonymous
        bucket = self._drained(key, spec)
        allowed = bucket.level + points <= spec.capacity
        if allowed:
            bucket.level += points
        return self._decision(bucket, spec, allowed, points)

    def peek(self, key: str, *, authenticated: bool) -> Decision:
        """Would a one-point request fit right now? Nothing is charged."""
        spec = self.authenticated if authenticated else self.anonymous
        bucket = self._drained(key, spec)
        return self._decision(bucket, spec, bucket.level + 1 <= spec.capacity, 1)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Sequence[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_ip(peer: str, forwarded_for: str | None, proxies: Sequence[Network]) -> str:
    """The client's address: X-Forwarded-For is believed only when the peer is a trusted proxy, and then
    read right to left up to the first address that is not one of ours (the left part is client-written)."""
    if not forwarded_for or not proxies or not _trusted(peer, proxies):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


@dataclass(slots=True)
class RequestLimits:
    """Per-request state shared by the rate-limit middleware and the GraphQL extension (via scope state)."""

    limiter: RateLimiter
    client_ip: str
    decision: Decision | None = None
    nodes: int | None = None
    charged: bool = False
    extra_headers: list[tuple[bytes, bytes]] = field(default_factory=list)

    def charge(self, key: str, points: int, *, authenticated: bool) -> Decision:
        self.decision = self.limiter.charge(key, points, authenticated=authenticated)
        self.charged = True
        return self.decision

    def charge_quietly(self, key: str, points: int, *, authenticated: bool) -> None:
        """Charge if it fits, never refuse: for requests already answered with an error."""
        self.decision = replace(self.limiter.charge(key, points, authenticated=authenticated), allowed=True)
        self.charged = True
