"""Ingestion core: inbox first, idempotent upserts, edits, tombstones, review queue, NFC."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from sqlalchemy import func, select, text

from hub.db import Database
from hub.enums import ItemStatus
from hub.ingest.pipeline import Outcome, ingest_post
from hub.models import FeedItem, FeedItemSource, RawPost, Tombstone
from hub.services.feed import FeedQuery, feed_page, items_by_ids
from tests.support.factories import ingest, organisation, post


async def count(db: Database, table: type) -> int:
    async with db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_reingesting_the_same_post_changes_nothing(db: Database) -> None:
    org = await organisation(db)
    first = await ingest(db, org, post(1))
    again = await ingest(db, org, post(1))
    assert (first.outcome, again.outcome) == (Outcome.CREATED, Outcome.UNCHANGED)
    assert first.item_id == again.item_id
    assert await count(db, FeedItem) == 1
    assert await count(db, FeedItemSource) == 1
    assert await count(db, RawPost) == 1


async def test_an_edit_updates_the_item_and_keeps_its_identity(db: Database) -> None:
    org = await organisation(db)
    created = await ingest(db, org, post(1, body="모임은 3시에 시작합니다."))
    edited = await ingest(db, org, post(1, body="모임 시간이 4시로 바뀌었습니다."))
    assert edited.outcome is Outcome.UPDATED and edited.item_id == created.item_id
    assert created.item_id is not None
    items = await items_by_ids(db, [created.item_id])
    assert "4시" in items[created.item_id].body
    async with db.read() as conn:
        revision = (await conn.execute(text("SELECT revision FROM raw_post"))).scalar_one()
    assert revision == 2


async def test_a_tombstone_stops_reingestion_from_reviving_a_post(db: Database) -> None:
    org = await organisation(db)
    created = await ingest(db, org, post(1))
    async with db.write() as session:
        session.add(
            Tombstone(organisation_id=org.id, kind="MANUAL", external_id="post-1", reason="deleted upstream")
        )
        item = await session.get(FeedItem, created.item_id)
        assert item is not None
        item.status = ItemStatus.WITHDRAWN.value
    result = await ingest(db, org, post(1, body="다시 올라온 같은 글"))
    assert result.outcome is Outcome.TOMBSTONED
    page = await feed_page(db, FeedQuery())
    assert page.items == []


async def test_non_staff_posts_wait_for_review_unless_the_source_says_otherwise(db: Database) -> None:
    org = await organisation(db)
    queued = await ingest_post(db, org, post(1, staff=False))
    published = await ingest_post(db, org, post(2, staff=False), review_non_staff=False)
    assert queued.item_id is not None and published.item_id is not None
    every = await items_by_ids(db, [queued.item_id, published.item_id], public_only=False)
    assert every[queued.item_id].status is ItemStatus.PENDING_REVIEW
    assert every[published.item_id].status is ItemStatus.PUBLISHED


async def test_text_is_stored_nfc_and_tags_are_cleaned(db: Database) -> None:
    org = await organisation(db)
    decomposed = unicodedata.normalize("NFD", "청년 모임 안내\r\n\r\n\r\n\r\n장소: 청년마루\t\t3층")
    raw = replace(post(1), title=None, body=decomposed, tags=("#청년", "청년", " 모임 "))
    result = await ingest(db, org, raw)
    assert result.item_id is not None
    item = (await items_by_ids(db, [result.item_id]))[result.item_id]
    assert item.body == "청년 모임 안내\n\n장소: 청년마루 3층"
    assert unicodedata.is_normalized("NFC", item.body)
    assert item.title == "청년 모임 안내"
    assert item.tags == ("청년", "모임")


async def test_two_organisations_may_use_the_same_external_id(db: Database) -> None:
    youth = await organisation(db, "namwon-youth", "youth")
    forum = await organisation(db, "small-change-forum", "civic")
    a = await ingest(db, youth, post(1))
    b = await ingest(db, forum, post(1))
    assert a.item_id != b.item_id
    assert await count(db, FeedItem) == 2
