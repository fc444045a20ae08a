"""Staff corrections, merges and withdrawals survive re-ingestion and reprocessing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hub.auth.viewer import Viewer
from hub.db import Database
from hub.enums import ItemStatus
from hub.ingest.pipeline import Outcome, reprocess
from hub.services import accounts, curation, staff_items
from hub.services.feed import FeedOrder, FeedQuery, feed_page, items_by_ids
from hub.services.item_relations import categories_by_item_ids, sources_by_item_ids
from org_connectors import SourceKind
from tests.staff.support import World, make_world
from tests.support.factories import ingest, post

SEOUL = ZoneInfo("Asia/Seoul")


async def _viewer(db: Database, world: World, name: str) -> Viewer:
    return await accounts.authenticate(db, f"Bearer {world.tokens[name]}")


async def _item(db: Database, item_id: int) -> tuple[str, datetime | None, str, list[str]]:
    record = (await items_by_ids(db, [item_id], public_only=False))[item_id]
    categories = [c.slug for c in (await categories_by_item_ids(db, [item_id])).get(item_id, [])]
    return record.title, record.starts_at, record.status.value, categories


async def test_corrections_survive_reingestion_and_reprocessing(db: Database) -> None:
    world = await make_world(db)
    staff = await _viewer(db, world, "youth_staff")
    raw = post(1, kind=SourceKind.BAND, title="청년 김장 나눔", starts_in_days=5, location="청년마루")
    created = await ingest(db, world.youth, raw)
    assert created.item_id is not None
    right_start = datetime(2026, 11, 25, 10, 0, tzinfo=SEOUL)
    await staff_items.correct_item(
        db,
        staff,
        created.item_id,
        {
            "title": "청년 김장 나눔 (장소 변경)",
            "starts_at": right_start,
            "categories": ["volunteer-sharing"],
        },
    )
    corrected = ("청년 김장 나눔 (장소 변경)", right_start, "PUBLISHED", ["volunteer-sharing"])
    assert await _item(db, created.item_id) == corrected

    # The same post edited upstream, ingested again: the corrected fields stay, the body follows upstream.
    edited = post(
        1,
        kind=SourceKind.BAND,
        title="청년 김장 나눔",
        body="배추 200포기를 함께 절입니다.",
        starts_in_days=5,
    )
    again = await ingest(db, world.youth, edited)
    assert again.outcome is Outcome.UPDATED and again.item_id == created.item_id
    assert await _item(db, created.item_id) == corrected
    record = (await items_by_ids(db, [created.item_id]))[created.item_id]
    assert "배추 200포기" in record.body

    await reprocess(db, [world.youth])
    assert await _item(db, created.item_id) == corrected


async def test_a_corrected_title_is_what_search_finds(db: Database) -> None:
    world = await make_world(db)
    staff = await _viewer(db, world, "youth_staff")
    created = await ingest(db, world.youth, post(1, title="청년 김장 나눔", body="함께 김치를 담급니다."))
    assert created.item_id is not None
    await staff_items.correct_item(db, staff, created.item_id, {"title": "청년 송년 음악회"})

    async def found(text: str, order: FeedOrder) -> list[int]:
        return [item.id for item in (await feed_page(db, FeedQuery(text=text, order=order))).items]

    for order in (FeedOrder.NEWEST, FeedOrder.RELEVANCE):
        assert await found("음악회", order) == [created.item_id], order
        assert await found("김장", order) == [], order
    assert await found("김치", FeedOrder.NEWEST) == [created.item_id]  # the body is unchanged


async def test_merge_survives_reingestion_and_split_undoes_it(db: Database) -> None:
    world = await make_world(db)
    facilitator = await _viewer(db, world, "facilitator")
    # Announced differently by two organisations (an hour apart, other words): the matcher keeps them apart.
    kept = await ingest(
        db,
        world.youth,
        post(
            1,
            kind=SourceKind.BAND,
            title="청년 문화 장터",
            body="청년들이 여는 문화 장터입니다.",
            starts_in_days=3,
        ),
    )
    dup = await ingest(
        db,
        world.culture,
        post(
            2,
            kind=SourceKind.RSS,
            title="플리마켓 함께 열어요",
            body="문화도시센터 플리마켓 안내",
            starts_in_days=3.04,
        ),
    )
    assert kept.item_id is not None and dup.item_id is not None and kept.item_id != dup.item_id
    merged = await curation.merge_items(db, facilitator, kept.item_id, dup.item_id)
    assert merged.title == "청년 문화 장터"
    refs = (await sources_by_item_ids(db, [kept.item_id]))[kept.item_id]
    assert {(r.kind.value, r.external_id) for r in refs} == {("BAND", "post-1"), ("RSS", "post-2")}

    # The duplicate's post changes upstream: it neither rewrites the kept item nor revives the duplicate.
    changed = post(2, kind=SourceKind.RSS, title="문화장터 (시간 변경)", body="바뀐 안내", starts_in_days=4)
    result = await ingest(db, world.culture, changed)
    assert result.item_id == kept.item_id
    title, _, status, _ = await _item(db, kept.item_id)
    assert (title, status) == ("청년 문화 장터", "PUBLISHED")
    assert (await _item(db, dup.item_id))[2] == ItemStatus.WITHDRAWN.value
    await reprocess(db, [world.youth, world.culture])
    assert (await _item(db, kept.item_id))[0] == "청년 문화 장터"
    assert (await _item(db, dup.item_id))[2] == ItemStatus.WITHDRAWN.value

    split = await curation.split_item(db, facilitator, dup.item_id)
    assert split.status is ItemStatus.PUBLISHED
    assert [r.external_id for r in (await sources_by_item_ids(db, [dup.item_id]))[dup.item_id]] == ["post-2"]


async def test_a_withdrawn_item_never_comes_back(db: Database) -> None:
    world = await make_world(db)
    staff = await _viewer(db, world, "youth_staff")
    raw = post(7, kind=SourceKind.BAND, title="취소된 모임")
    created = await ingest(db, world.youth, raw)
    assert created.item_id is not None
    withdrawn = await staff_items.withdraw_item(db, staff, created.item_id, reason="중복 게시")
    assert withdrawn.status is ItemStatus.WITHDRAWN
    assert (await ingest(db, world.youth, raw)).outcome is Outcome.TOMBSTONED
    assert await items_by_ids(db, [created.item_id]) == {}


async def test_a_corrected_title_with_a_mobile_number_is_masked_in_public_output(db: Database) -> None:
    world = await make_world(db)
    staff = await _viewer(db, world, "youth_staff")
    created = await ingest(db, world.youth, post(1, kind=SourceKind.BAND, title="청년 모임"))
    assert created.item_id is not None
    await staff_items.correct_item(
        db, staff, created.item_id, {"title": "청년 모임 (문의 010-2345-6789, 063-620-1234)"}
    )
    title = (await _item(db, created.item_id))[0]
    assert "010-2345-6789" not in title and "6789" in title
    assert "063-620-1234" in title  # institutional numbers stay
    await ingest(
        db, world.youth, post(1, kind=SourceKind.BAND, title="청년 모임", body="본문이 바뀌었습니다.")
    )
    assert (await _item(db, created.item_id))[0] == title  # the remembered correction is the masked one
