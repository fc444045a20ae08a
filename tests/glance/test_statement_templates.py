"""Page statements are built once per shape and run with new values: the values must still decide the
answer, on SQLite (SQL text run on the driver) and PostgreSQL (SQLAlchemy) alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

import pytest
from sqlalchemy import Connection

from hub.db import Database
from hub.enums import ItemKind
from hub.errors import InvalidInput
from hub.pagination import encode_cursor
from hub.services.feed import (
    TEMPLATE_CACHE_SIZE,
    FeedOrder,
    FeedQuery,
    Near,
    _page_plan,
    _page_template,
    _PageShape,
    _sqlite_hits,
    feed_items,
    feed_page,
    items_by_ids,
)
from org_connectors import SourceKind
from tests.glance.corpus import ENTRIES, ORGS, PUBLIC_TITLES, UPCOMING_TITLES, Entry, day, load_corpus
from tests.support.factories import SEOUL
from tests.support.graph import count_statements

AREA_OF = {slug: area for slug, _name, area in ORGS}
CITY_HALL = Near(35.4164, 127.3904, 1.0)
SEOUL_CITY_HALL = Near(37.5665, 126.9780, 1.0)


def newest(keep: Callable[[Entry], bool]) -> list[str]:
    """The corpus's public titles that `keep` accepts, newest first (posted one hour apart, in order)."""
    return [e.title for e in reversed(ENTRIES) if e.title in PUBLIC_TITLES and keep(e)]


async def titles(db: Database, query: FeedQuery, first: int = 50, after: str | None = None) -> list[str]:
    page = await feed_page(db, query, first=first, after=after)
    return [item.title for item in page.items]


async def shape(db: Database, query: FeedQuery, after: str | None = None) -> _PageShape:
    def plan(connection: Connection) -> _PageShape:
        hits = _sqlite_hits(connection, query)
        return _page_plan(query, connection.dialect.name, after, 21, hits)[0]

    return await db.run_read(plan)


async def test_one_shape_gives_each_value_its_own_answer(db: Database) -> None:
    await load_corpus(db)
    later = datetime.combine(day(9), time(0), SEOUL)
    pairs: list[tuple[FeedQuery, list[str], FeedQuery, list[str]]] = [
        (
            FeedQuery(areas=("culture",)),
            newest(lambda e: AREA_OF[e.org] == "culture"),
            FeedQuery(areas=("education",)),
            newest(lambda e: AREA_OF[e.org] == "education"),
        ),
        (
            FeedQuery(areas=("culture", "civic")),
            newest(lambda e: AREA_OF[e.org] in {"culture", "civic"}),
            FeedQuery(areas=("youth", "education")),
            newest(lambda e: AREA_OF[e.org] in {"youth", "education"}),
        ),
        (
            FeedQuery(organisations=("namwon-edu",)),
            newest(lambda e: e.org == "namwon-edu"),
            FeedQuery(organisations=("namwon-civic",)),
            newest(lambda e: e.org == "namwon-civic"),
        ),
        (
            FeedQuery(categories=("club-meetup",)),
            newest(lambda e: "club-meetup" in e.categories),
            FeedQuery(categories=("class-lecture",)),
            newest(lambda e: "class-lecture" in e.categories),
        ),
        (
            FeedQuery(source_kinds=(SourceKind.RSS,)),
            ["문화도시 소식지 12월호"],
            FeedQuery(source_kinds=(SourceKind.MANUAL,)),
            newest(lambda e: e.kind is SourceKind.MANUAL),
        ),
        (
            FeedQuery(kinds=(ItemKind.ANNOUNCEMENT,)),
            newest(lambda e: e.day is None),
            FeedQuery(kinds=(ItemKind.NOTICE,)),
            [],
        ),
        (
            FeedQuery(text="공연"),
            [
                "문화도시 소식지 12월호",
                "지난 가을 광한루원 야간 공연 후기",
                "춘향문화예술회관 송년 국악 공연",
            ],
            FeedQuery(text="독서"),
            ["시립도서관 어르신 독서 모임", "온라인 학부모 강의: Zoom으로 만나는 독서 교육"],
        ),
        (
            FeedQuery(near=CITY_HALL),
            newest(lambda e: e.where in {"남원시청", "청년마루", "남원시립도서관", "남원아트센터"}),
            FeedQuery(near=SEOUL_CITY_HALL),
            [],
        ),
        (
            FeedQuery(starts_after=datetime.combine(day(5), time(0), SEOUL)),
            newest(lambda e: e.day is not None and e.day >= 5),
            FeedQuery(starts_after=datetime.combine(day(-30), time(0), SEOUL)),
            newest(lambda e: e.day is not None),
        ),
        (
            FeedQuery(order=FeedOrder.UPCOMING),
            UPCOMING_TITLES,
            FeedQuery(order=FeedOrder.UPCOMING, now=later.astimezone(UTC)),  # `now` is a value too
            ["춘향문화예술회관 송년 국악 공연", "12월 시민 원탁회의 참가자 모집"],
        ),
        (
            FeedQuery(order=FeedOrder.NEAREST, near=Near(35.4164, 127.3904, 3)),
            [
                "12월 시민 원탁회의 참가자 모집",
                "청년마루 금요 보드게임 밤",
                "시립도서관 어르신 독서 모임",
                "기획전시 <지리산, 사람의 길>",
                "토요 마을학교: 광한루원 역사 탐방",
                "지난 가을 광한루원 야간 공연 후기",
                "춘향문화예술회관 송년 국악 공연",
            ],
            FeedQuery(order=FeedOrder.NEAREST, near=SEOUL_CITY_HALL),
            [],
        ),
        (
            FeedQuery(order=FeedOrder.RELEVANCE, text="공연"),
            [
                "지난 가을 광한루원 야간 공연 후기",
                "춘향문화예술회관 송년 국악 공연",
                "문화도시 소식지 12월호",
            ],
            FeedQuery(order=FeedOrder.RELEVANCE, text="난방비"),  # as many words: the same shape
            ["겨울철 한파 대비 경로당 난방비 지원 안내"],
        ),
    ]
    for first, first_titles, second, second_titles in pairs:
        assert await shape(db, first) == await shape(db, second), (first, second)
        assert first_titles != second_titles  # else the pair shows nothing
        assert await titles(db, first) == first_titles, first
        assert await titles(db, second) == second_titles, second


