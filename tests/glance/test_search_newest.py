"""Search newest first: the SQLite index keyed by posting time (migration 0008) gives exactly the order
of (posted_at, id), on ties within a second, across pages, after edits and deletions, on both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, text, update

from hub.db import Database
from hub.models import FeedItem, FeedItemCategory, FeedItemSource
from hub.search import SEARCH_KEY_ID_MASK, search_key
from hub.services.feed import FeedOrder, FeedQuery, feed_page
from tests.support.factories import BASE, ingest, organisation, post

ITEM = FeedItem.__table__  # type: ignore[attr-defined]
SOURCE = FeedItemSource.__table__  # type: ignore[attr-defined]
CATEGORY = FeedItemCategory.__table__  # type: ignore[attr-defined]
SUBJECTS = ["어르신 합창", "마을 텃밭", "아이들 그림책", "학부모 독서", "주민 요가", "동아리 사진"]


async def _posts(db: Database) -> dict[int, object]:
    """Six posts stored in one order and posted in another: a backfilled old post stored last but one,
    and three posted within the same second, microseconds apart, stored against their posting order."""
    org = await organisation(db)
    posted = [
        BASE + timedelta(microseconds=900_000),
        BASE + timedelta(hours=3),
        BASE + timedelta(microseconds=100_000),
        BASE + timedelta(microseconds=500_000),
        BASE - timedelta(days=400),  # an old post imported late
        BASE + timedelta(hours=1),
    ]
    ids: dict[int, object] = {}
    for n, (subject, at) in enumerate(zip(SUBJECTS, posted, strict=True)):
        raw = post(
            n, title=f"{subject} 공개 발표회", body=f"{subject} 모임이 공개 발표회를 엽니다.", posted_at=at
        )
        result = await ingest(db, org, raw)
        assert result.item_id is not None
        ids[result.item_id] = at
    return ids


def _newest_first(ids: dict[int, object]) -> list[int]:
    return sorted(ids, key=lambda i: (ids[i], i), reverse=True)


async def _all_pages(db: Database, size: int) -> list[int]:
    found: list[int] = []
    after = None
    while True:
        page = await feed_page(db, FeedQuery(text="발표회", order=FeedOrder.NEWEST), first=size, after=after)
        found += [record.id for record in page.items]
        if not page.has_next_page:
            return found
        after = page.cursors[-1]


async def test_newest_search_is_in_posting_order_exactly(db: Database) -> None:
    ids = await _posts(db)
    expected = _newest_first(ids)
    assert expected != sorted(ids, reverse=True)  # storage order differs: the test can tell them apart
    page = await feed_page(db, FeedQuery(text="발표회", order=FeedOrder.NEWEST), first=10)
    assert [record.id for record in page.items] == expected
    # Pages of two cut through the three posts of one second; nothing is skipped or repeated.
    assert await _all_pages(db, 2) == expected
    assert await _all_pages(db, 1) == expected
    # A word only some posts have, with the same order.
    choir = await feed_page(db, FeedQuery(text="합창", order=FeedOrder.NEWEST), first=10)
    assert [record.id for record in choir.items] == [i for i in expected if i == choir.items[0].id]


async def test_edits_and_deletions_keep_the_index_in_step(db: Database) -> None:
    ids = await _posts(db)
    oldest = _newest_first(ids)[-1]
    async with db.write() as session:
        # A correction of when it was posted moves the item to the front; a deleted item disappears.
        await session.execute(
            update(ITEM).where(ITEM.c.id == oldest).values(posted_at=BASE + timedelta(days=1))
        )
        gone = _newest_first(ids)[0]
        for table, column in ((SOURCE, SOURCE.c.item_id), (CATEGORY, CATEGORY.c.item_id), (ITEM, ITEM.c.id)):
            await session.execute(delete(table).where(column == gone))
    page = await feed_page(db, FeedQuery(text="발표회", order=FeedOrder.NEWEST), first=10)
    found = [record.id for record in page.items]
    assert found[0] == oldest and gone not in found and len(found) == len(ids) - 1
    if db.dialect == "sqlite":
        async with db.write() as session:
            # FTS5's own check: every entry matches the table (a wrong key in a trigger would fail here).
            await session.execute(text("INSERT INTO feed_item_fts(feed_item_fts) VALUES ('integrity-check')"))


def test_search_key_sorts_like_posted_second_then_id() -> None:
    early, late = BASE, BASE + timedelta(seconds=1)
    assert search_key(early, 2) < search_key(early, 3) < search_key(late, 1)
    assert search_key(late, 123_456) & SEARCH_KEY_ID_MASK == 123_456  # the id, as the SQL reads it
    assert search_key(BASE + timedelta(microseconds=999_999), 7) == search_key(BASE, 7)
