"""BAND sync tests: the simulator over real HTTP on 127.0.0.1, a fresh database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hub.db import Database
from hub.models import FeedItem, FeedItemSource
from hub.records import OrganisationRecord
from hub.scheduler import Scheduler, SyncOutcome
from hub.secrets import SecretBox
from hub.services.organisations import add_organisation, organisations_by_slugs
from hub.services.sources import SourceRecord, add_source, get_source
from hub.sync.band import make_band_syncer
from org_connectors import SourceKind
from org_connectors.band import RetryPolicy
from org_connectors.band.simulator import BandSimulatorState, create_band_simulator
from tests.support.graph import settings_for
from tests.support.server import serve_asgi

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "seeds" / "namwon" / "band"
EXAMPLES = FIXTURES / "examples"
TOKEN = "ZQAAAsyncTestToken-namwon-7Hq2_secretvalue-2026"
SECRET_KEY = "band-sync-tests-secret-key-0123456789abcdef"
FAST_RETRY = RetryPolicy(attempts=3, base=0.01, cap=0.03)
BOX = SecretBox(SECRET_KEY)

_item = FeedItem.__table__  # type: ignore[attr-defined]
_ref = FeedItemSource.__table__  # type: ignore[attr-defined]


@pytest.fixture
def sim() -> BandSimulatorState:
    return BandSimulatorState(access_tokens={TOKEN}, timeout_seconds=1.0, slow_seconds=0.2)


@pytest.fixture
def band_url(sim: BandSimulatorState) -> Iterator[str]:
    with serve_asgi(create_band_simulator(sim)) as url:
        yield url


@dataclass
class Harness:
    """Connect bands and sync them the way the scheduler does (state, last error, next poll recorded)."""

    db: Database
    scheduler: Scheduler

    async def organisation(self, slug: str, area: str = "community") -> OrganisationRecord:
        found = (await organisations_by_slugs(self.db, [slug])).get(slug)
        return found or await add_organisation(self.db, slug=slug, name=f"{slug} 기관", area_slug=area)

    async def connect(
        self,
        slug: str,
        band_key: str,
        *,
        token: str | None = TOKEN,
        review: bool = True,
        name: str | None = None,
        **config: Any,
    ) -> SourceRecord:
        await self.organisation(slug)
        options: dict[str, Any] = {"band_key": band_key, "min_interval_seconds": 0, "page_limit": 20}
        options.update(config)
        return await add_source(
            self.db,
            BOX,
            organisation_slug=slug,
            kind=SourceKind.BAND,
            name=name or f"{slug} 밴드",
            config=options,
            secret=token,
            review_non_staff=review,
        )

    async def sync(self, source: SourceRecord) -> SyncOutcome:
        return await self.scheduler.sync_now(await get_source(self.db, source.id))

    async def source(self, source: SourceRecord) -> SourceRecord:
        return await get_source(self.db, source.id)


@pytest.fixture
def harness(db: Database, band_url: str, tmp_path: Path) -> Harness:
    settings = settings_for(db.url, tmp_path, band_api_base=band_url, secret_key=SECRET_KEY)
    syncers = {SourceKind.BAND: make_band_syncer(retry=FAST_RETRY, timeout=0.5)}
    return Harness(db, Scheduler(db, settings, syncers))


@dataclass(frozen=True)
class StoredItem:
    id: int
    external_id: str | None
    status: str
    title: str
    body: str
    tags: list[str]
    images: list[str]


async def stored_items(db: Database, organisation_id: int) -> list[StoredItem]:
    """The organisation's posts as stored: one row per BAND reference it owns (with the item showing it,
    which may be another organisation's item when the pipeline merged a co-hosted event), plus its items
    that no reference shows any more (withdrawn)."""
    columns = (_item.c.id, _ref.c.external_id, _item.c.status, _item.c.title, _item.c.body, _item.c.tags)
    referenced = (
        select(*columns, _item.c.images)
        .select_from(_ref.join(_item, _ref.c.item_id == _item.c.id))
        .where(_ref.c.organisation_id == organisation_id)
    )
    orphaned = (
        select(*columns, _item.c.images)
        .select_from(_item.outerjoin(_ref, _ref.c.item_id == _item.c.id))
        .where(_item.c.organisation_id == organisation_id, _ref.c.id.is_(None))
    )
    async with db.read() as conn:
        rows = [*(await conn.execute(referenced)).all(), *(await conn.execute(orphaned)).all()]
    rows.sort(key=lambda r: (r[0], r[1] or ""))
    return [StoredItem(r[0], r[1], r[2], r[3], r[4], list(r[5] or []), list(r[6] or [])) for r in rows]


def live(items: list[StoredItem]) -> dict[str, StoredItem]:
    """Items a reader could see, keyed by post_key."""
    out: dict[str, StoredItem] = {}
    for item in items:
        if item.external_id is not None and item.status != "WITHDRAWN":
            post_key = item.external_id.split(":", 1)[1]
            assert post_key not in out, f"two items for {item.external_id}"
            out[post_key] = item
    return out


MEMBER = {"name": "최회원", "role": "member", "description": "", "user_key": "AACsyncMember000000001"}
LEADER = {"name": "김센터장", "role": "leader", "description": "센터장", "user_key": "AABsyncLeader000000001"}
TOPICS = ("회의록", "활동 사진", "소식지", "예산 집행 현황", "자원봉사 후기", "공간 이용 안내")


def distinct_posts(
    band_key: str, count: int, *, member_every: int = 0, start: int = 0
) -> list[dict[str, Any]]:
    """API-shaped posts, oldest first, that announce no event: the pipeline never merges two of them."""
    posts = []
    for n in range(start, start + count):
        author = MEMBER if member_every and n % member_every == 0 else LEADER
        posts.append(
            {
                "post_key": f"AAD{band_key[-6:]}{n:015d}",
                "content": f"[{TOPICS[n % len(TOPICS)]} {n}호] 남원 마을활동가 네트워크의 {n}번째 소식입니다.\n"
                f"<band:hashtag>#마을</band:hashtag>",
                "author": dict(author),
                "created_at": 1_767_225_600_000 + n * 3_600_000,
            }
        )
    return posts
