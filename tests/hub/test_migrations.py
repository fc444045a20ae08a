"""Migrations keep what is stored: revision 0009 fills the title tokens of items stored before it, and
undoing it gives back a working 0008 search index."""

from __future__ import annotations

import asyncio

from alembic import command
from sqlalchemy import inspect, text

from hub.db import Database, connect
from hub.migrate import alembic_config, upgrade
from hub.services.feed import FeedOrder, FeedQuery, feed_page
from tests.support.factories import ingest, organisation, post


async def _downgrade(url: str, revision: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(url), revision)


async def _ranked(db: Database, words: str) -> list[str]:
    page = await feed_page(db, FeedQuery(text=words, order=FeedOrder.RELEVANCE))
    return [item.title for item in page.items]


async def test_title_tokens_are_filled_for_items_stored_before_0009(db: Database) -> None:
    org = await organisation(db)
    await ingest(db, org, post(1, title="마을 합창 발표회", body="합창단이 노래합니다."))
    await ingest(db, org, post(2, title="마을 소식", body="다음 주 합창 발표회 안내입니다."))
    await db.dispose()
    await _downgrade(db.url, "0008")
    probe = connect(db.url)
    async with probe.read() as connection:
        columns = await connection.run_sync(
            lambda sync: [column["name"] for column in inspect(sync).get_columns("feed_item")]
        )
        assert "title_tokens" not in columns
        if probe.dialect == "sqlite":  # 0008's index answers searches again
            hits = await connection.execute(
                text("SELECT count(*) FROM feed_item_fts WHERE feed_item_fts MATCH '\"발표 표회\"'")
            )
            assert hits.scalar_one() == 2
    await probe.dispose()

    await upgrade(db.url)
    again = connect(db.url)
    try:
        # The title holding the word ranks first though posted earlier: its tokens were filled.
        assert await _ranked(again, "발표회") == ["마을 합창 발표회", "마을 소식"]
        assert await _ranked(again, "소식 합창") == ["마을 소식"]
        # Items stored after the upgrade are indexed by the new triggers.
        await ingest(
            again, await organisation(again, "namwon-culture", "culture"), post(3, title="발표회 사진")
        )
        assert await _ranked(again, "발표회") == ["발표회 사진", "마을 합창 발표회", "마을 소식"]
    finally:
        await again.dispose()