async def test_cursors_of_one_shape_continue_from_their_own_key(db: Database) -> None:
    await load_corpus(db)
    assert await titles(db, FeedQuery()) == newest(lambda e: True)
    for order in (FeedOrder.NEWEST, FeedOrder.UPCOMING):
        query = FeedQuery(order=order)
        whole = await titles(db, query)
        one = await feed_page(db, query, first=3)
        two = await feed_page(db, query, first=3, after=one.cursors[-1])
        three = await feed_page(db, query, first=3, after=two.cursors[-1])
        # Pages two and three run one statement with different keys.
        assert await shape(db, query, one.cursors[-1]) == await shape(db, query, two.cursors[-1])
        assert (
            len(whole) > 6 and [item.title for page in (one, two, three) for item in page.items] == whole[:9]
        )


async def test_records_match_those_read_through_sqlalchemy(db: Database) -> None:
    await load_corpus(db)
    page = await feed_page(db, FeedQuery(), first=50)
    stored = await items_by_ids(db, [item.id for item in page.items])
    assert len(page.items) == len(PUBLIC_TITLES)
    assert page.items == [stored[item.id] for item in page.items]
    for item in page.items:
        for moment in (item.posted_at, item.updated_at, item.starts_at, item.ends_at):
            assert moment is None or moment.tzinfo is UTC
    assert any(item.updated_at.microsecond for item in page.items)  # the fraction survives the trip
    # With a statement listener (tracing, these tests' counters) the reads go through SQLAlchemy's
    # cursor: the same rows.
    with count_statements(db) as statements:
        listened = await feed_page(db, FeedQuery(), first=50)
        exported = await feed_items(db, FeedQuery(), limit=50)
    assert statements.count >= 2
    assert listened == page and exported == page.items


async def test_forged_cursors_are_refused_clearly(db: Database) -> None:
    await load_corpus(db)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    forged: dict[FeedOrder, list[list[Any]]] = {
        FeedOrder.NEWEST: [
            [1.5, 3],
            ["2026-01-01T00:00:00", 3],  # no offset
            ["not a date", 3],
            [moment.isoformat(), "3"],
            [moment.isoformat(), 3, 4],
        ],
        FeedOrder.NEAREST: [[moment.isoformat(), 3], [True, 3]],
    }
    for order, keys in forged.items():
        query = FeedQuery(order=order, near=CITY_HALL if order is FeedOrder.NEAREST else None)
        scope = f"feed:NEAREST:{CITY_HALL.lat:.6f},{CITY_HALL.lng:.6f}" if query.near else "feed:NEWEST"
        for key in keys:
            with pytest.raises(InvalidInput, match="잘못된 커서"):
                await feed_page(db, query, after=encode_cursor(scope, key))


async def test_the_template_cache_stays_bounded(db: Database) -> None:
    await load_corpus(db)
    culture = newest(lambda e: AREA_OF[e.org] == "culture")
    first = FeedQuery(areas=("culture",))
    assert await titles(db, first) == culture
    # 350 shapes (how many areas × how many organisations), each still answering correctly.
    for areas in range(1, 51):
        for organisations in range(1, 8):
            query = FeedQuery(areas=("culture",) * areas, organisations=("namwon-culture",) * organisations)
            assert await titles(db, query) == culture
    cache = _page_template.cache_info()
    assert cache.maxsize == TEMPLATE_CACHE_SIZE and cache.currsize <= TEMPLATE_CACHE_SIZE
    assert await titles(db, first) == culture  # built again after being dropped
