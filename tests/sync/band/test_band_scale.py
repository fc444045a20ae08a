"""3 organisations × 2 bands × 250 posts, then edits, new posts and deletions: exactly the right items."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from hub.enums import PUBLIC_STATUSES, ItemStatus
from hub.models import FeedItem, FeedItemSource, Tombstone
from org_connectors.band.simulator import BandSimulatorState, generate_posts
from tests.sync.band.conftest import Harness, live, stored_items

_ref = FeedItemSource.__table__  # type: ignore[attr-defined]
ORGANISATIONS = ("namwon-community-center", "namwon-culture-city", "chunhyanggol-education")
POSTS = 250


async def test_three_organisations_two_bands_each_end_with_exactly_the_right_items(
    harness: Harness, sim: BandSimulatorState
) -> None:
    sources = []
    for n, slug in enumerate(ORGANISATIONS):
        for b in range(2):
            band_key = f"AAAnwScale{n}{b}000000000000"
            sim.add_band(band_key, f"{slug} 밴드 {b + 1}")
            sim.add_posts(band_key, generate_posts(band_key, POSTS, seed=n * 10 + b, member_share=0.0))
            sources.append(
                (band_key, await harness.connect(slug, band_key, page_limit=100, reconcile_every_syncs=1))
            )

    async def sync_all() -> None:
        # One after another: the scheduler's own concurrency is covered by the two-process lease test.
        for _, source in sources:
            outcome = await harness.sync(source)
            assert outcome.failure is None, outcome.failure

    await sync_all()

    edited: dict[str, str] = {}
    deleted: dict[str, str] = {}
    for index, (band_key, _) in enumerate(sources):
        keys = sim.post_keys(band_key)
        for n, key in enumerate(keys[5:250:25]):  # 10 edits spread over the whole list
            text = f"[그림책 모임 {index}-{n}] 수정본입니다. 준비물은 각자 좋아하는 그림책 한 권입니다."
            sim.edit_post(band_key, key, text)
            edited[key] = text
        for key in keys[12:250:50]:  # 5 deletions, none of them edited
            if key not in edited:
                sim.delete_post(band_key, key)
                deleted[key] = band_key
        for n in range(3):
            sim.add_post(band_key, f"[새 소식 {index}-{n}] 4월 마을 원탁회의에 초대합니다.")

    await sync_all()  # incremental: edits and new posts arrive; deletions wait for the full listing
    await sync_all()  # reconciliation (every sync after the first here): deletions are withdrawn

    refs = 0
    for slug in ORGANISATIONS:
        organisation = await harness.organisation(slug)
        items = await stored_items(harness.db, organisation.id)
        bands = [band_key for band_key, source in sources if source.organisation_id == organisation.id]
        visible = live(items)  # also asserts no post has two references
        assert set(visible) == {key for band_key in bands for key in sim.post_keys(band_key)}
        assert all(ItemStatus(item.status) in PUBLIC_STATUSES for item in visible.values())
        refs += len(visible)
        # The pipeline may merge two posts announcing the same event into one item (hub.ingest.dedupe);
        # an edit shows on an item whose only source is the edited post.
        async with harness.db.read() as conn:
            sources_per_item: dict[int, int] = dict(
                (await conn.execute(select(_ref.c.item_id, func.count()).group_by(_ref.c.item_id))).all()
            )
        changed = [key for key in visible if key in edited and sources_per_item[visible[key].id] == 1]
        assert len(changed) >= 8
        stale = [
            visible[key] for key in changed if "수정본입니다" not in visible[key].title + visible[key].body
        ]
        assert not stale, stale[:2]
        gone = [key for key, band in deleted.items() if band in bands]
        assert len(gone) == 10 and not set(gone) & set(visible)
    async with harness.db.read() as conn:
        tombstones = set((await conn.execute(select(Tombstone.external_id))).scalars())
        withdrawn = (
            await conn.execute(
                select(func.count()).select_from(FeedItem).where(col(FeedItem.status) == "WITHDRAWN")
            )
        ).scalar_one()
    assert {t.split(":", 1)[1] for t in tombstones} == set(deleted)
    # Every post ever listed is either shown by exactly one reference or tombstoned: none lost, none twice.
    assert refs + len(tombstones) == 6 * POSTS + 6 * 3
    assert 0 < withdrawn <= len(deleted)
