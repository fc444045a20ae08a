"""The calendar: local days, multi-day items on every day, at most 62 days, per-day caps."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from hub.db import Database
from hub.ingest.pipeline import ingest_post
from hub.services.organisations import organisations_by_slugs
from org_connectors import RawPost, SourceKind, StructuredEvent
from tests.glance.corpus import ANCHOR, day, load_corpus
from tests.support.factories import SEOUL
from tests.support.graph import graph_client

CALENDAR = """query($from: Date!, $to: Date!, $filter: FeedFilter, $perDay: Int) {
  calendar(from: $from, to: $to, filter: $filter, perDay: $perDay) {
    date totalCount items { title startsAt allDay } } }"""


def by_date(data: dict[str, Any]) -> dict[str, list[str]]:
    return {d["date"]: [item["title"] for item in d["items"]] for d in data["calendar"]}


async def test_a_week_shows_multi_day_items_on_every_day(db: Database, tmp_path: Path) -> None:
    await load_corpus(db)
    async with graph_client(db, tmp_path) as graph:
        week = await graph.data(CALENDAR, {"from": day(0).isoformat(), "to": day(6).isoformat()})
        culture = await graph.data(
            CALENDAR, {"from": day(0).isoformat(), "to": day(6).isoformat(), "filter": {"areas": ["culture"]}}
        )
    days = by_date(week)
    assert list(days) == [day(n).isoformat() for n in range(7)]
    exhibition = "기획전시 <지리산, 사람의 길>"
    # All-day from three days ago to day 4 inclusive: on days 0..4, not on 5 and 6.
    assert [exhibition in days[day(n).isoformat()] for n in range(7)] == [True] * 5 + [False] * 2
    assert days[day(2).isoformat()] == [exhibition, "청년마루 금요 보드게임 밤"]
    assert days[day(5).isoformat()] == ["온라인 학부모 강의: Zoom으로 만나는 독서 교육"]
    assert days[day(6).isoformat()] == ["토요 마을학교: 광한루원 역사 탐방"]
    assert all(d["totalCount"] == len(d["items"]) for d in week["calendar"])
    assert {t for ts in by_date(culture).values() for t in ts} == {exhibition}


async def test_days_are_local_and_late_events_stay_on_their_day(db: Database, tmp_path: Path) -> None:
    await load_corpus(db)
    org = (await organisations_by_slugs(db, ["namwon-youth"]))["namwon-youth"]
    # 23:30 in Seoul is 14:30 UTC the same day; 00:30 in Seoul is still the previous day in UTC.
    for n, (offset, at) in enumerate([(1, time(23, 30)), (2, time(0, 30))]):
        start = datetime.combine(day(offset), at, SEOUL)
        raw = RawPost(
            source_kind=SourceKind.MANUAL,
            external_id=f"late-{n}",
            posted_at=ANCHOR,
            title=f"심야 청년 영화 상영 {n}",
            body="늦은 밤 영화 상영",
            author_is_staff=True,
            event=StructuredEvent(start, start + timedelta(minutes=20)),
        )
        await ingest_post(db, org, raw)
    async with graph_client(db, tmp_path) as graph:
        data = await graph.data(
            CALENDAR, {"from": day(1).isoformat(), "to": day(2).isoformat(), "filter": {"text": "영화"}}
        )
    assert by_date(data) == {
        day(1).isoformat(): ["심야 청년 영화 상영 0"],
        day(2).isoformat(): ["심야 청년 영화 상영 1"],
    }


async def test_per_day_caps_items_but_counts_them_all(db: Database, tmp_path: Path) -> None:
    await load_corpus(db)
    async with graph_client(db, tmp_path) as graph:
        data = await graph.data(CALENDAR, {"from": day(2).isoformat(), "to": day(2).isoformat(), "perDay": 1})
    assert data["calendar"] == [
        {
            "date": day(2).isoformat(),
            "totalCount": 2,
            "items": [
                {
                    "title": "기획전시 <지리산, 사람의 길>",
                    "startsAt": data["calendar"][0]["items"][0]["startsAt"],
                    "allDay": True,
                }
            ],
        }
    ]


async def test_ranges_are_checked(db: Database, tmp_path: Path) -> None:
    async with graph_client(db, tmp_path) as graph:
        too_long = await graph.post(CALENDAR, {"from": "2026-12-01", "to": "2027-02-01", "perDay": 5})
        reversed_range = await graph.post(CALENDAR, {"from": "2026-12-10", "to": "2026-12-01"})
        bad_per_day = await graph.post(CALENDAR, {"from": "2026-12-01", "to": "2026-12-01", "perDay": 500})
        sixty_two = await graph.data(CALENDAR, {"from": "2026-12-01", "to": "2027-01-31", "perDay": 5})
        empty = await graph.data(
            CALENDAR, {"from": "2026-12-01", "to": "2026-12-01", "filter": {"text": "서울"}}
        )
    assert (
        "62일까지" in too_long["errors"][0]["message"]
        and "at most 62 days" in too_long["errors"][0]["message"]
    )
    assert too_long["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "`to` is before `from`" in reversed_range["errors"][0]["message"]
    assert "perDay" in bad_per_day["errors"][0]["message"]
    assert len(sixty_two["calendar"]) == 62
    assert empty["calendar"] == [{"date": "2026-12-01", "totalCount": 0, "items": []}]


async def test_unfiltered_days_equal_days_filtered_by_every_area(db: Database, tmp_path: Path) -> None:
    """An unfiltered calendar is read from two indexes alone; a filtered one through the items. Filtered
    by every area, both must give the same days."""
    await load_corpus(db)
    window = {"from": day(-1).isoformat(), "to": day(60).isoformat(), "perDay": 20}
    every_area = ["community", "culture", "education", "youth", "civic"]
    async with graph_client(db, tmp_path) as graph:
        whole = await graph.data(CALENDAR, window)
        filtered = await graph.data(CALENDAR, {**window, "filter": {"areas": every_area}})
    assert whole == filtered
    shown = {t for ts in by_date(whole).values() for t in ts}
    assert len(shown) >= 8 and "기획전시 <지리산, 사람의 길>" in shown  # started before the window
