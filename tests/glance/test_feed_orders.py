"""Every filter, order and combination of the feed, with clear errors, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

from hub.db import Database
from tests.glance.corpus import PUBLIC_TITLES, UPCOMING_TITLES, day, load_corpus
from tests.support.factories import SEOUL
from tests.support.graph import GraphClient, graph_client

PAGE = """query($filter: FeedFilter, $order: FeedOrder, $first: Int, $after: String) {
  feed(filter: $filter, orderBy: $order, first: $first, after: $after) {
    edges { cursor node { title startsAt place { name } } } pageInfo { hasNextPage endCursor } } }"""

CITY_HALL = {"lat": 35.41640, "lng": 127.39040}


def titles(data: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in data["feed"]["edges"]]


def local_midnight(offset: int) -> str:
    return datetime.combine(day(offset), time(0), SEOUL).isoformat()


async def all_pages(graph: GraphClient, variables: dict[str, Any], size: int = 2) -> list[str]:
    found: list[str] = []
    after = None
    while True:
        data = await graph.data(PAGE, {**variables, "first": size, "after": after})
        found += titles(data)
        if not data["feed"]["pageInfo"]["hasNextPage"]:
            return found
        after = data["feed"]["pageInfo"]["endCursor"]


async def test_each_filter_alone(db: Database, tmp_path: Path) -> None:
    await load_corpus(db)
    async with graph_client(db, tmp_path) as graph:

        async def feed(**filter: Any) -> list[str]:
            return titles(await graph.data(PAGE, {"filter": filter, "first": 50}))

        everything = await feed()
        assert set(everything) == PUBLIC_TITLES
        assert await feed(areas=["culture"]) == [
            "문화도시 소식지 12월호",
            "지난 가을 광한루원 야간 공연 후기",
            "춘향문화예술회관 송년 국악 공연",
            "기획전시 <지리산, 사람의 길>",
        ]
        assert await feed(organisations=["namwon-edu"]) == [
            "토요 마을학교: 광한루원 역사 탐방",
            "시립도서관 어르신 독서 모임",
            "온라인 학부모 강의: Zoom으로 만나는 독서 교육",
        ]
        assert await feed(categories=["club-meetup"]) == [
            "인월 지리산 청년 트레킹",
            "시립도서관 어르신 독서 모임",
            "청년마루 금요 보드게임 밤",
        ]
        assert await feed(kinds=["ANNOUNCEMENT"]) == [
            "문화도시 소식지 12월호",
            "겨울철 한파 대비 경로당 난방비 지원 안내",
            "남원 청년 창업 아이디어 경진대회 참가팀 모집",
        ]
        assert await feed(sourceKinds=["RSS"]) == ["문화도시 소식지 12월호"]
        assert await feed(startsAfter=local_midnight(5), startsBefore=local_midnight(11)) == [
            "인월 지리산 청년 트레킹",
            "토요 마을학교: 광한루원 역사 탐방",
            "온라인 학부모 강의: Zoom으로 만나는 독서 교육",
            "춘향문화예술회관 송년 국악 공연",
        ]
        # Zoom has no coordinates and announcements no place: both are left out of `near`.
        nearby = await feed(near={**CITY_HALL, "radiusKm": 1.0})
        assert set(nearby) == {
            "12월 시민 원탁회의 참가자 모집",
            "청년마루 금요 보드게임 밤",
            "시립도서관 어르신 독서 모임",
            "기획전시 <지리산, 사람의 길>",
        }
        assert await feed(organisations=["no-such-org"]) == []
        assert await feed(text="서울") == []
        assert await feed(near={"lat": 37.5665, "lng": 126.9780, "radiusKm": 10}) == []


async def test_filters_combine_into_one_question(db: Database, tmp_path: Path) -> None:
    """ "What is on this week near the city hall about youth?" in one query."""
    await load_corpus(db)
    async with graph_client(db, tmp_path) as graph:
        this_week = await graph.data(
            PAGE,
            {
                "filter": {
                    "areas": ["youth"],
                    "near": {**CITY_HALL, "radiusKm": 3},
                    "startsAfter": local_midnight(0),
                    "startsBefore": local_midnight(7),
                },
                "order": "UPCOMING",
            },
        )
        shows = await graph.data(
            PAGE, {"filter": {"areas": ["culture", "youth"], "text": "공연", "kinds": ["EVENT"]}}
        )
        youth_text_near = await graph.data(
            PAGE, {"filter": {"text": "청년", "near": {**CITY_HALL, "radiusKm": 30}}, "order": "NEAREST"}
        )
    assert titles(this_week) == ["청년마루 금요 보드게임 밤"]
    assert titles(shows) == ["지난 가을 광한루원 야간 공연 후기", "춘향문화예술회관 송년 국악 공연"]
    assert titles(youth_text_near) == [
        "12월 시민 원탁회의 참가자 모집",
        "청년마루 금요 보드게임 밤",
        "인월 지리산 청년 트레킹",
    ]


async def test_every_order_pages_with_cursors_to_the_same_list(db: Database, tmp_path: Path) -> None:
    await load_corpus(db)
    near = {**CITY_HALL, "radiusKm": 3}
    async with graph_client(db, tmp_path) as graph:
        newest = await all_pages(graph, {})
        upcoming = await all_pages(graph, {"order": "UPCOMING"}, size=3)
        nearest = await all_pages(graph, {"order": "NEAREST", "filter": {"near": near}})
        relevance = await all_pages(graph, {"order": "RELEVANCE", "filter": {"text": "청년"}})
        whole = await graph.data(PAGE, {"order": "NEAREST", "filter": {"near": near}, "first": 50})
    assert len(newest) == len(PUBLIC_TITLES) == len(set(newest))
    assert upcoming == UPCOMING_TITLES
    assert (
        nearest
        == titles(whole)
        == [
            "12월 시민 원탁회의 참가자 모집",  # 남원시청, 0 km
            "청년마루 금요 보드게임 밤",  # 0.78 km
            "시립도서관 어르신 독서 모임",  # 0.87 km
            "기획전시 <지리산, 사람의 길>",  # 0.91 km
            "토요 마을학교: 광한루원 역사 탐방",  # 1.75 km, same place: older id first
            "지난 가을 광한루원 야간 공연 후기",
            "춘향문화예술회관 송년 국악 공연",  # 2.5 km
        ]
    )
    assert sorted(relevance) == sorted(
        [
            "문화도시 소식지 12월호",
            "인월 지리산 청년 트레킹",
            "12월 시민 원탁회의 참가자 모집",
            "남원 청년 창업 아이디어 경진대회 참가팀 모집",
            "청년마루 금요 보드게임 밤",
        ]
    )


async def test_bad_input_gets_a_clear_korean_and_english_error(db: Database, tmp_path: Path) -> None:
    async with graph_client(db, tmp_path) as graph:

        async def error(variables: dict[str, Any]) -> str:
            body = await graph.post(PAGE, variables)
            assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
            message: str = body["errors"][0]["message"]
            return message

        assert "near가 필요합니다" in await error({"order": "NEAREST"})
        assert "needs filter.text" in await error({"order": "RELEVANCE"})
        reversed_dates = {"startsAfter": local_midnight(5), "startsBefore": local_midnight(1)}
        assert "startsAfter is after startsBefore" in await error({"filter": reversed_dates})
        assert "범위를 벗어났습니다" in await error(
            {"filter": {"near": {"lat": 91, "lng": 127, "radiusKm": 1}}}
        )
        for radius in (0, -2, 500):
            message = await error({"filter": {"near": {**CITY_HALL, "radiusKm": radius}}})
            assert "radiusKm" in message and "200" in message
        assert "at most 50 areas" in await error({"filter": {"areas": [f"a{i}" for i in range(51)]}})
