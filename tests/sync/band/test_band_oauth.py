"""Staff connect bands through BAND's authorization-code flow, end to end against the simulator."""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path

import httpx
from sqlmodel import select

from hub.app import create_app
from hub.auth.roles import Role
from hub.db import Database
from hub.models import Source
from hub.services import accounts
from hub.services.sources import SourceState, get_source, list_sources, open_secret
from hub.web.band_oauth import make_state, read_state
from org_connectors.band.simulator import BandSimulatorState, create_band_simulator, load_band_fixtures
from tests.support.factories import organisation
from tests.support.graph import settings_for, staff_token
from tests.support.server import free_port, serve_asgi
from tests.sync.band.conftest import BOX, FIXTURES, SECRET_KEY, Harness

CLIENT_ID, CLIENT_SECRET = "namwon-hub-app", "band-app-secret-for-tests"
COMMUNITY, YOUTH = "AAAnwCommunitySupport001", "AAAnwYouthGathering00001"


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_a_staff_member_connects_the_bands_they_pick(db: Database, tmp_path: Path) -> None:
    sim = BandSimulatorState()
    load_band_fixtures(FIXTURES, sim)
    sim.register_oauth_client(CLIENT_ID, CLIENT_SECRET, grant_bands={COMMUNITY, YOUTH})
    sim.token_methods = frozenset({"POST"})  # this "BAND" only takes the form-post exchange
    await organisation(db, "namwon-community-center", area="community")
    await organisation(db, "namwon-youth", area="youth")
    port = free_port()
    with serve_asgi(create_band_simulator(sim)) as band:
        settings = settings_for(
            db.url, tmp_path, band_api_base=band, band_auth_base=band, band_client_id=CLIENT_ID,
            band_client_secret=CLIENT_SECRET, public_url=f"http://127.0.0.1:{port}", secret_key=SECRET_KEY,
        )  # fmt: skip
        with serve_asgi(create_app(settings), port=port) as hub:  # its own engine, in its own loop
            async with httpx.AsyncClient(base_url=hub, follow_redirects=True) as browser:
                start = {"org": "namwon-community-center"}
                anonymous = await browser.get("/oauth/band/start", params=start)
                assert anonymous.status_code == 401 and "로그인" in anonymous.text
                outsider = await accounts.add_user(
                    db, email="youth@namwon.example", name="청년 담당", role=Role.ORG_STAFF,
                    password="남원-연결-허브-2026!", organisation_slug="namwon-youth",
                )  # fmt: skip
                other = (await accounts.open_session(db, outsider)).access_token
                forbidden = await browser.get("/oauth/band/start", params=start, headers=bearer(other))
                assert forbidden.status_code == 403
                staff = bearer(await staff_token(db))
                page = await browser.get("/oauth/band/start", params=start, headers=staff)
                assert page.status_code == 200, page.text
                assert "연결할 밴드 고르기" in page.text
                offered = re.findall(r'name="band_key" value="([^"]+)"', page.text)
                assert sorted(offered) == sorted([COMMUNITY, YOUTH])  # only the bands BAND granted
                grant = re.search(r'name="grant" value="([^"]+)"', page.text)
                assert grant is not None
                assert not re.search(r"ZQAA[\w-]{10,}", page.text)  # the token is sealed, never shown
                form = {"org": "namwon-community-center", "grant": grant.group(1), "band_key": COMMUNITY}
                done = await browser.post("/oauth/band/connect", data=form)
                assert done.status_code == 200 and "밴드를 연결했습니다" in done.text
                again = await browser.post("/oauth/band/connect", data=form)  # reconnecting: no second source
                assert again.status_code == 200

                forged = await browser.post("/oauth/band/connect", data={**form, "grant": "v1.AAAA"})
                assert forged.status_code == 400
                stale = make_state(settings, "namwon-community-center", now=time.time() - 601)
                expired = await browser.get("/oauth/band/callback", params={"code": "x", "state": stale})
                assert expired.status_code == 400 and "만료" in expired.text

    sources = await list_sources(db)
    assert [(s.name, s.config["band_key"]) for s in sources] == [("남원시 공동체지원센터", COMMUNITY)]
    token = await open_secret(db, BOX, sources[0])
    assert token is not None and token.startswith("ZQAA")
    async with db.read() as conn:
        stored = (await conn.execute(select(Source.secret))).scalar_one()
    assert token not in stored
    # The documented GET exchange was refused by this "BAND", so the hub fell back to the form post.
    assert [r.method for r in sim.requests if r.path == "/oauth2/token"] == ["GET", "POST"]


async def test_the_connected_token_syncs(harness: Harness, sim: BandSimulatorState, tmp_path: Path) -> None:
    load_band_fixtures(FIXTURES, sim)
    sim.register_oauth_client(CLIENT_ID, CLIENT_SECRET)
    granted = sim._grant_token(None)["access_token"]  # what the token endpoint hands out
    source = await harness.connect("namwon-youth", YOUTH, token=granted)
    outcome = await harness.sync(source)
    assert outcome.failure is None and (await get_source(harness.db, source.id)).state is SourceState.OK


def test_state_is_bound_to_the_organisation_and_expires(tmp_path: Path) -> None:
    settings = settings_for("sqlite:///unused.sqlite3", tmp_path, secret_key=SECRET_KEY)
    state = make_state(settings, "namwon-youth", now=1_000_000)
    assert read_state(settings, state, now=1_000_000 + 599) == "namwon-youth"
    assert read_state(settings, state, now=1_000_000 + 601) is None
    other = settings_for(
        "sqlite:///unused.sqlite3", tmp_path, secret_key="another-secret-key-0123456789abcdef"
    )
    assert read_state(other, state, now=1_000_000) is None
    body = base64.urlsafe_b64decode(state + "=" * (-len(state) % 4)).decode()
    moved = base64.urlsafe_b64encode(body.replace("namwon-youth", "namwon-culture").encode()).decode()
    assert read_state(settings, moved, now=1_000_000) is None  # a state cannot be moved to another org
