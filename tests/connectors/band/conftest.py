"""The BAND simulator loaded with the Namwon fixtures, served over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from org_connectors.band.client import BandClient, RetryPolicy
from org_connectors.band.simulator import BandSimulatorState, create_band_simulator, load_band_fixtures
from tests.support.server import serve_asgi

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "seeds" / "namwon" / "band"
EXAMPLES = FIXTURES / "examples"

TOKEN = "ZQAAAnamwonHubTestToken-9f3Kx_2026secretvalue"
FAST_RETRY = RetryPolicy(attempts=4, base=0.01, cap=0.05)

COMMUNITY_BAND = "AAAnwCommunitySupport001"
YOUTH_BAND = "AAAnwYouthGathering00001"


@pytest.fixture
def state() -> BandSimulatorState:
    sim = BandSimulatorState(access_tokens={TOKEN}, timeout_seconds=3.0, slow_seconds=0.3)
    load_band_fixtures(FIXTURES, sim)
    return sim


@pytest.fixture
def base_url(state: BandSimulatorState) -> Iterator[str]:
    with serve_asgi(create_band_simulator(state)) as url:
        yield url


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[BandClient]:
    async with BandClient(base_url, TOKEN, retry=FAST_RETRY, timeout=2.0) as band:
        yield band
