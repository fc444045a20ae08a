"""Understanding inside the pipeline: Korean text becomes times and places, cross-posts become one item,
change notices move or cancel the item they refer to, and contact details stay private."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import text

from hub.db import Database
from hub.enums import ItemKind, ItemStatus
from hub.ingest.pipeline import Outcome, ingest_post, reprocess
from hub.seeds import seed_places
from hub.services.feed import FeedQuery, feed_page, items_by_ids
from hub.services.item_relations import sources_by_item_ids
from hub.services.organisations import organisations_by_slugs
from hub.services.places import places_by_ids
from org_connectors import RawPost, SourceKind
from tests.support.factories import SEOUL, organisation

POSTED = datetime(2026, 11, 2, 10, 0, tzinfo=SEOUL)


def raw(
    n: int,
    body: str,
    *,
    kind: SourceKind = SourceKind.BAND,
    title: str | None = None,
    posted: datetime = POSTED,
) -> RawPost:
    return RawPost(
        source_kind=kind,
        external_id=f"{kind.value.lower()}-{n}",
        posted_at=posted,
        body=body,
        title=title,
        author_is_staff=True,
    )


LIBRARY_TALK = """[공지] 11월 북토크 「지리산의 사계」
일시: 2026. 11. 14.(토) 오후 2시~4시
장소: 남원시립도서관 3층 강의실
참가비 무료, 선착순 30명
신청: 11월 12일까지 전화 접수"""

LIBRARY_TALK_KAKAO = """지리산의 사계 북토크 안내드려요~
11/14(토) 14:00 남원시립도서관 3층에서 합니다.
작가님과 이야기 나누는 자리입니다. 많이들 오세요!"""


async def test_korean_text_becomes_times_place_deadline_and_fee(db: Database) -> None:
    await seed_places(db)
    org = await organisation(db, "chunhyang-education", "education")
    result = await ingest_post(db, org, raw(1, LIBRARY_TALK))
    assert result.item_id is not None
    item = (await items_by_ids(db, [result.item_id]))[result.item_id]
    assert item.kind is ItemKind.EVENT
    assert item.title == "11월 북토크 「지리산의 사계」"
    assert item.starts_at == datetime(2026, 11, 14, 14, 0, tzinfo=SEOUL)
    assert item.ends_at == datetime(2026, 11, 14, 16, 0, tzinfo=SEOUL)
    assert (
        item.apply_until is not None and item.apply_until.astimezone(SEOUL).date().isoformat() == "2026-11-12"
    )
    assert item.fee == "무료"
    assert item.place_id is not None and item.place_detail == "3층 강의실"
    place = (await places_by_ids(db, [item.place_id]))[item.place_id]
    assert place.name == "남원시립도서관" and place.verified and place.lat is not None


async def test_a_cross_post_by_another_organisation_becomes_one_item_with_two_sources(db: Database) -> None:
    await seed_places(db)
    education = await organisation(db, "chunhyang-education", "education")
    library_friends = await organisation(db, "library-friends", "culture")
    first = await ingest_post(db, education, raw(1, LIBRARY_TALK))
    second = await ingest_post(db, library_friends, raw(2, LIBRARY_TALK_KAKAO, kind=SourceKind.KAKAO))
    assert second.outcome is Outcome.MERGED and second.item_id == first.item_id
    assert first.item_id is not None
    sources = (await sources_by_item_ids(db, [first.item_id]))[first.item_id]
    assert {(s.kind, s.organisation_id) for s in sources} == {
        (SourceKind.BAND, education.id),
        (SourceKind.KAKAO, library_friends.id),
    }
    page = await feed_page(db, FeedQuery())
    assert [i.id for i in page.items] == [first.item_id]
    async with db.read() as conn:
        reason = (
            await conn.execute(text("SELECT match_reason FROM feed_item_source WHERE kind = 'KAKAO'"))
        ).scalar_one()
    assert reason


async def test_different_events_on_the_same_day_stay_apart(db: Database) -> None:
    await seed_places(db)
    org = await organisation(db)
    await ingest_post(db, org, raw(1, LIBRARY_TALK))
    other = await ingest_post(
        db,
        org,
        raw(2, "청년 보드게임 모임\n일시: 11월 14일(토) 저녁 7시\n장소: 청년마루", kind=SourceKind.KAKAO),
    )
    assert other.outcome is Outcome.CREATED
    assert len((await feed_page(db, FeedQuery())).items) == 2


async def test_a_postponement_moves_the_item_and_keeps_its_history(db: Database) -> None:
    await seed_places(db)
    org = await organisation(db, "chunhyang-education", "education")
    created = await ingest_post(db, org, raw(1, LIBRARY_TALK))
    notice = raw(
        2,
        "[변경] 지리산의 사계 북토크 일정 연기 안내\n11월 14일(토) 예정이던 북토크가 작가님 사정으로 "
        "11월 21일(토) 오후 2시로 연기되었습니다. 장소는 남원시립도서관 그대로입니다.",
        posted=datetime(2026, 11, 10, 9, 0, tzinfo=SEOUL),
    )
    moved = await ingest_post(db, org, notice)
    assert moved.item_id == created.item_id and moved.outcome is Outcome.MERGED
    assert created.item_id is not None
    item = (await items_by_ids(db, [created.item_id]))[created.item_id]
    assert item.status is ItemStatus.RESCHEDULED
    assert item.starts_at == datetime(2026, 11, 21, 14, 0, tzinfo=SEOUL)
    async with db.read() as conn:
        history = (
            await conn.execute(text("SELECT history FROM feed_item WHERE id = :id"), {"id": created.item_id})
        ).scalar_one()
    history = history if isinstance(history, list) else json.loads(history)
    assert history[0]["before"]["starts_at"].startswith("2026-11-14T05:00")
    assert history[0]["reason"] == "RESCHEDULED"


async def test_a_cancellation_notice_cancels_the_item(db: Database) -> None:
    await seed_places(db)
    org = await organisation(db, "chunhyang-education", "education")
    created = await ingest_post(db, org, raw(1, LIBRARY_TALK))
    await ingest_post(
        db,
        org,
        raw(
            2,
            "[취소] 11월 14일(토) 지리산의 사계 북토크는 취소되었습니다. 양해 부탁드립니다.",
            kind=SourceKind.KAKAO,
        ),
    )
    assert created.item_id is not None
    assert (await items_by_ids(db, [created.item_id]))[created.item_id].status is ItemStatus.CANCELLED


async def test_mobile_numbers_are_masked_unless_the_organisation_allows_them(db: Database) -> None:
    org = await organisation(db)
    body = "청년 요리 모임\n일시: 11월 20일(금) 저녁 7시\n문의: 김담당 010-1234-5678, youth.kim@example.com / 센터 063-620-1234"
    masked = await ingest_post(db, org, raw(1, body))
    assert masked.item_id is not None
    item = (await items_by_ids(db, [masked.item_id]))[masked.item_id]
    assert "010-1234-5678" not in item.body and "5678" in item.body
    assert "youth.kim@example.com" not in item.body
    assert "063-620-1234" in item.body
    async with db.write() as session:
        await (await session.connection()).execute(
            text("UPDATE organisation SET allow_contact_details = true")
        )
    allowed = (await organisations_by_slugs(db, [org.slug]))[org.slug]
    shown = await ingest_post(db, allowed, raw(2, body.replace("11월 20일", "11월 27일")))
    assert shown.item_id is not None
    assert "010-1234-5678" in (await items_by_ids(db, [shown.item_id]))[shown.item_id].body


async def test_reprocess_keeps_items_and_is_idempotent(db: Database) -> None:
    await seed_places(db)
    org = await organisation(db, "chunhyang-education", "education")
    first = await ingest_post(db, org, raw(1, LIBRARY_TALK))
    report = await reprocess(db, [org])
    again = await reprocess(db, [org])
    assert report.posts == again.posts == 1
    page = await feed_page(db, FeedQuery())
    assert [i.id for i in page.items] == [first.item_id]
