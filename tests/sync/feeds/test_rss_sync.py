"""Blog and board feeds polled over real HTTP on 127.0.0.1: Naver blog, EUC-KR city board, Atom."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from hub.db import Database
from hub.enums import ItemStatus
from hub.scheduler import Scheduler
from hub.services.dead_letters import list_dead_letters
from hub.services.sources import FailureKind, SourceState, get_source
from hub.sync import SyncReport
from hub.sync.feeds import add_feed_source
from hub.sync.registry import SYNCERS
from org_connectors import SourceKind
from tests.sync.feeds.store import (
    BOX,
    DEAD_LETTERS,
    NOW,
    SEOUL,
    TOMBSTONES,
    count,
    hub_settings,
    items,
    org,
    snapshot,
    sync,
)
from tests.sync.feeds.support import ATOM, BOARD, HTML, RSS, FeedSite, seed

BLOG_POST = "https://blog.naver.com/namwon_smallchange/224061000003"


async def forum_feed(db: Database, url: str) -> tuple[int, int]:
    forum = await org(db, "namwon-small-change-forum", "남원작은변화포럼", "civic")
    source = await add_feed_source(
        db, BOX, organisation_slug=forum.slug, kind=SourceKind.RSS, url=url, now=NOW
    )
    return forum.id, source.id


async def test_naver_blog_posts_arrive_and_a_304_changes_nothing(
    db: Database, site: FeedSite, tmp_path: Path
) -> None:
    settings = hub_settings(db, tmp_path)
    url = site.put("/namwon_smallchange.xml", seed("rss/naver_blog_smallchange.xml"), RSS)
    forum_id, source_id = await forum_feed(db, url)

    first = await sync(db, settings, source_id)

    assert first == SyncReport(created=3)
    stored = await items(db, forum_id, SourceKind.RSS)
    assert set(stored) == {
        BLOG_POST,
        "https://blog.naver.com/namwon_smallchange/224058000002",
        "https://blog.naver.com/namwon_smallchange/224052000001",
    }
    roundtable = stored[BLOG_POST]
    assert roundtable.title == "12월 시민 원탁회의 참가자 모집 & 사전 의제 제안"
    assert roundtable.url == BLOG_POST  # ?fromRss=true&trackingCode=rss stripped
    assert roundtable.status == ItemStatus.PUBLISHED
    assert "올해 마지막 시민 원탁회의를 엽니다." in roundtable.body and "<b>" not in roundtable.body
    assert {"원탁회의 소식", "원탁회의", "시민참여", "원도심"} <= set(roundtable.tags)
    assert roundtable.posted_at == datetime(2026, 11, 20, 18, 10, 31, tzinfo=SEOUL)
    mobile = stored["https://blog.naver.com/namwon_smallchange/224052000001"]
    assert mobile.url == "https://blog.naver.com/namwon_smallchange/224052000001"
    assert mobile.title == '남원 청년 정책 토론회 "청년이 머무는 도시"'
    before = await snapshot(db)
    etag = site.documents["/namwon_smallchange.xml"].etag

    again = await sync(db, settings, source_id)

    assert again == SyncReport()
    assert site.requests[-1].if_none_match == etag and site.requests[-1].status == 304
    assert await snapshot(db) == before


async def test_city_board_feed_in_euc_kr_with_attachments(
    db: Database, site: FeedSite, tmp_path: Path
) -> None:
    url = site.put("/rssBbsNtt.do", seed("rss/namwon_city_notice_euckr.xml"), BOARD)
    city = await org(db, "namwon-city-hall", "남원시청", "civic")
    source = await add_feed_source(
        db, BOX, organisation_slug=city.slug, kind=SourceKind.RSS, url=url, now=NOW
    )

    report = await sync(db, hub_settings(db, tmp_path), source.id)

    assert report == SyncReport(created=4)
    stored = await items(db, city.id, SourceKind.RSS)
    assert set(stored) == {f"ntt:www.namwon.go.kr:{n}" for n in (98765, 98702, 98655, 98640)}
    cold = stored["ntt:www.namwon.go.kr:98765"]
    assert "동절기 한파 대비 시민 행동요령 안내" in cold.title and "새글" not in cold.title
    assert "외출을 자제" in cold.body
    assert "첨부파일: 2026_한파대비_행동요령.hwp, 한파쉼터_안내포스터.jpg" in cold.body
    assert "atchmnflNo=55502" in " ".join(cold.images)  # the poster image attachment
    assert cold.posted_at == datetime(2026, 11, 20, 0, 0, tzinfo=SEOUL)  # a bare date: midnight in Seoul
    assert stored["ntt:www.namwon.go.kr:98640"].posted_at == datetime(2026, 11, 13, 14, 20, tzinfo=SEOUL)
    assert "모집공고문.pdf" in stored["ntt:www.namwon.go.kr:98702"].body  # an attachment-only notice


async def test_atom_feed(db: Database, site: FeedSite, tmp_path: Path) -> None:
    url = site.put("/feed.atom", seed("rss/atom_youth_center.xml"), ATOM)
    youth = await org(db, "namwon-youth", "남원 청년모임", "youth")
    source = await add_feed_source(
        db, BOX, organisation_slug=youth.slug, kind=SourceKind.RSS, url=url, now=NOW
    )

    assert await sync(db, hub_settings(db, tmp_path), source.id) == SyncReport(created=2)

    stored = await items(db, youth.id, SourceKind.RSS)
    networking = stored["tag:youth.namwon.example,2026:news/311"]
    assert networking.title == "청년 창업 네트워킹 데이 <함께 가게> 참가자 모집"
    assert networking.url == "https://youth.namwon.example/news/2026/11/networking-day"
    assert "https://youth.namwon.example/media/networking-day.png" in networking.images
    assert {"창업", "네트워킹"} <= set(networking.tags)


async def test_broken_entries_are_dead_lettered_once_and_a_resent_feed_changes_nothing(
    db: Database, site: FeedSite, tmp_path: Path
) -> None:
    site.conditional = False  # a server without ETag or Last-Modified: every poll gets the whole feed
    url = site.put("/maeul.xml", seed("rss/broken_entries.xml"), "application/xml")
    village = await org(db, "namwon-community-center", "남원시공동체지원센터", "community")
    source = await add_feed_source(
        db, BOX, organisation_slug=village.slug, kind=SourceKind.RSS, url=url, now=NOW
    )
    settings = hub_settings(db, tmp_path)

    first = await sync(db, settings, source.id)

    assert first == SyncReport(created=2, dead_letters=3)
    titles = {item.title for item in (await items(db, village.id, SourceKind.RSS)).values()}
    assert titles == {"마을활동가 역량강화 교육 2기 모집", "공동체 공간 대관 안내 & 이용 수칙"}
    letters = await list_dead_letters(db, source_id=source.id)
    assert len(letters) == 3 and all(letter.organisation_id == village.id for letter in letters)
    reasons = " ".join(letter.reason for letter in letters)
    assert "게시일을 읽을 수 없습니다: «다음 주 월요일»" in reasons and "guid" in reasons
    before = await snapshot(db)

    again = await sync(db, settings, source.id)

    assert again == SyncReport(unchanged=2)
    assert site.requests[-1].status == 200 and site.requests[-1].if_none_match is None
    assert await snapshot(db) == before


async def test_posts_that_leave_a_feed_are_not_deleted(db: Database, site: FeedSite, tmp_path: Path) -> None:
    document = seed("rss/naver_blog_smallchange.xml")
    url = site.put("/namwon_smallchange.xml", document, RSS)
    forum_id, source_id = await forum_feed(db, url)
    settings = hub_settings(db, tmp_path)
    await sync(db, settings, source_id)
    # Naver keeps only the latest posts: the two older ones drop out of the feed.
    newest_only = re.sub(rb"(</item>).*(</channel>)", rb"\1\n\2", document, flags=re.S)
    site.put("/namwon_smallchange.xml", newest_only, RSS)

    report = await sync(db, settings, source_id)

    assert report == SyncReport(unchanged=1)
    stored = await items(db, forum_id, SourceKind.RSS)
    assert len(stored) == 3 and {item.status for item in stored.values()} == {ItemStatus.PUBLISHED}
    assert await count(db, TOMBSTONES) == 0


async def test_an_html_page_instead_of_a_feed_is_dead_lettered_and_retried_later(
    db: Database, site: FeedSite, tmp_path: Path
) -> None:
    url = site.put("/namwon_smallchange.xml", seed("rss/not_a_feed.html"), HTML)
    forum_id, source_id = await forum_feed(db, url)
    scheduler = Scheduler(db, hub_settings(db, tmp_path), SYNCERS)

    outcome = await scheduler.sync_now(await get_source(db, source_id))

    assert outcome.failure is not None and outcome.failure.kind is FailureKind.TEMPORARY
    assert "RSS/Atom 피드가 아닙니다" in outcome.failure.message
    assert "Not an RSS or Atom feed" in outcome.failure.message
    source = await get_source(db, source_id)
    assert source.state is SourceState.BACKING_OFF and source.next_poll_at is not None
    letters = await list_dead_letters(db, source_id=source_id)
    assert len(letters) == 1 and "일시적으로 서비스를 이용할 수 없습니다" in letters[0].payload
    # The same page on the next poll is the same problem: no second dead letter.
    await scheduler.sync_now(await get_source(db, source_id))
    assert await count(db, DEAD_LETTERS) == 1
    assert await items(db, forum_id, SourceKind.RSS) == {}


async def test_a_gone_address_needs_reconnecting_and_a_server_error_is_retried(
    db: Database, site: FeedSite, tmp_path: Path
) -> None:
    url = site.put("/namwon_smallchange.xml", seed("rss/naver_blog_smallchange.xml"), RSS)
    _, source_id = await forum_feed(db, url)
    scheduler = Scheduler(db, hub_settings(db, tmp_path), SYNCERS)

    site.statuses["/namwon_smallchange.xml"] = 503
    busy = await scheduler.sync_now(await get_source(db, source_id))
    site.statuses["/namwon_smallchange.xml"] = 410
    gone = await scheduler.sync_now(await get_source(db, source_id))

    assert busy.state is SourceState.BACKING_OFF and busy.failure and "503" in busy.failure.message
    assert gone.state is SourceState.NEEDS_RECONNECT and gone.failure is not None
    source = await get_source(db, source_id)
    assert source.last_error is not None and "더 이상 작동하지 않습니다(HTTP 410)" in source.last_error
    assert source.next_poll_at is None  # not polled again until staff reconnect


async def test_a_private_address_is_refused_unless_an_operator_allows_it(
    db: Database, site: FeedSite, tmp_path: Path
) -> None:
    url = site.put("/namwon_smallchange.xml", seed("rss/naver_blog_smallchange.xml"), RSS)
    forum_id, source_id = await forum_feed(db, url)
    strict = Scheduler(db, hub_settings(db, tmp_path, allow_loopback=False), SYNCERS)

    refused = await strict.sync_now(await get_source(db, source_id))

    assert refused.failure is not None and "내부망·사설 주소로는 요청하지 않습니다" in refused.failure.message
    assert site.requests == []  # nothing was sent to 127.0.0.1
    assert await items(db, forum_id, SourceKind.RSS) == {}
    allowed = Scheduler(db, hub_settings(db, tmp_path), SYNCERS)
    assert (await allowed.sync_now(await get_source(db, source_id))).report == SyncReport(created=3)
