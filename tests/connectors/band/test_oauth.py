"""Three-legged OAuth against the simulator's authorize and token endpoints (reference §1.2)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from org_connectors.band.client import BandClient
from org_connectors.band.errors import BandMalformedResponse, BandRejected
from org_connectors.band.oauth import TokenGrant, authorize_url, exchange_code, parse_token_response
from org_connectors.band.simulator import BandSimulatorState
from tests.connectors.band.conftest import FAST_RETRY, YOUTH_BAND

CLIENT_ID = "namwon-hub-app-01"
CLIENT_SECRET = "s3cr3t-namwon-hub-client"
REDIRECT = "https://hub.namwon.example/oauth/band/callback?org=namwon-youth"


def test_authorize_url_carries_every_parameter_encoded() -> None:
    url = authorize_url("https://auth.band.us", CLIENT_ID, REDIRECT, "st-1 2/3")
    parts = urlsplit(url)

    assert (parts.scheme, parts.netloc, parts.path) == ("https", "auth.band.us", "/oauth2/authorize")
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": [CLIENT_ID],
        "redirect_uri": [REDIRECT],
        "state": ["st-1 2/3"],
    }
    assert authorize_url("https://auth.band.us/oauth2/authorize/", CLIENT_ID, REDIRECT, "s").startswith(
        "https://auth.band.us/oauth2/authorize?"
    )


async def _consent(http: httpx.AsyncClient, base_url: str, state_value: str = "org-state-7") -> str:
    response = await http.get(authorize_url(base_url, CLIENT_ID, REDIRECT, state_value))
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    query = parse_qs(location.query)
    assert location.path == "/oauth/band/callback"
    assert query["state"] == [state_value] and query["org"] == ["namwon-youth"]
    return query["code"][0]


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_code_exchange_in_either_form_gives_a_working_token(
    base_url: str, state: BandSimulatorState, method: Literal["GET", "POST"]
) -> None:
    state.register_oauth_client(CLIENT_ID, CLIENT_SECRET, grant_bands=[YOUTH_BAND])
    async with httpx.AsyncClient() as http:
        code = await _consent(http, base_url)
        grant = await exchange_code(
            http, base_url + "/oauth2/token", CLIENT_ID, CLIENT_SECRET, code, REDIRECT, method=method
        )
        async with BandClient(base_url, grant.access_token, http=http, retry=FAST_RETRY) as band:
            bands = await band.list_bands()

    assert [b.name for b in bands] == ["남원 청년모임 '청춘남원'"]  # only the band the user granted
    assert grant.token_type == "bearer"
    assert grant.refresh_token and grant.expires_in == timedelta(seconds=315359999)
    assert grant.user_key == state.user_key
    assert [r.method for r in state.requests if r.path == "/oauth2/token"] == [method]


async def test_auto_falls_back_to_post_when_get_is_refused(base_url: str, state: BandSimulatorState) -> None:
    state.register_oauth_client(CLIENT_ID, CLIENT_SECRET)
    state.token_methods = frozenset({"POST"})
    async with httpx.AsyncClient() as http:
        code = await _consent(http, base_url)
        grant = await exchange_code(
            http, base_url + "/oauth2/token", CLIENT_ID, CLIENT_SECRET, code, REDIRECT
        )

    assert grant.access_token.startswith("ZQ")
    assert [r.method for r in state.requests if r.path == "/oauth2/token"] == ["GET", "POST"]


async def test_a_used_code_or_wrong_secret_is_refused_without_leaking_them(
    base_url: str, state: BandSimulatorState
) -> None:
    state.register_oauth_client(CLIENT_ID, CLIENT_SECRET)
    token_url = base_url + "/oauth2/token"
    async with httpx.AsyncClient() as http:
        code = await _consent(http, base_url)
        await exchange_code(http, token_url, CLIENT_ID, CLIENT_SECRET, code, REDIRECT)
        with pytest.raises(BandRejected) as reused:
            await exchange_code(http, token_url, CLIENT_ID, CLIENT_SECRET, code, REDIRECT)
        fresh = await _consent(http, base_url)
        with pytest.raises(BandRejected) as wrong_secret:
            await exchange_code(http, token_url, CLIENT_ID, "not-the-secret", fresh, REDIRECT)

    for exc in (reused.value, wrong_secret.value):
        assert "다시 시작" in str(exc)
        assert code not in str(exc) and fresh not in str(exc) and CLIENT_SECRET not in str(exc)


async def test_an_unknown_app_cannot_start_authorization(base_url: str) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.get(authorize_url(base_url, "unknown-app", REDIRECT, "s"))

    assert response.status_code == 400


def test_token_responses_are_read_defensively() -> None:
    wrapped = parse_token_response(
        {"result_code": 1, "result_data": {"access_token": "ZQx", "expires_in": "3600"}}
    )
    bare = parse_token_response({"access_token": "ZQy"})

    assert wrapped.expires_in == timedelta(hours=1) and wrapped.refresh_token is None
    assert bare == TokenGrant(access_token="ZQy")
    assert "ZQy" not in repr(bare)
    with pytest.raises(BandMalformedResponse):
        parse_token_response({"token_type": "bearer"})
