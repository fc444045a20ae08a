"""The numbers: what one request may ask for, by who is asking. Documented in docs/security.md."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

MAX_BODY_BYTES: Final = 64 * 1024
EXECUTION_TIMEOUT_SECONDS: Final = 5.0
# GraphQL multipart uploads by authenticated staff only: a Kakao export (org_connectors.kakao's 20 MB cap,
# the same as `hub import kakao`) plus room for the `operations` and `map` parts and the part headers.
MAX_UPLOAD_BODY_BYTES: Final = 20 * 1024 * 1024 + MAX_BODY_BYTES
UPLOAD_TIMEOUT_SECONDS: Final = 60.0
CACHE_MAX_AGE_SECONDS: Final = 15
CACHE_STALE_WHILE_REVALIDATE_SECONDS: Final = 60
POINTS_PER_NODES: Final = 100  # GitHub: one rate-limit point per 100 requested nodes, at least 1


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """Per-request ceilings checked before execution."""

    max_tokens: int
    max_depth: int
    max_aliases: int
    # graphql-cop flags a server that answers ten unknown directives with ten errors: keep this below 10.
    max_directives: int
    max_nodes: int


ANONYMOUS: Final = QueryLimits(max_tokens=1000, max_depth=8, max_aliases=10, max_directives=8, max_nodes=2000)
STAFF: Final = QueryLimits(max_tokens=5000, max_depth=12, max_aliases=30, max_directives=30, max_nodes=10_000)


def limits_for(authenticated: bool) -> QueryLimits:
    return STAFF if authenticated else ANONYMOUS


def points_for(nodes: int) -> int:
    """Rate-limit points a request costs: one per started hundred nodes, at least one."""
    return max(1, -(-nodes // POINTS_PER_NODES))
