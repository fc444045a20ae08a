"""BAND's three-legged OAuth (reference §1.2): the authorize URL and the code-for-token exchange.

BAND documents the token call as `oauth2/token?grant_type=authorization_code&code=…` with HTTP Basic
client credentials; clients in the wild send it as a GET with query parameters or as a POST with form
fields. `exchange_code` sends the documented GET first and falls back to the POST form when the server
refuses the method, and parses the response defensively: only `access_token` is certain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import urlencode

import httpx
import orjson

from org_connectors.band.errors import (
    BandError,
    BandMalformedResponse,
    BandRejected,
    BandRetryable,
)

DEFAULT_AUTH_BASE = "https://auth.band.us"
AUTHORIZE_PATH = "/oauth2/authorize"
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a URL path, not a password
TOKEN_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
_METHOD_REFUSED = frozenset({404, 405, 501})


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What BAND granted. Secrets are left out of `repr` so a logged grant leaks nothing."""

    access_token: str = field(repr=False)
    token_type: str | None = None
    refresh_token: str | None = field(default=None, repr=False)
    expires_in: timedelta | None = None
    scope: str | None = None
    user_key: str | None = None


def authorize_url(base_auth_url: str, client_id: str, redirect_uri: str, state: str) -> str:
    """Where to send a staff member's browser; BAND answers with `302 {redirect_uri}?code=…`."""
    base = base_auth_url.rstrip("/")
    if not base.endswith(AUTHORIZE_PATH):
        base += AUTHORIZE_PATH
    query = urlencode(
        {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "state": state}
    )
    return f"{base}?{query}"


def _text(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def parse_token_response(body: object) -> TokenGrant:
    """Accepts the bare OAuth JSON or the same fields wrapped in BAND's `result_data` envelope."""
    if isinstance(body, Mapping) and isinstance(body.get("result_data"), Mapping):
        body = body["result_data"]
    if not isinstance(body, Mapping) or not _text(body, "access_token"):
        raise BandMalformedResponse(
            "BAND 토큰 응답에 access_token이 없습니다 / The BAND token response has no access_token",
            where="oauth2/token",
        )
    expires = _text(body, "expires_in")
    return TokenGrant(
        access_token=str(_text(body, "access_token")),
        token_type=_text(body, "token_type"),
        refresh_token=_text(body, "refresh_token"),
        expires_in=timedelta(seconds=int(expires)) if expires and expires.isdigit() else None,
        scope=_text(body, "scope"),
        user_key=_text(body, "user_key"),
    )


async def _send(
    http: httpx.AsyncClient,
    method: Literal["GET", "POST"],
    token_url: str,
    fields: dict[str, str],
    auth: httpx.BasicAuth,
) -> httpx.Response | BandError:
    try:
        if method == "GET":
            return await http.get(token_url, params=fields, auth=auth, timeout=TOKEN_TIMEOUT)
        return await http.post(token_url, data=fields, auth=auth, timeout=TOKEN_TIMEOUT)
    except httpx.TimeoutException:
        return BandRetryable("BAND 인증 서버가 제때 응답하지 않았습니다 / BAND's auth server timed out")
    except httpx.TransportError as exc:
        return BandRetryable(
            "BAND 인증 서버에 연결하지 못했습니다 / Could not reach BAND's auth server "
            f"({type(exc).__name__})"
        )


async def exchange_code(
    http: httpx.AsyncClient,
    token_url: str,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    *,
    method: Literal["auto", "GET", "POST"] = "auto",
) -> TokenGrant:
    """Trade an authorization code for a token. Errors never contain the code, secret or token."""
    fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    auth = httpx.BasicAuth(client_id, client_secret)
    order: tuple[Literal["GET", "POST"], ...] = ("GET", "POST") if method == "auto" else (method,)
    outcome: httpx.Response | BandError | None = None
    for attempt in order:
        outcome = await _send(http, attempt, token_url, fields, auth)
        if isinstance(outcome, BandError):
            raise outcome
        if outcome.status_code not in _METHOD_REFUSED:
            break
    assert isinstance(outcome, httpx.Response)
    status = outcome.status_code
    try:
        body: object = orjson.loads(outcome.content)
    except orjson.JSONDecodeError:
        body = None
    if status >= 500:
        raise BandRetryable(
            f"BAND 인증 서버 오류입니다 / BAND's auth server failed (HTTP {status})", status=status
        )
    if status >= 400 or (isinstance(body, Mapping) and body.get("result_code") not in (None, 1)):
        reason = ""
        if isinstance(body, Mapping):
            error = body.get("error")
            reason = f", {error}" if isinstance(error, str) and error.isascii() and len(error) < 60 else ""
        raise BandRejected(
            "BAND가 인증 코드를 받아들이지 않았습니다. 연결을 처음부터 다시 시작해 주세요"
            f" / BAND refused the authorization code; please start connecting again (HTTP {status}{reason})",
            status=status,
            endpoint="oauth2/token",
        )
    return parse_token_response(body)
