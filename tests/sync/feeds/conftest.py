"""The feed site served over real HTTP on 127.0.0.1 once per session, emptied before every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.server import serve_asgi
from tests.sync.feeds.support import FeedSite, create_site


@pytest.fixture(scope="session")
def _served_site() -> Iterator[FeedSite]:
    site = FeedSite()
    with serve_asgi(create_site(site)) as url:
        site.base_url = url
        yield site


@pytest.fixture
def site(_served_site: FeedSite) -> Iterator[FeedSite]:
    _served_site.reset()
    yield _served_site
    _served_site.reset()
