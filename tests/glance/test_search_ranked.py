"""Ranked search (RELEVANCE) pages: on SQLite only the best hits of the window are joined to their items,
and the pages are exactly those of joining every hit, also when hidden items crowd the best hits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from hub.db import Database
from hub.enums import ItemStatus
from hub.models import FeedItem
from hub.services import feed
from hub.services.feed import RANKED_TOP_MARGIN, FeedOrder, FeedQuery, feed_page
from tests.support.factories import BASE, ingest, organisation, post
from tests.support.graph import count_statements

ITEM = FeedItem.__table__  # type: ignore[attr-defined]
PAGE = 5
# Hidden items fill all but three of the best hits read first: the first page must be read the whole way.
HIDDEN = PAGE + 1 + RANKED_TOP_MARGIN - 3


async def _posts(db: Database) -> tuple[set[int], set[int]]:
    """Public posts that say 발표회 in their title (a third) or only in their body; hidden ones (in review,
    withdrawn), posted last with it in their title, which rank above every public one."""
    org = await organisation(db)
    public: set[int] = set()
    hidden: set[int] = set()
    for n in range(HIDDEN + 20):
        is_hidden = n >= 20
        title = f"마을 발표회 소식 {n}" if is_hidden or n % 3 == 0 else f"모임 소식 {n}"
        body = f"마을 발표회 안내 {n}번"
        raw = post(n, title=title, body=body, posted_at=BASE + timedelta(minutes=n))
        result = await ingest(db, org, raw)
        assert result.item_id is not None
        (hidden if is_hidden else public).add(result.item_id)
    async with db.write() as session:
        for number, item_id in enumerate(sorted(hidden)):
            status = ItemStatus.WITHDRAWN if number % 2 else ItemStatus.PENDING_REVIEW
            await session.execute(update(ITEM).where(ITEM.c.id == item_id).values(status=status.value))
    return public, hidden


async def _walk(db: Database, words: str = "발표회") -> list[list[int]]:
    pages: list[list[int]] = []
    after = None
    while True:
        page = await feed_page(db, FeedQuery(text=words, order=FeedOrder.RELEVANCE), first=PAGE, after=after)
        pages.append([record.id for record in page.items])
        if not page.has_next_page:
            return pages
        after = page.cursors[-1]


async def test_ranked_pages_equal_joining_every_hit(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    public, hidden = await _posts(db)
    with count_statements(db) as statements:
        fast = await _walk(db)
    monkeypatch.setattr(feed, "_ranks_top_first", lambda _shape: False)
    whole = await _walk(db)
    assert fast == whole
    shown = [item_id for page in fast for item_id in page]
    assert sorted(shown) == sorted(public), "every public match once, no hidden one"
    assert all(len(page) == PAGE for page in fast[:-1])
    assert len(fast) == 4  # twenty public matches, five a page
    # Titles with the word first, newest first; then the rest, newest first.
    in_order = sorted(public)  # stored, and posted, in order
    titled = [in_order[n] for n in range(0, 20, 3)]
    assert shown == sorted(titled, reverse=True) + sorted(set(public) - set(titled), reverse=True)
    if db.is_sqlite:
        top_first = [s for s in statements.statements if "ORDER BY title_hits DESC, key DESC LIMIT" in s]
        assert top_first, "SQLite pages read the best hits first"
    assert not hidden & set(shown)


async def _levelled(db: Database) -> dict[str, list[int]]:
    """Posts whose title holds both words, one of them, or neither (the rest in the body), posted in
    that order; the two newest with both words in the title are withdrawn. Ids by level, newest first."""
    org = await organisation(db)
    levels: dict[str, list[int]] = {"both": [], "one": [], "none": [], "hidden": []}
    kinds = (
        [("마을 발표회", "함께 모입니다.", "both")] * 10
        + [("마을 발표회", "함께 모입니다.", "hidden")] * 2
        + [("발표회 소식", "마을 사람들이 모입니다.", "one")] * 6
        + [("모임 소식", "마을 발표회를 엽니다.", "none")] * 6
    )
    for n, (title, body, level) in enumerate(kinds):
        raw = post(n, title=f"{title} {n}", body=body, posted_at=BASE + timedelta(minutes=n))
        result = await ingest(db, org, raw)
        assert result.item_id is not None
        levels[level].insert(0, result.item_id)
    async with db.write() as session:
        await session.execute(
            update(ITEM).where(ITEM.c.id.in_(levels["hidden"])).values(status=ItemStatus.WITHDRAWN.value)
        )
    return levels


async def test_titles_holding_every_word_answer_a_page_alone(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    levels = await _levelled(db)
    with count_statements(db) as first_page:
        await feed_page(db, FeedQuery(text="마을 발표회", order=FeedOrder.RELEVANCE), first=PAGE)
    fast = {words: await _walk(db, words) for words in ("마을 발표회", "발표회")}
    monkeypatch.setattr(feed, "_ranks_top_first", lambda _shape: False)
    whole = {words: await _walk(db, words) for words in ("마을 발표회", "발표회")}
    assert fast == whole
    both = [i for page in fast["마을 발표회"] for i in page]
    assert both == levels["both"] + levels["one"] + levels["none"]
    one = [i for page in fast["발표회"] for i in page]
    assert one == levels["one"] + levels["both"] + levels["none"]  # 발표회 is in both titles: newest first
    if db.is_sqlite:
        # Ten public titles hold both words: the first page is theirs, read in one statement.
        assert len(first_page.statements) == 1 and "LIMIT 1 OFFSET" in first_page.statements[0]
