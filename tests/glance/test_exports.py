"""iCalendar and Atom exports of any filter, over real HTTP, parsed by icalendar and feedparser."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import feedparser
import httpx
import icalendar

from hub.app import create_app
from hub.db import Database
from hub.ingest.pipeline import ingest_post
from hub.services.organisations import organisations_by_slugs
from tests.glance.corpus import Entry, day, load_corpus, raw_post
from tests.support.graph import settings_for
from tests.support.server import serve_asgi


async def test_calendar_ics_is_valid_subscribable_and_cached(db: Database, tmp_path: Path) -> None:
    ids = await load_corpus(db)
    app = create_app(settings_for(db.url, tmp_path, public_url="https://hub.namwon.example"))
    with serve_asgi(app) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            first = await http.get("/feeds/calendar.ics", params={"areas": "culture,youth"})
            again = await http.get("/feeds/calendar.ics", params={"areas": "culture,youth"})
            cached = await http.get(
                "/feeds/calendar.ics",
                params={"areas": "culture,youth"},
                headers={"If-None-Match": first.headers["etag"]},
            )
            since = await http.get(
                "/feeds/calendar.ics",
                params={"areas": "culture,youth"},
                headers={"If-Modified-Since": first.headers["last-modified"]},
            )
            near = await http.get(
                "/feeds/calendar.ics", params={"near": "35.4164,127.3904,1", "kinds": "event,gathering"}
            )
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/calendar")
    assert first.content == again.content and first.headers["etag"] == again.headers["etag"]
    assert cached.status_code == 304 and cached.content == b""
    assert since.status_code == 304
    calendar = icalendar.Calendar.from_ical(first.content)
    timezone = calendar.walk("VTIMEZONE")[0]
    assert timezone["TZID"] == "Asia/Seoul"
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    # Culture and youth events from a month ago on; announcements have no time and are not events.
    assert set(events) == {
        "청년마루 금요 보드게임 밤",
        "기획전시 <지리산, 사람의 길>",
        "춘향문화예술회관 송년 국악 공연",
        "인월 지리산 청년 트레킹",
        "지난 가을 광한루원 야간 공연 후기",
    }
    exhibition = events["기획전시 <지리산, 사람의 길>"]
    assert str(exhibition["UID"]) == f"feed-item-{ids['기획전시 <지리산, 사람의 길>']}@hub.namwon.example"
    assert exhibition.decoded("DTSTART") == day(-3) and exhibition.decoded("DTEND") == day(5)
    assert str(exhibition["URL"]) == "https://blog.naver.com/namwonculture/223456789"
    assert "남원아트센터" in str(exhibition["LOCATION"])
    evening = events["청년마루 금요 보드게임 밤"]
    start = evening.decoded("DTSTART")
    assert isinstance(start, datetime) and str(start.tzinfo) == "Asia/Seoul" and start.hour == 19
    assert evening["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert "남원청년네트워크" in str(evening["DESCRIPTION"])
    near_events = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(near.content).walk("VEVENT")}
    assert near_events == {
        "청년마루 금요 보드게임 밤",
        "시립도서관 어르신 독서 모임",
        "12월 시민 원탁회의 참가자 모집",
        "기획전시 <지리산, 사람의 길>",
    }


async def test_a_new_item_changes_the_etag(db: Database, tmp_path: Path) -> None:
    await load_corpus(db)
    org = (await organisations_by_slugs(db, ["namwon-culture"]))["namwon-culture"]
    app = create_app(settings_for(db.url, tmp_path))
    with serve_asgi(app) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            before = await http.get("/feeds/feed.atom", params={"areas": "culture"})
            concert = Entry("namwon-culture", "새해 해맞이 음악회", "광한루원에서 새해 음악회를 엽니다.")
            await ingest_post(db, org, raw_post(99, concert))
            after = await http.get(
                "/feeds/feed.atom",
                params={"areas": "culture"},
                headers={"If-None-Match": before.headers["etag"]},
            )
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert feedparser.parse(after.content).entries[0].title == "새해 해맞이 음악회"


async def test_atom_feed_parses_cleanly(db: Database, tmp_path: Path) -> None:
    ids = await load_corpus(db)
    app = create_app(settings_for(db.url, tmp_path, public_url="https://hub.namwon.example"))
    with serve_asgi(app) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            response = await http.get(
                "/feeds/feed.atom", params=[("text", "청년"), ("sourceKinds", "MANUAL"), ("areas", "youth")]
            )
            rss_only = await http.get("/feeds/feed.atom?sourceKinds=rss")
            etag = {"If-None-Match": response.headers["etag"]}
            head = await http.head(str(response.url), headers=etag)
            other_filter = await http.head("/feeds/feed.atom", headers=etag)
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == "연결 허브 · 남원 한눈에"
    assert [entry.title for entry in parsed.entries] == [
        "인월 지리산 청년 트레킹",
        "남원 청년 창업 아이디어 경진대회 참가팀 모집",
        "청년마루 금요 보드게임 밤",
    ]
    first = parsed.entries[0]
    assert first.id == f"tag:hub.namwon.example,2026:feed-item/{ids['인월 지리산 청년 트레킹']}"
    assert first.author == "남원청년네트워크"
    rss = feedparser.parse(rss_only.content)
    assert [e.title for e in rss.entries] == ["문화도시 소식지 12월호"]
    assert rss.entries[0].link == "https://namwon.example/news/2026-12"
    assert head.status_code == 304 and other_filter.status_code == 200


async def test_bad_parameters_are_a_clear_400(db: Database, tmp_path: Path) -> None:
    app = create_app(settings_for(db.url, tmp_path))
    with serve_asgi(app) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            bad_near = await http.get("/feeds/calendar.ics?near=35.4,abc")
            bad_kind = await http.get("/feeds/feed.atom?kinds=PARTY")
            bad_date = await http.get("/feeds/calendar.ics?startsAfter=next-friday")
            reversed_dates = await http.get(
                "/feeds/calendar.ics?startsAfter=2026-12-10&startsBefore=2026-12-01"
            )
            far = await http.get("/feeds/feed.atom?near=35.4,127.4,900")
            blank = await http.get("/feeds/feed.atom?text=%20")
    for response in (bad_near, bad_kind, bad_date, reversed_dates, far, blank):
        assert response.status_code == 400, response.text
    assert "위도,경도,반경km" in bad_near.text
    assert "unknown kinds" in bad_kind.text
    assert "ISO" in bad_date.text
    assert "startsAfter가 startsBefore보다 늦습니다" in reversed_dates.text
    assert "radiusKm" in far.text
    assert "검색어가 비어 있습니다" in blank.text
