"""Fixtures: the fixture site served over real HTTP on 127.0.0.1 for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.connectors.feeds.support import SiteState, create_site
from tests.support.server import serve_asgi


@pytest.fixture(scope="session")
def site_state() -> SiteState:
    return SiteState()


@pytest.fixture(scope="session")
def site(site_state: SiteState) -> Iterator[str]:
    with serve_asgi(create_site(site_state)) as url:
        yield url


@pytest.fixture
def calendar_v1(site_state: SiteState) -> Iterator[SiteState]:
    site_state.calendar_version = 1
    yield site_state
    site_state.calendar_version = 1
