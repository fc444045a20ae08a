"""`hub seed demo` replays the Namwon blog, board and calendar files through the import, repeatably."""

from __future__ import annotations

from hub.db import Database
from hub.enums import ItemStatus
from hub.seeds import seed_demo
from hub.services.organisations import organisations_by_slugs
from hub.sync import SyncReport
from org_connectors import SourceKind
from tests.sync.feeds.store import SEOUL, items, snapshot


async def test_the_demo_replays_feeds_and_calendars_and_is_safe_to_repeat(db: Database) -> None:
    first = await seed_demo(db, SEOUL, feeds=True)

    # 3 blog posts, 4 board notices and 17 calendar occurrences (version 2 of the culture calendar).
    assert first.feeds == SyncReport(created=24)
    orgs = await organisations_by_slugs(
        db, ["namwon-small-change-forum", "namwon-city-hall", "namwon-culture-city"]
    )
    assert len(await items(db, orgs["namwon-small-change-forum"].id, SourceKind.RSS)) == 3
    assert "ntt:www.namwon.go.kr:98765" in await items(db, orgs["namwon-city-hall"].id, SourceKind.RSS)
    calendar = await items(db, orgs["namwon-culture-city"].id, SourceKind.ICAL)
    assert (
        calendar["5mokgong2026weekly0q7r@google.com#2027-01-07T19:00:00+09:00"].status == ItemStatus.CANCELLED
    )
    before = await snapshot(db)

    again = await seed_demo(db, SEOUL, feeds=True)

    assert again.feeds == SyncReport(unchanged=24)
    assert again.organisations_added == 0 and again.posts_created == 0
    assert await snapshot(db) == before
