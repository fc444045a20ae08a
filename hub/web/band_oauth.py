"""Connecting a band the way BAND intends (reference §1.2): authorization code, then pick the bands.

    GET  /oauth/band/start?org=SLUG      → 302 to BAND's authorize page, with a signed `state`
    GET  /oauth/band/callback?code&state → exchange the code, list the staff member's bands, show a form
    POST /oauth/band/connect             → one BAND source per picked band, with the token sealed

No server-side session: `state` is `slug.expiry.nonce` signed with an HMAC key derived from the hub's
secret key, valid for 10 minutes; between the callback and the form post the token travels sealed
(AES-GCM, bound to the organisation) in a hidden field with its own expiry. Picking a band the
organisation already connected replaces its token and resumes it (reconnecting).

Until staff sign-in exists these endpoints are open: anyone who can reach them can connect a band they
themselves can read to any organisation. Deploy them behind the staff network or proxy auth until then.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import time
from collections.abc import Sequence
from datetime import UTC, datetime

import httpx
import orjson
from sqlalchemy import select, update
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hub.auth.policy import manages_organisation
from hub.db import Database
from hub.errors import HubError
from hub.models import Source
from hub.records import OrganisationRecord
from hub.secrets import SecretBox
from hub.services import accounts
from hub.services.organisations import organisations_by_slugs
from hub.services.sources import SourceState, add_source, secret_purpose
from hub.settings import Settings
from org_connectors import SourceKind
from org_connectors.band import (
    TOKEN_PATH,
    Band,
    BandClient,
    BandError,
    RetryPolicy,
    authorize_url,
    exchange_code,
)

STATE_TTL_SECONDS = 600
PENDING_PURPOSE = "band-oauth-pending"
CALLBACK_PATH = "/oauth/band/callback"
_source = Source.__table__  # type: ignore[attr-defined]
_RETRY = RetryPolicy(attempts=2, base=0.2, cap=1.0)


def _state_key(settings: Settings) -> bytes:
    return hashlib.sha256(
        b"yeongyeol band oauth state v1:" + settings.resolved_secret_key().encode()
    ).digest()


def make_state(settings: Settings, slug: str, *, now: float | None = None) -> str:
    expires = int((now if now is not None else time.time()) + STATE_TTL_SECONDS)
    body = f"{slug}.{expires}.{secrets.token_urlsafe(8)}"
    signature = hmac.new(_state_key(settings), body.encode(), hashlib.sha256).hexdigest()[:32]
    return base64.urlsafe_b64encode(f"{body}.{signature}".encode()).decode().rstrip("=")


def read_state(settings: Settings, state: str, *, now: float | None = None) -> str | None:
    """The organisation slug the state was issued for, or None if forged, garbled or expired."""
    try:
        text = base64.urlsafe_b64decode(state + "=" * (-len(state) % 4)).decode()
        body, _, signature = text.rpartition(".")
        slug, expires, _nonce = body.split(".")
    except (ValueError, UnicodeDecodeError):
        return None
    expected = hmac.new(_state_key(settings), body.encode(), hashlib.sha256).hexdigest()[:32]
    if not hmac.compare_digest(expected, signature) or not expires.isdigit():
        return None
    return slug if int(expires) >= (now if now is not None else time.time()) else None


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width"><title>{html.escape(title)}</title></head>'
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(document, status_code=status, headers={"cache-control": "no-store"})


def _problem(message: str, status: int) -> HTMLResponse:
    return _page("밴드 연결 / Connect BAND", f"<p>{html.escape(message)}</p>", status)


def routes(db: Database, settings: Settings) -> list[BaseRoute]:
    redirect_uri = settings.public_url.rstrip("/") + CALLBACK_PATH
    box = SecretBox(settings.resolved_secret_key())

    def configured() -> tuple[str, str] | None:
        if settings.band_client_id and settings.band_client_secret:
            return settings.band_client_id, settings.band_client_secret
        return None

    async def organisation(slug: str) -> OrganisationRecord | None:
        return (await organisations_by_slugs(db, [slug])).get(slug) if slug else None

    async def list_bands(token: str) -> list[Band]:
        async with BandClient(settings.band_api_base, token, retry=_RETRY, timeout=15.0) as client:
            return await client.list_bands()

    async def start(request: Request) -> Response:
        if configured() is None:
            return _problem(
                "BAND 앱 설정(HUB_BAND_CLIENT_ID, HUB_BAND_CLIENT_SECRET)이 없습니다 / "
                "The hub has no BAND app configured",
                503,
            )
        slug = request.query_params.get("org", "")
        org = await organisation(slug)
        if org is None:
            return _problem(f"알 수 없는 기관입니다: {slug} / Unknown organisation", 404)
        # Only the organisation's own staff may attach a band to its feed (the state then carries that).
        viewer = await accounts.authenticate(db, request.headers.get("authorization"))
        if not viewer.is_authenticated:
            return _problem(
                "기관 담당자로 로그인한 뒤 연결하세요 / Sign in as the organisation's staff first", 401
            )
        if not viewer.is_user or not manages_organisation(viewer, org.id):
            return _problem("이 기관의 밴드를 연결할 권한이 없습니다 / You may not connect bands for it", 403)
        client_id = settings.band_client_id or ""
        target = authorize_url(settings.band_auth_base, client_id, redirect_uri, make_state(settings, slug))
        return RedirectResponse(target, status_code=302, headers={"cache-control": "no-store"})

    async def callback(request: Request) -> Response:
        app = configured()
        if app is None:
            return _problem("BAND 앱 설정이 없습니다 / The hub has no BAND app configured", 503)
        slug = read_state(settings, request.query_params.get("state", ""))
        org = await organisation(slug or "")
        if slug is None or org is None:
            return _problem(
                "연결 요청이 만료되었거나 올바르지 않습니다. 처음부터 다시 시작해 주세요 / "
                "The connection request expired or is invalid; please start again",
                400,
            )
        code = request.query_params.get("code", "")
        if not code:
            return _problem("BAND가 연결을 허락하지 않았습니다 / BAND did not grant access", 400)
        try:
            async with httpx.AsyncClient(follow_redirects=False) as http:
                token_url = settings.band_auth_base.rstrip("/") + TOKEN_PATH
                grant = await exchange_code(http, token_url, app[0], app[1], code, redirect_uri)
            bands = await list_bands(grant.access_token)
        except BandError as exc:
            return _problem(f"{exc}", 502)
        pending = box.seal(
            orjson.dumps({"token": grant.access_token, "exp": int(time.time()) + STATE_TTL_SECONDS}).decode(),
            organisation_id=org.id,
            purpose=PENDING_PURPOSE,
        )
        return _page("연결할 밴드 고르기 / Choose bands to connect", _form(org, bands, pending))

    async def connect(request: Request) -> Response:
        form = await request.form()
        slug = str(form.get("org", ""))
        org = await organisation(slug)
        picked = [str(v) for v in form.getlist("band_key")]
        token: str | None = None
        if org is not None:
            try:
                pending = orjson.loads(
                    box.open(str(form.get("grant", "")), organisation_id=org.id, purpose=PENDING_PURPOSE)
                )
                token = str(pending["token"]) if int(pending["exp"]) >= time.time() else None
            except (HubError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                token = None
        if org is None or token is None:
            return _problem(
                "연결 요청이 만료되었거나 올바르지 않습니다. 처음부터 다시 시작해 주세요 / "
                "The connection request expired or is invalid; please start again",
                400,
            )
        if not picked:
            return _problem("고른 밴드가 없습니다 / No band was chosen", 400)
        try:
            bands = {band.band_key: band for band in await list_bands(token)}
        except BandError as exc:
            return _problem(f"{exc}", 502)
        connected = []
        for band_key in dict.fromkeys(picked):
            band = bands.get(band_key)
            if band is None:  # not one of this staff member's bands: ignore rather than trust the form
                continue
            await _connect_band(db, box, org, band, token)
            connected.append(band.name or band.band_key)
        items = "".join(f"<li>{html.escape(name)}</li>" for name in connected)
        return _page(
            "밴드를 연결했습니다 / Bands connected",
            f"<p>{html.escape(org.name)}: {len(connected)}개 / {len(connected)} band(s)</p><ul>{items}</ul>"
            "<p>새 글은 잠시 후부터 자동으로 모입니다 / New posts will be collected shortly.</p>",
        )

    return [
        Route("/oauth/band/start", start, methods=["GET"]),
        Route(CALLBACK_PATH, callback, methods=["GET"]),
        Route("/oauth/band/connect", connect, methods=["POST"]),
    ]


def _form(org: OrganisationRecord, bands: Sequence[Band], pending: str) -> str:
    if not bands:
        return "<p>이 계정이 연결을 허락한 밴드가 없습니다 / This account granted no bands.</p>"
    rows = "".join(
        f'<li><label><input type="checkbox" name="band_key" value="{html.escape(b.band_key)}"> '
        f"{html.escape(b.name or b.band_key)} ({b.member_count or 0}명)</label></li>"
        for b in bands
    )
    return (
        f"<p>{html.escape(org.name)}에 연결할 밴드를 고르세요 / Choose the bands to connect.</p>"
        '<form method="post" action="/oauth/band/connect">'
        f'<input type="hidden" name="org" value="{html.escape(org.slug)}">'
        f'<input type="hidden" name="grant" value="{html.escape(pending)}">'
        f'<ul>{rows}</ul><button type="submit">연결하기 / Connect</button></form>'
    )


async def _connect_band(
    db: Database, box: SecretBox, org: OrganisationRecord, band: Band, token: str
) -> None:
    """A new source for the band, or, if the organisation already has it, a fresh token and a resume."""
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(_source.c.id, _source.c.config).where(
                    _source.c.organisation_id == org.id, _source.c.kind == SourceKind.BAND.value
                )
            )
        ).all()
    existing = next((row[0] for row in rows if (row[1] or {}).get("band_key") == band.band_key), None)
    if existing is None:
        await add_source(
            db,
            box,
            organisation_slug=org.slug,
            kind=SourceKind.BAND,
            name=band.name or f"BAND {band.band_key}",
            config={"band_key": band.band_key},
            secret=token,
        )
        return
    sealed = box.seal(token, organisation_id=org.id, purpose=secret_purpose(SourceKind.BAND))
    async with db.write() as session:
        conn = await session.connection()
        await conn.execute(
            update(_source)
            .where(_source.c.id == existing)
            .values(
                secret=sealed,
                state=SourceState.OK.value,
                consecutive_failures=0,
                last_error=None,
                next_poll_at=datetime.now(UTC),
            )
        )
