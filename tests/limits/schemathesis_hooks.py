"""A schemathesis check for the hub (loaded through SCHEMATHESIS_HOOKS by test_fuzz.py).

schemathesis' own `not_a_server_error` treats every error with a `path` and an unfamiliar code
(`NOT_FOUND`, `UNAUTHENTICATED`) as a server failure. The hub labels real failures: a 5xx, or an error
whose code is `INTERNAL_SERVER_ERROR` (a resolver raised something unexpected, masked with the request id).
"""

from __future__ import annotations

from typing import Any

import schemathesis  # type: ignore[import-not-found,unused-ignore]


def hub_no_internal_error(ctx: Any, response: Any, case: Any) -> None:
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:500]}")
    body = response.json()
    errors = body.get("errors") or [] if isinstance(body, dict) else []
    internal = [e for e in errors if (e.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"]
    if internal:
        raise AssertionError(f"internal error: {internal[0]}")


schemathesis.check(hub_no_internal_error)
